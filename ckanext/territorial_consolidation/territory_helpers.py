"""Template helpers for territories, duplicates and responsibility rules."""
from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.collation import collation_key
from ckanext.territorial_consolidation.model import LEVELS
from ckanext.territorial_consolidation.model.territory import OrganizationTerritory, Territory

__all__ = [
    "territorial_levels",
    "territorial_level_label",
    "territorial_organization_territory",
    "territorial_dataset_copies",
    "territorial_dataset_rules",
    "territorial_place",
    "territorial_portal_label",
    "territorial_coverage_choices",
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


def territorial_place(territory_id: Optional[str] = None, level: Optional[str] = None,
                      code: Optional[str] = None) -> str:
    """A territory as a reader names it, "Rennes (Commune)", from its id
    (``commune:35238``) or its level and code; what was given when it is unknown."""
    if not territory_id and level and code:
        territory_id = f"{level}:{code}"
    territory = model.Session.get(Territory, territory_id) if territory_id else None
    if territory is None:
        return territory_id or code or ""
    return f"{territory.name} ({territorial_level_label(territory.level)})"


def territorial_portal_label(copy: dict[str, Any]) -> str:
    """The partner portal a copy comes from, as a reader knows it: its harvest source's
    title and the portal's host ("Portail de Rennes — data.rennes.fr"), never an API
    address."""
    host = urlsplit(copy.get("remote_url") or copy.get("portal_url") or "").hostname or ""
    source = model.Package.get(copy["harvest_source_id"]) \
        if copy.get("harvest_source_id") else None
    title = source.title if source is not None and source.state == "active" \
        and not source.private else ""
    if title and host:
        return f"{title} — {host}"
    return title or host or copy.get("portal_url") or ""


def territorial_coverage_choices() -> dict[str, list[dict[str, str]]]:
    """What the coverage form offers: the consolidations (schema and scope, one click
    each), the schemas they and the portal's resources follow, and the territories linked
    to organizations or used as a consolidation's scope, in French order."""
    consolidations = tk.get_action("consolidation_list")(
        _context(), {"limit": 100})["results"]
    schemas = {item["schema_url"]: item["title"] for item in consolidations
               if item.get("schema_url")}
    territory_ids = {item["scope_territory_id"] for item in consolidations
                     if item.get("scope_territory_id")}
    territory_ids |= {territory_id for (territory_id,) in model.Session.query(
        OrganizationTerritory.territory_id).distinct()}
    territories = [territory for territory in (
        model.Session.get(Territory, territory_id) for territory_id in territory_ids)
        if territory is not None]
    return {
        "consolidations": [{"title": item["title"], "schema": item["schema_url"],
                            "territory": item["scope_territory_id"]}
                           for item in consolidations
                           if item.get("schema_url") and item.get("scope_territory_id")],
        "schemas": sorted(({"url": url, "title": title} for url, title in schemas.items()),
                          key=lambda item: collation_key(item["title"])),
        "territories": sorted(({"id": territory.id, "label": territorial_place(territory.id)}
                               for territory in territories),
                              key=lambda item: collation_key(item["label"])),
    }
