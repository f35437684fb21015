#!/usr/bin/env python3
"""Write a production ckan.ini from the portal's ckan.ini.in: debug off, fresh secrets,
the site's URL, database, Redis, storage and SMTP, behind the nginx of deploy/nginx.

Usage: deploy/make-ckan-ini.py --site-url https://portail.example.org \\
           --db-url postgresql://ckan:PASSWORD@db.example.org/ckan \\
           --smtp-server smtp.example.org:587 --mail-from portail@example.org \\
           --out /etc/ckan/ckan.ini
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import secrets
import sys
from urllib.parse import urlparse

TEMPLATE = pathlib.Path(__file__).resolve().parent.parent / "ckan.ini.in"
#: The suite's licence register in this checkout: ckan.ini.in names it relative to the
#: file (%(here)s), which would point into /etc/ckan once the file is written there.
LICENCES = TEMPLATE.parent / "ckanext" / "suite" / "data" / "licences.json"
HEADER = ("# Production configuration written by deploy/make-ckan-ini.py from ckan.ini.in.\n"
          "# It holds secrets: keep it readable by the ckan user only.\n")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-url", required=True, help="public URL, https://...")
    parser.add_argument("--db-url", required=True, help="postgresql://user:password@host/db")
    parser.add_argument("--datastore-write-url",
                        help="the DataStore's database, written by CKAN's role "
                             "(default: the --db-url database name + _datastore)")
    parser.add_argument("--datastore-read-url",
                        help="the same database as the read-only role "
                             "(default: datastore_ro, without a password, on it)")
    parser.add_argument("--xloader-site-url", default="http://127.0.0.1:8000",
                        help="where the jobs worker reaches CKAN to load uploads "
                             "(gunicorn's address, deploy/systemd/ckan-web.service)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--storage", default="/var/lib/ckan/storage",
                        help="uploads folder, shared by every machine running CKAN")
    parser.add_argument("--webassets", default="/var/lib/ckan/webassets",
                        help="compiled CSS/JS, served by nginx at /webassets/")
    parser.add_argument("--site-id", help="defaults to the site URL's host name")
    parser.add_argument("--site-title", help="the portal's name (default: the template's)")
    parser.add_argument("--smtp-server", required=True, help="host:port")
    parser.add_argument("--smtp-user", default="")
    parser.add_argument("--smtp-password", default="")
    parser.add_argument("--smtp-starttls", action="store_true")
    parser.add_argument("--mail-from", required=True)
    parser.add_argument("--proxy-hops", type=int, default=1,
                        help="reverse proxies in front of CKAN (0 if none)")
    parser.add_argument("--out", required=True, help="file to write ('-': standard output)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser.parse_args(argv)


def _set(text: str, key: str, value: str) -> str:
    """Set ``key`` in the [app:main] section, replacing its line or adding one."""
    line = f"{key} = {value}"
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    start = text.index("[app:main]\n")
    end = text.find("\n[", start)
    end = len(text) if end < 0 else end
    return f"{text[:end].rstrip()}\n{line}\n{text[end:]}"


def datastore_urls(db_url: str) -> tuple[str, str]:
    """The DataStore's default write and read URLs beside CKAN's database ``db_url``
    (the convention of ckanext/suite/datastore_db.py, which this script cannot import:
    it runs on the system's Python)."""
    url = urlparse(db_url)
    database = url.path.lstrip("/") + "_datastore"
    host = url.hostname + (f":{url.port}" if url.port else "")
    write = url._replace(path="/" + database).geturl()
    read = url._replace(netloc=f"datastore_ro@{host}", path="/" + database).geturl()
    return write, read


def render(args: argparse.Namespace, template: str) -> str:
    """The production configuration, from the text of ckan.ini.in."""
    site = urlparse(args.site_url)
    redis = urlparse(args.redis_url)
    if site.scheme not in ("http", "https") or not site.hostname:
        raise SystemExit(f"--site-url: not an http(s) URL: {args.site_url}")
    if redis.scheme != "redis" or not redis.hostname:
        raise SystemExit(f"--redis-url: not a redis:// URL: {args.redis_url}")
    jwt = secrets.token_urlsafe(32)
    default_write, default_read = datastore_urls(args.db_url)
    text = (template.replace("@DB_URL@", args.db_url)
            .replace("@DS_WRITE_URL@", args.datastore_write_url or default_write)
            .replace("@DS_READ_URL@", args.datastore_read_url or default_read).replace("@STORAGE@", args.storage)
            .replace("@SITE_URL@", args.site_url.rstrip("/"))
            .replace("@SECRET@", secrets.token_urlsafe(32)).replace("@JWT@", jwt))
    text = HEADER + "\n".join(line for line in text.splitlines()
                              if not line.startswith(("# Portal configuration written",
                                                      "# Edit ckan.ini, not this")))
    text = re.sub(r"^debug\s*=.*$", "debug = false", text + "\n", flags=re.MULTILINE)
    settings = {
        "ckan.site_url": args.site_url.rstrip("/"),
        "ckan.site_id": args.site_id or site.hostname,
        "ckan.redis.url": args.redis_url,
        "ckan.webassets.path": args.webassets,
        "ckanext.suite.proxy_hops": str(args.proxy_hops),
        "ckanext.xloader.site_url": args.xloader_site_url.rstrip("/"),
        "licenses_group_url": LICENCES.as_uri(),
        "smtp.server": args.smtp_server,
        "smtp.starttls": "true" if args.smtp_starttls else "false",
        "smtp.user": args.smtp_user,
        "smtp.password": args.smtp_password,
        "smtp.mail_from": args.mail_from,
    }
    # ckanext-harvest's own Redis settings, where the template has them (otherwise the
    # queues follow ckan.redis.url).
    for key, value in (("ckan.harvest.mq.hostname", redis.hostname),
                       ("ckan.harvest.mq.port", str(redis.port or 6379)),
                       ("ckan.harvest.mq.redis_db", redis.path.strip("/") or "0")):
        if re.search(rf"^{re.escape(key)}\s*=", text, flags=re.MULTILINE):
            settings[key] = value
    if args.site_title:
        settings["ckan.site_title"] = args.site_title
    for key, value in settings.items():
        text = _set(text, key, value)
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        raise SystemExit(f"ckan.ini.in has placeholders this script does not fill: {left}")
    return text


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    text = render(args, TEMPLATE.read_text(encoding="utf-8"))
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    out = pathlib.Path(args.out)
    if out.exists() and not args.force:
        print(f"{out} exists; --force to overwrite it", file=sys.stderr)
        return 1
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
