"""Plain-text mails of the reuse tracker (reuses, link checks, feedback): templates and sending."""
from __future__ import annotations

import functools
import pathlib
import re
from typing import Any, Optional

import jinja2

import ckan.plugins.toolkit as tk

from ckanext.suite import mail as outbox

__all__ = ["one_line", "mail_lang", "reuse_url", "render", "send"]

_TEMPLATES = pathlib.Path(__file__).parent / "mail_templates"


def one_line(value: object) -> str:
    """The value on one line: a title with a line break would inject mail headers."""
    return re.sub(r"[^\S\u00a0\u202f]+", " ", str(value or "")).strip(" ")


def mail_lang() -> str:
    """``fr`` when the site's default locale is French, else ``en``."""
    lang = tk.config.get("ckan.locale_default") or "en"
    return "fr" if lang.replace("-", "_").split("_")[0].lower() == "fr" else "en"


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # Plain text mail: HTML autoescaping would print &amp; and &#39;.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=False,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)


def reuse_url(name: str) -> str:
    """The absolute address of a reuse's page."""
    return "{}/reuses/{}".format((tk.config.get("ckan.site_url") or "").rstrip("/"), name)


def render(name: str, **variables: Any) -> tuple[str, str]:
    """Subject and body of ``mail_templates/<name>.<lang>.txt``: the first line is the subject."""
    context = {"site_title": tk.config.get("ckan.site_title") or "CKAN", **variables}
    # Titles and names may reach the Subject line: one line each.
    for key in context:
        if key.endswith(("_title", "_name")):
            context[key] = one_line(context[key])
    text = _environment().get_template(f"{name}.{mail_lang()}.txt").render(context)
    subject, _, body = text.partition("\n")
    return one_line(subject), body.lstrip("\n")


def send(recipients: list[tuple[str, Optional[str]]], subject: str, body: str) -> list[str]:
    """Queue a mail to each ``(name, address)`` once in the outbox; return the addresses
    queued. The mail server is not contacted here, so one that is down never undoes or
    slows what was recorded (a decision, a feedback); ``ckanext/suite/mail.py`` sends."""
    return outbox.queue("reuse_tracker", recipients, subject, body)
