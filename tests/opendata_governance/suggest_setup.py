"""Shared set-up of the opening suggestion tests: Bruz and its peer communes' harvested data."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.gate_setup import switch_gate
from tests.shared import as_user
from tests.territorial_consolidation.territory_setup import harvested_dataset, load_dep35

PLUGINS = "postgres_search opendata_governance territorial_consolidation reuse_tracker"
PASSWORD = "Correct-horse-battery-1"

MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

BRUZ = "commune:35047"
#: Communes of Ille-et-Vilaine, Bruz's peers, by code.
PEERS = {"35238": "Rennes", "35051": "Cesson-Sévigné", "35288": "Saint-Malo",
         "35360": "Vitré", "35115": "Fougères", "35281": "Saint-Jacques-de-la-Lande"}
SUBVENTIONS_URL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
PRENOMS_URL = "https://schema.data.gouv.fr/schemas/scdl/prenoms/1.1.6/schema.json"


@dataclasses.dataclass
class Portal:
    sysadmin: dict[str, Any]
    admin: dict[str, Any]
    editor: dict[str, Any]
    member: dict[str, Any]
    plain: dict[str, Any]
    org: dict[str, Any]
    harvest_org: dict[str, Any]


def make_portal(territory: Optional[str] = BRUZ, load: bool = True) -> Portal:
    """Bruz's organization (its territory set unless None), its users, and the
    organization the peers' catalogues are harvested into, both with the gate off."""
    if load:
        load_dep35()
    sysadmin = factories.Sysadmin(password=PASSWORD)
    users = {role: factories.User(password=PASSWORD)
             for role in ("admin", "editor", "member", "plain")}
    org = factories.Organization(name="ville-de-bruz", title="Ville de Bruz", users=[
        {"name": users[role]["name"], "capacity": role}
        for role in ("admin", "editor", "member")])
    harvest_org = factories.Organization(name="catalogues-moissonnes")
    for organization in (org, harvest_org):
        switch_gate(organization["id"], False)
    if territory:
        helpers.call_action("territory_organization_set", as_user(sysadmin),
                            organization_id=org["id"], territory_id=territory)
    return Portal(sysadmin=sysadmin, org=org, harvest_org=harvest_org, **users)


def harvest(portal: Portal, code: str, title: str, schema: Optional[str] = None,
            tags: tuple[str, ...] = (), private: bool = False) -> dict[str, Any]:
    """A dataset harvested from the portal of the commune ``code``."""
    return harvested_dataset(
        portal.harvest_org, f"https://data.commune-{code}.example.fr", "commune", code,
        title, urls=(f"https://data.commune-{code}.example.fr/files/{len(title)}.csv",),
        schema=schema, tags=tags, private=private)


def suggestions(portal: Portal, user: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    return helpers.call_action("opening_suggestion_list", as_user(user or portal.editor),
                               organization_id=portal.org["id"])


def suggestion(result: dict[str, Any], key: str) -> Optional[dict[str, Any]]:
    return next((item for item in result["suggestions"] if item["key"] == key), None)


def reason(item: dict[str, Any], kind: str) -> Optional[dict[str, Any]]:
    return next((entry for entry in item["reasons"] if entry["kind"] == kind), None)
