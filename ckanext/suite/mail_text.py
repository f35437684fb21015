"""Plain-text mails from a plugin's templates, in the site's language, queued in the outbox."""
from __future__ import annotations

import functools
import pathlib
import re
from typing import Any, Iterable, Optional

import jinja2

import ckan.plugins.toolkit as tk

from ckanext.suite import mail as outbox

__all__ = ["one_line", "mail_lang", "site_url", "Templates"]


def one_line(value: object) -> str:
    """The value on one line: titles go into the Subject header, where a line break
    would let a dataset title inject headers. No-break spaces stay (French « »)."""
    return re.sub(r"[^\S\u00a0\u202f]+", " ", str(value or "")).strip(" ")


def mail_lang(lang: Optional[str] = None) -> str:
    """``fr`` for any French locale (default: the site's), else ``en``."""
    lang = lang or tk.config.get("ckan.locale_default") or "en"
    return "fr" if lang.replace("-", "_").split("_")[0].lower() == "fr" else "en"


def site_url() -> str:
    """The portal's address without its trailing slash, for links in mails."""
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


@functools.lru_cache(maxsize=None)
def _environment(folder: str) -> jinja2.Environment:
    # Plain text mail: HTML autoescaping would print &amp; and &#39;.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=False,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)


class Templates:
    """One plugin's mails: ``<folder>/<name>.<lang>.txt``, whose first line is the
    subject and whose body starts after the blank line that follows; sent through the
    plugin's own outbox (``owner``)."""

    def __init__(self, owner: str, folder: pathlib.Path) -> None:
        self.owner = owner
        self.folder = str(folder)

    def environment(self) -> jinja2.Environment:
        """The Jinja environment of the plugin's mail templates."""
        return _environment(self.folder)

    def render(self, name: str, **variables: Any) -> tuple[str, str]:
        """Subject and body of template ``name`` in the site's language. Every variable
        named ``*_title`` or ``*_name`` is put on one line: it may reach the subject."""
        context = {"site_title": tk.config.get("ckan.site_title") or "CKAN", **variables}
        for key in context:
            if key.endswith(("_title", "_name")):
                context[key] = one_line(context[key])
        text = self.environment().get_template(f"{name}.{mail_lang()}.txt").render(context)
        subject, _, body = text.partition("\n")
        return one_line(subject), body.lstrip("\n")

    def send(self, recipients: Iterable[tuple[Optional[str], Optional[str]]], subject: str,
             body: str) -> list[str]:
        """Queue a mail to each ``(name, address)`` once in the outbox; the addresses
        queued. The mail server is not contacted here, so one that is down never undoes
        or slows what a request recorded (``ckanext/suite/mail.py`` sends and retries)."""
        return outbox.queue(self.owner, list(recipients), subject, body)
