"""What reusers already use and ask for, read through the reuse tracker's actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

__all__ = ["reused_datasets", "open_requests"]

_PAGE = 100
#: Pages read at most: a portal's published reuses and open requests fit well within.
_MAX_PAGES = 50


def _pages(action: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for number in range(_MAX_PAGES):
        page = tk.get_action(action)({"ignore_auth": True},
                                     {**query, "limit": _PAGE, "offset": number * _PAGE})
        found.extend(page["results"])
        if len(found) >= page["count"] or not page["results"]:
            break
    return found


def reused_datasets() -> dict[str, list[dict[str, Any]]]:
    """The published reuses linking each dataset, by dataset name (public datasets only:
    the listing runs without a user)."""
    if not p.plugin_loaded("reuse_tracker"):
        return {}
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for reuse in _pages("reuse_list", {"state": "published", "featured_first": False}):
        for dataset in reuse.get("datasets") or []:
            by_dataset.setdefault(dataset["name"], []).append(
                {"id": reuse["id"], "name": reuse["name"], "title": reuse["title"]})
    return by_dataset


def open_requests(organization_id: str) -> list[dict[str, Any]]:
    """The data requests addressed to the organization that still wait for their data."""
    if not p.plugin_loaded("reuse_tracker"):
        return []
    return _pages("datarequest_list", {"organization": organization_id, "state": "pending"})
