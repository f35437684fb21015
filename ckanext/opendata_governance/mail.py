"""Plain-text governance mails: templates in the site's language, safe subjects, sending
(``ckanext/suite/mail_text.py`` renders and queues, for every plugin alike)."""
from __future__ import annotations

import pathlib
from typing import Any, Optional

from ckanext.suite.mail_text import Templates, mail_lang, one_line, site_url

__all__ = ["one_line", "mail_lang", "environment", "dataset_governance_url", "render", "send",
           "recipient"]

_MAILS = Templates("opendata_governance", pathlib.Path(__file__).parent / "mail_templates")
environment = _MAILS.environment
render = _MAILS.render
send = _MAILS.send


def dataset_governance_url(package_name: str) -> str:
    """The absolute address of a dataset's governance page."""
    return f"{site_url()}/dataset/{package_name}/governance"


def recipient(user: Optional[dict[str, Any]]) -> Optional[tuple[str, str]]:
    """``(display name, e-mail)`` of an active user dict with an address."""
    if not user or user.get("state") != "active" or not user.get("email"):
        return None
    return (user.get("display_name") or user["name"], user["email"])
