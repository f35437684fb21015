"""Real portals for the deploy tests: databases of their own, CKAN's CLI, gunicorn."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Iterator, Sequence

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from tests.live_server import free_port, serving  # free_port: for the tests using live

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
MIGRATED = ("postgres_search", "harvest", "opendata_governance", "reuse_tracker",
            "territorial_consolidation")
#: What `make run` loads into a new portal (scripts/run-portal.sh).
DEMO_COMMANDS = (("opendata-demo", "load"), ("reuse-tracker", "demo", "load"),
                 ("territorial-consolidation", "demo", "load"),
                 ("territorial-consolidation", "consolidation-demo"))


def clean_env() -> dict[str, str]:
    """The environment without `make test`'s CKAN_* overrides, which would point any CKAN
    (and the backup scripts) at the test database instead of the ini's."""
    return {key: value for key, value in os.environ.items()
            if key not in ("CKAN_SQLALCHEMY_URL", "CKAN_STORAGE_PATH", "CKAN_REDIS_URL",
                           "CKAN_INI", "CKAN_SITE_URL", "CKAN_DATASTORE_WRITE_URL",
                           "CKAN_DATASTORE_READ_URL")}


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test database's server."""
    return str(sa.engine.make_url(tk.config["sqlalchemy.url"]).set(database=name))


def datastore_url(db_url: str) -> str:
    """The URL of the DataStore database beside ``db_url`` (<database>_datastore)."""
    url = sa.engine.make_url(db_url)
    return url.set(database=f"{url.database}_datastore").render_as_string(
        hide_password=False)


def test_database_name() -> str:
    return str(sa.engine.make_url(tk.config["sqlalchemy.url"]).database)


def fresh_database(name: str) -> str:
    """Drop ``name`` and its DataStore ``name_datastore`` if they exist and create them
    empty as scripts/ensure-db.sh does (owned by the portal's role, with unaccent); the
    URL of ``name``. The DataStore gets its permissions (scripts/ensure-datastore-db.sh)
    from ``prepare_demo_portal``, or from restore.sh."""
    drop_database(name)
    for database in (name, f"{name}_datastore"):
        subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), database], check=True,
                       capture_output=True)
    return database_url(name)


def drop_database(name: str) -> None:
    """Drop ``name`` and its DataStore database."""
    superuser = os.environ.get("PGSUPERUSER", "postgres")
    for database in (name, f"{name}_datastore"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", superuser, "-d", "postgres", "-qtA",
                        "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'],
                       check=True, capture_output=True)


def datastore_permissions(db_url: str) -> None:
    """scripts/ensure-datastore-db.sh's permissions on the DataStore of ``db_url``."""
    name = str(sa.engine.make_url(db_url).database)
    subprocess.run([str(ROOT / "scripts" / "ensure-datastore-db.sh"), str(BIN.parent), name],
                   check=True, capture_output=True)


def write_production_ini(path: pathlib.Path, db_url: str, storage: pathlib.Path,
                         port: int) -> pathlib.Path:
    """A production ckan.ini made by deploy/make-ckan-ini.py for this machine's services."""
    redis = tk.config["ckan.redis.url"]
    subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "make-ckan-ini.py"),
         "--site-url", f"http://127.0.0.1:{port}", "--db-url", db_url, "--redis-url", redis,
         "--storage", str(storage), "--webassets", str(storage.parent / "webassets"),
         "--smtp-server", "127.0.0.1:2525", "--mail-from", "portail@example.org",
         "--out", str(path)], check=True, capture_output=True, text=True)
    return path


def ckan(ini: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one `ckan` command against ``ini``; fail with its output if it fails."""
    result = subprocess.run([str(BIN / "ckan"), "-c", str(ini), *args], cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"ckan {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def prepare_demo_portal(ini: pathlib.Path, db_url: str) -> None:
    """What `make run` does to a new database ``db_url``: the DataStore's permissions,
    migrations, then the demo data."""
    datastore_permissions(db_url)
    ckan(ini, "db", "upgrade")
    for plugin in MIGRATED:
        ckan(ini, "db", "upgrade", "-p", plugin)
    ckan(ini, "validation", "init-db")
    for command in DEMO_COMMANDS:
        ckan(ini, *command)


def script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/<name> and return its result, whatever its exit status."""
    return subprocess.run([str(ROOT / "scripts" / name), *args], cwd=ROOT,
                          env={**clean_env(), "CKAN_BIN": str(BIN / "ckan")},
                          capture_output=True, text=True, timeout=900)


def serve(ini: pathlib.Path, port: int, log: pathlib.Path) -> Iterator[str]:
    """The portal of ``ini`` served by gunicorn with the suite's settings and WSGI entry,
    as ckan-web.service runs it; yields its URL."""
    env = {**clean_env(), "CKAN_INI": str(ini), "WEB_BIND": f"127.0.0.1:{port}",
           "WEB_WORKERS": "2", "WEB_ACCESS_LOG": "-"}
    command = [str(BIN / "gunicorn"), "--config", "python:ckanext.suite.gunicorn_conf"]
    with serving(command, port, log, env, ROOT, start_timeout=120) as url:
        yield url


def table_fingerprints(db_url: str,
                       tables: Sequence[str] | None = None) -> dict[str, tuple[int, str]]:
    """Every table of the public schema (or ``tables``): its row count and a digest of
    its rows, to compare two databases' contents."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            names = tables or conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
            return {name: tuple(conn.execute(sa.text(
                "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                f'FROM "{name}" t')).one()) for name in names}
    finally:
        engine.dispose()


def host_port(url: str) -> str:
    """``host:port`` of an http URL."""
    return url.split("://", 1)[1].split("/", 1)[0]


def nginx_conf(tmp_path: pathlib.Path) -> pathlib.Path:
    """nginx.conf around the site, with a throwaway certificate for its TLS placeholder."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=portail.example.org", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site = ((ROOT / "deploy" / "nginx" / "ckan.conf").read_text()
            .replace("/etc/ssl/certs/ssl-cert-snakeoil.pem", str(cert))
            .replace("/etc/ssl/private/ssl-cert-snakeoil.key", str(key)))
    (tmp_path / "ckan.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        f" client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" include {tmp_path}/ckan.conf;\n}}\n")
    return main
