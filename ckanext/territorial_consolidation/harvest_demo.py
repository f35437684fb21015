"""Demo harvest sources: real partner portals around the demo territory, one per harvester."""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["DEMO_SOURCES", "DEMO_OWNER", "load_harvest_sources"]

log = logging.getLogger(__name__)

#: The demo organization that receives the harvested datasets (opendata-demo's EPCI).
DEMO_OWNER = "rennes-metropole"

#: name → (harvester, title, URL, territory). Real public portals, harvested by hand
#: (manual schedule): a portal with internet access harvests them in one click, an
#: offline one shows on each source page why it could not reach them.
DEMO_SOURCES: dict[str, tuple[str, str, str, str]] = {
    "demo-rennes-metropole-ods": (
        "territorial_ods", "Rennes Métropole — data.rennesmetropole.fr (OpenDataSoft)",
        "https://data.rennesmetropole.fr", "epci:243500139"),
    "demo-rennes-metropole-data-gouv": (
        "territorial_udata", "Rennes Métropole sur data.gouv.fr (udata)",
        "https://www.data.gouv.fr/fr/organizations/rennes-metropole-en-acces-libre-1/",
        "epci:243500139"),
    "demo-region-bretagne-dcat": (
        "territorial_dcat", "Région Bretagne — data.bretagne.bzh (DCAT)",
        "https://data.bretagne.bzh/api/explore/v2.1/catalog/exports/dcat", "region:53"),
    # No CKAN portal publishes for Ille-et-Vilaine or Brittany: DataSud (Région
    # Provence-Alpes-Côte d'Azur) is a French regional CKAN to try the CKAN harvester on.
    "demo-datasud-ckan": (
        "territorial_ckan", "Région Sud — trouver.datasud.fr (CKAN)",
        "https://trouver.datasud.fr", "region:93"),
}


def _available_types(context: dict[str, Any]) -> set[str]:
    try:
        harvesters = tk.get_action("harvesters_info_show")(dict(context), {})
    except KeyError:  # ckanext-harvest is not loaded
        return set()
    return {harvester["name"] for harvester in harvesters}


def load_harvest_sources() -> dict[str, list[str]]:
    """Register the demo partner portals as harvest sources of ``rennes-metropole``.

    Idempotent: a source already there (by name) is left as it is. A source whose
    harvester plugin is not loaded, or every source when the demo organization is
    missing, is skipped.

    :returns: ``{"created": [names], "present": [names], "skipped": [names]}``
    """
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user}
    result: dict[str, list[str]] = {"created": [], "present": [], "skipped": []}
    types = _available_types(context)
    try:
        owner = tk.get_action("organization_show")(
            dict(context), {"id": DEMO_OWNER, "include_datasets": False})["id"]
    except tk.ObjectNotFound:
        result["skipped"] = list(DEMO_SOURCES)
        return result
    for name, (source_type, title, url, territory) in DEMO_SOURCES.items():
        if source_type not in types:
            result["skipped"].append(name)
            continue
        try:
            tk.get_action("harvest_source_show")(dict(context), {"id": name})
            result["present"].append(name)
            continue
        except tk.ObjectNotFound:
            pass
        try:
            tk.get_action("harvest_source_create")(dict(context), {
                "name": name, "title": title, "url": url, "source_type": source_type,
                "owner_org": owner, "frequency": "MANUAL",
                "config": json.dumps({"territory": territory})})
        except tk.ValidationError as error:
            log.warning("demo harvest source %s not created: %s", name, error.error_dict)
            result["skipped"].append(name)
            continue
        result["created"].append(name)
    return result
