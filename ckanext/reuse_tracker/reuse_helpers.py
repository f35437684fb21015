"""Template helpers for reuses."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any, Optional

from markupsafe import Markup

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker import datarequest_helpers, topics
from ckanext.suite.pages import user_context as _context

__all__ = [
    "reuse_safe_url", "reuse_json_ld", "reuse_dataset_block", "reuse_featured",
    "reuse_can", "reuse_link_broken", "reuse_type_options", "reuse_topic_options",
    "reuse_is_moderator", "reuse_state_label", "reuse_state_class",
    "reuse_dataset_picker_attrs",
]

#: The badge class of each reuse state.
_STATE_CLASSES = {"pending": "bg-info text-dark", "published": "bg-success",
                  "rejected": "bg-danger", "archived": "bg-secondary"}


def reuse_safe_url(url: Optional[str]) -> str:
    """The URL if it may be put in a link or an image (http(s), or a path of this site), else ''.

    The actions already refuse other schemes; this keeps a stored value that slipped
    through (or was written by hand in the database) from ever becoming a link.
    """
    url = (url or "").strip()
    if not url:
        return ""
    if url.startswith("/") and not url.startswith("//"):
        return url
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() in ("http", "https") and parsed.netloc:
        return url
    return ""


def reuse_json_ld(reuse: dict[str, Any]) -> Markup:
    """The schema.org CreativeWork of a reuse, as JSON safe inside a ``<script>`` element."""
    site_url = tk.config["ckan.site_url"].rstrip("/")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": site_url + tk.h.url_for("reuse_tracker_reuse.read", id=reuse["name"]),
        "name": reuse["title"],
        "description": reuse.get("description") or "",
        "url": reuse_safe_url(reuse.get("url")),
        "genre": reuse.get("type_label") or reuse.get("type"),
        "dateCreated": reuse.get("created"),
        "dateModified": reuse.get("modified"),
        "isBasedOn": [{
            "@type": "Dataset",
            "name": dataset.get("title") or dataset.get("name"),
            "url": site_url + tk.h.url_for("dataset.read", id=dataset["name"]),
        } for dataset in reuse.get("datasets") or []],
    }
    if reuse.get("published"):
        data["datePublished"] = reuse["published"]
    if reuse.get("topic_label"):
        data["about"] = reuse["topic_label"]
    image = reuse_safe_url(reuse.get("image_url"))
    if image:
        data["image"] = image if not image.startswith("/") else site_url + image
    submitter = reuse.get("submitter") or {}
    if submitter.get("display_name"):
        data["author"] = {"@type": "Person", "name": submitter["display_name"]}
    text = json.dumps(data, ensure_ascii=False)
    # "</script>" or "<!--" in a title must not end or disturb the element.
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)


def reuse_dataset_block(package_id: str, limit: int = 3) -> dict[str, Any]:
    """The published reuses of a dataset for its page: ``{"count", "results"}``."""
    try:
        return tk.get_action("reuse_list")(
            _context(), {"dataset": package_id, "limit": limit, "sort": "newest"})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {"count": 0, "results": []}


def reuse_featured(limit: int = 3) -> list[dict[str, Any]]:
    """Published reuses for the home page: the featured ones, topped up with the newest."""
    try:
        listed = tk.get_action("reuse_list")(
            _context(), {"limit": limit, "sort": "newest", "featured_first": True})
    except (tk.NotAuthorized, tk.ValidationError):
        return []
    return listed["results"]


def reuse_can(action: str, reuse_id: str) -> bool:
    """Whether the current user may run a reuse action (update, delete, moderate) on a reuse."""
    try:
        tk.check_access(action, _context(), {"id": reuse_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def reuse_link_broken(reuse: dict[str, Any]) -> bool:
    """Whether the reuse's link failed enough consecutive checks to be called broken."""
    link = reuse.get("link") or {}
    threshold = tk.config["ckanext.reuse_tracker.link_failures_before_broken"]
    return int(link.get("failures") or 0) >= threshold


def reuse_type_options() -> list[dict[str, str]]:
    """The reuse types as ``{"value", "text"}`` options, with their translated labels."""
    return topics.type_options()


def reuse_topic_options() -> list[dict[str, str]]:
    """The reuse topics as ``{"value", "text"}`` options, with their translated labels."""
    return topics.topic_options()


def reuse_is_moderator() -> bool:
    """Whether the current user moderates reuses: a sysadmin or an organization admin
    (who moderates the reuses of their organization's datasets), as for data requests."""
    return datarequest_helpers.datarequest_can_moderate_some()


def reuse_state_label(state: Optional[str]) -> str:
    """A reuse's state, in words for its submitter."""
    labels = {"pending": tk._("Waiting for moderation"),
              "published": tk._("Published in the gallery"),
              "rejected": tk._("Refused by a moderator"),
              "archived": tk._("Taken out of the gallery")}
    return labels.get(state or "", state or "")


def reuse_state_class(state: Optional[str]) -> str:
    """The badge class of a reuse's state."""
    return _STATE_CLASSES.get(state or "", "bg-secondary")


def reuse_dataset_picker_attrs(titles: Optional[dict[str, str]] = None,
                               single: bool = False) -> dict[str, str]:
    """The attributes that turn a text input of dataset names into the dataset picker
    (dataset-picker.js): its search address, the titles of the names already in it and
    its texts in the page's language."""
    attrs = {
        "class": "form-control",
        "data-dataset-picker": tk.h.url_for("reuse_tracker_picker.search"),
        "data-dataset-picker-titles": json.dumps(titles or {}, ensure_ascii=False),
        "data-dataset-picker-remove": tk._("Remove"),
        "data-dataset-picker-empty": tk._("No dataset found"),
        "data-dataset-picker-placeholder": tk._("Type a few letters of the title"),
        "autocomplete": "off",
    }
    if single:
        attrs["data-dataset-picker-single"] = ""
    return attrs
