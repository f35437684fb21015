"""An organization's territory and its peers, read through the territory plugin's actions."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

__all__ = ["Place", "place_of", "peers_of"]

#: Where a level's peers are looked for: communes and EPCI in their département,
#: départements in their région, régions in the whole country.
PEER_SCOPE = {"commune": "departement", "epci": "departement", "departement": "region",
              "region": None}
_PAGE = 1000
#: Territories of one level within one scope, at most: more than any French département has.
_MAX_PEERS = 5000


@dataclasses.dataclass
class Place:
    """The territory an organization stands for, and where its peers are."""

    id: str
    level: str
    name: str
    population: Optional[int]
    scope_id: Optional[str] = None
    scope_level: Optional[str] = None
    scope_name: Optional[str] = None


def _site() -> dict[str, Any]:
    return {"ignore_auth": True}


def place_of(organization_id: str) -> Optional[Place]:
    """The organization's territory, or None when it has none (or territories are off)."""
    if not p.plugin_loaded("territorial_consolidation"):
        return None
    try:
        territory = tk.get_action("territory_show")(
            _site(), {"organization_id": organization_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    place = Place(territory["id"], territory["level"], territory["name"],
                  territory.get("population"))
    scope_level = PEER_SCOPE.get(place.level)
    for parent in territory.get("parents") or []:
        if scope_level and parent["level"] == scope_level:
            place.scope_id, place.scope_level, place.scope_name = (
                parent["id"], parent["level"], parent["name"])
            break
    return place


def peers_of(place: Place) -> dict[str, dict[str, Any]]:
    """Territories of the same level in the same scope, by code, the place itself left out,
    each with ``organization_ids``, the local organizations standing for it.

    A commune or an EPCI without a known département has no peers: comparing it with
    every commune of France would say nothing about its own area.
    """
    if place.level not in PEER_SCOPE or (PEER_SCOPE[place.level] and not place.scope_id):
        return {}
    query: dict[str, Any] = {"level": place.level, "limit": _PAGE,
                             "include_organizations": True}
    if place.scope_id:
        query["within"] = place.scope_id
    found: dict[str, dict[str, Any]] = {}
    offset = 0
    while offset < _MAX_PEERS:
        page = tk.get_action("territory_list")(_site(), {**query, "offset": offset})
        for territory in page["results"]:
            if territory["id"] != place.id:
                found[territory["code"]] = territory
        offset += _PAGE
        if offset >= page["count"] or not page["results"]:
            break
    return found
