"""The "owner service" search facet: its declaration and readable item names."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance.model import Service
from ckanext.suite import licences

__all__ = ["FACET", "add_service_facet", "name_service_facet_items", "name_licence_facet_items"]

FACET = "owner_service"


def add_service_facet(facets_dict: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """Offer the owner service facet after the organization facet."""
    facets_dict[FACET] = tk._("Owner service")
    return facets_dict


def name_service_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """Show services by title rather than slug in the facet's items."""
    items = (search_results.get("search_facets") or {}).get(FACET, {}).get("items")
    if not items:
        return search_results
    names = {item["name"] for item in items}
    titles: dict[str, str] = {}
    query = model.Session.query(Service.name, Service.title).filter(
        Service.name.in_(names))
    for name, title in query:
        titles.setdefault(name, title)
    for item in items:
        item["display_name"] = titles.get(item["name"], item["display_name"])
    return search_results


def name_licence_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """Show licences by their register title in the page's language, never by id."""
    try:
        lang = tk.h.lang()
    except RuntimeError:  # outside a request: the API's titles are the register's own
        lang = None
    items = (search_results.get("search_facets") or {}).get("license_id", {}).get("items")
    for item in items or []:
        item["display_name"] = licences.title(item["name"], lang)
    return search_results
