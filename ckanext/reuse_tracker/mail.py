"""Plain-text mails of the reuse tracker (reuses, link checks, feedback), rendered and
queued by ``ckanext/suite/mail_text.py`` as every plugin's are."""
from __future__ import annotations

import pathlib

from ckanext.suite.mail_text import Templates, mail_lang, one_line, site_url

__all__ = ["one_line", "mail_lang", "site_url", "reuse_url", "render", "send"]

_MAILS = Templates("reuse_tracker", pathlib.Path(__file__).parent / "mail_templates")
render = _MAILS.render
send = _MAILS.send


def reuse_url(name: str) -> str:
    """The absolute address of a reuse's page."""
    return f"{site_url()}/reuses/{name}"
