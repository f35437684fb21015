"""Validators of reuse fields: plain-text titles, http(s) URLs, types, topics, dataset lists."""
from __future__ import annotations

import re
import urllib.parse
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker import topics
from ckanext.suite import safe_http

__all__ = [
    "normalise_url",
    "reuse_plain_text",
    "reuse_markdown_text",
    "reuse_http_url",
    "reuse_public_image_url",
    "reuse_type",
    "reuse_topic",
    "reuse_dataset_list",
    "reuse_decision",
]

TITLE_MAX = 200
DESCRIPTION_MAX = 10000
URL_MAX = 2000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# In Markdown, line breaks and tabs carry meaning; other control characters do not.
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                                r"\u2066-\u2069\ufeff]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(value: str) -> str:
    """The URL in its one comparable form: scheme and host lower-cased, default port,
    credentials-free, fragment dropped and no trailing slash on the path.

    Raises ``ValueError`` (with a translated message) for anything but an absolute
    http(s) URL: ``javascript:``, ``data:``, relative paths, embedded credentials...
    """
    value = (value or "").strip()
    # Quotes, angle brackets and backslashes have no place in a well-formed URL; a
    # backslash is even read as "/" by browsers, which would hide the real host.
    if (not value or len(value) > URL_MAX
            or re.search(r"[\s\x00-\x1f\x7f<>\"`\\]", value)):
        raise ValueError(tk._("Enter a web address starting with http:// or https://"))
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError(tk._("This web address is not valid"))
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(tk._("Enter a web address starting with http:// or https://"))
    if parts.username is not None or parts.password is not None:
        raise ValueError(tk._("A web address with a user name or password is not accepted"))
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return urllib.parse.urlunsplit((scheme, netloc, path, parts.query, ""))


def reuse_plain_text(value: Any) -> Any:
    """One line of plain text: control and direction-override characters removed,
    runs of white space collapsed, at most 200 characters."""
    if not isinstance(value, str):
        return value
    text = " ".join(_CONTROL.sub(" ", value).split())
    if len(text) > TITLE_MAX:
        raise tk.Invalid(tk._("At most {n} characters").format(n=TITLE_MAX))
    return text


def reuse_markdown_text(value: Any) -> Any:
    """Markdown source kept as written, minus control characters; at most 10,000 characters.

    The text is stored as typed; it is sanitised when rendered (``h.render_markdown``
    strips HTML and keeps only http(s) and mailto links).
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL_BUT_LINES.sub("", value.replace("\r\n", "\n")).strip()
    if len(text) > DESCRIPTION_MAX:
        raise tk.Invalid(tk._("At most {n} characters").format(n=DESCRIPTION_MAX))
    return text


def reuse_http_url(value: Any) -> Any:
    """An absolute http(s) URL, normalised; anything else is refused."""
    if value is None or value == "":
        return value
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Enter a web address starting with http:// or https://"))
    try:
        return normalise_url(value)
    except ValueError as error:
        raise tk.Invalid(str(error))


def reuse_public_image_url(value: Any) -> Any:
    """An image address whose host is not private, loopback, link-local or a metadata
    service: visitors' browsers would load it from inside their own network."""
    if value and safe_http.points_inside(value):
        raise tk.Invalid(tk._("The image address points at a private, local or reserved "
                              "host"))
    return value


def reuse_type(value: Any) -> Any:
    """One of udata's reuse types."""
    if value not in topics.TYPES:
        raise tk.Invalid(tk._("Choose one of the listed types"))
    return value


def reuse_topic(value: Any) -> Any:
    """One of the fixed topics."""
    if value not in topics.TOPICS:
        raise tk.Invalid(tk._("Choose one of the listed topics"))
    return value


def reuse_dataset_list(value: Any) -> Any:
    """A list of dataset ids or names; a form's comma-separated string is split.

    Duplicates are dropped, order kept; the datasets themselves are checked by the action.
    """
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise tk.Invalid(tk._("Give a list of dataset names or ids"))
    cleaned: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise tk.Invalid(tk._("Give a list of dataset names or ids"))
        item = item.strip()
        if item and item not in cleaned:
            cleaned.append(item)
    return cleaned


def reuse_decision(value: Any) -> Any:
    """``publish`` or ``reject``."""
    if value not in ("publish", "reject"):
        raise tk.Invalid(tk._("The decision is either publish or reject"))
    return value
