"""Template helpers for territories, duplicates and responsibility rules."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.territorial_consolidation.model import LEVELS

__all__ = [
    "territorial_levels",
    "territorial_level_label",
    "territorial_organization_territory",
    "territorial_dataset_copies",
    "territorial_dataset_rules",
]


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def territorial_level_label(level: Optional[str]) -> str:
    """The readable name of a territorial level."""
    labels = {"commune": tk._("Commune"), "epci": tk._("Intercommunality (EPCI)"),
              "departement": tk._("Département"), "region": tk._("Région"),
              "national": tk._("National")}
    return labels.get(level or "", level or "")


def territorial_levels() -> list[dict[str, str]]:
    """The levels as form options, smallest first."""
    return [{"value": level, "text": territorial_level_label(level)} for level in LEVELS]


def territorial_organization_territory(organization_id: str) -> Optional[dict[str, Any]]:
    """The territory an organization stands for, or None."""
    try:
        return tk.get_action("territory_show")(_context(), {"organization_id": organization_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def territorial_dataset_copies(package_id: str) -> dict[str, Any]:
    """Copies of a dataset the user can read: its canonical one (if a mirror) and the mirrors.

    :returns: ``{"canonical": {"id", "name", "title"} or None, "mirrors": [row of
        territorial_duplicate_list, ...]}`` (the dataset itself left out)
    """
    listed = tk.get_action("territorial_duplicate_list")(
        _context(), {"package_id": package_id, "limit": 100})["results"]
    canonical = None
    for row in listed:
        if row["package_id"] == package_id:
            canonical = {"id": row["canonical_package_id"], "name": row["canonical_name"],
                         "title": row["canonical_title"]}
    return {"canonical": canonical,
            "mirrors": [row for row in listed if row["package_id"] != package_id]}


def territorial_dataset_rules(package_id: str) -> list[dict[str, Any]]:
    """The responsibility rules that apply to a dataset."""
    try:
        return tk.get_action("responsibility_rule_list")(
            _context(), {"package_id": package_id, "limit": 20})["results"]
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
