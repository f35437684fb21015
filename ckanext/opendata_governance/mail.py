"""Plain-text governance mails: templates in the site's language, safe subjects, sending."""
from __future__ import annotations

import functools
import pathlib
import re
from typing import Any, Optional

import jinja2

import ckan.plugins.toolkit as tk

from ckanext.suite import mail as outbox

__all__ = ["one_line", "mail_lang", "environment", "dataset_governance_url", "render", "send",
           "recipient"]

_TEMPLATES = pathlib.Path(__file__).parent / "mail_templates"


def one_line(value: object) -> str:
    """The value on one line: titles go into the Subject header, where a line break
    would let a dataset title inject headers. No-break spaces stay (French « »)."""
    return re.sub(r"[^\S\u00a0\u202f]+", " ", str(value or "")).strip(" ")


def mail_lang(lang: Optional[str] = None) -> str:
    """``fr`` for any French locale (default: the site's), else ``en``."""
    lang = lang or tk.config.get("ckan.locale_default") or "en"
    return "fr" if lang.replace("-", "_").split("_")[0].lower() == "fr" else "en"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment of ``mail_templates/``."""
    # Plain text mail: HTML autoescaping would print &amp; and &#39;.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def dataset_governance_url(package_name: str) -> str:
    """The absolute address of a dataset's governance page."""
    site_url = (tk.config.get("ckan.site_url") or "").rstrip("/")
    return f"{site_url}/dataset/{package_name}/governance"


def render(name: str, **variables: Any) -> tuple[str, str]:
    """Subject and body of ``mail_templates/<name>.<lang>.txt`` in the site's language.

    The first line is the subject; the body starts after the blank line
    that follows. The site's default locale picks French or English.
    """
    context = {
        "site_title": one_line(tk.config.get("ckan.site_title") or "CKAN"),
        **variables,
    }
    for key in ("dataset_title", "actor_name"):
        if key in context:
            context[key] = one_line(context[key])
    text = environment().get_template(f"{name}.{mail_lang()}.txt").render(context)
    subject, _, body = text.partition("\n")
    return one_line(subject), body.lstrip("\n")


def send(recipients: list[tuple[str, str]], subject: str, body: str) -> list[str]:
    """Queue a mail to each ``(name, address)`` once in the outbox; return the addresses
    queued. The mail server is not contacted here: one that is down never undoes or
    slows a review or a decision (``ckanext/suite/mail.py`` sends and retries)."""
    return outbox.queue("opendata_governance", recipients, subject, body)


def recipient(user: Optional[dict[str, Any]]) -> Optional[tuple[str, str]]:
    """``(display name, e-mail)`` of an active user dict with an address."""
    if not user or user.get("state") != "active" or not user.get("email"):
        return None
    return (user.get("display_name") or user["name"], user["email"])
