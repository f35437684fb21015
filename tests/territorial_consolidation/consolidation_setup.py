"""Shared set-up of the consolidation tests: communes and their organizations, SCDL files."""
from __future__ import annotations

import dataclasses
import io
import json
import pathlib
from typing import Any, Optional

import pytest
from werkzeug.datastructures import FileStorage

from ckan.tests import factories, helpers

from tests.shared import as_user
from tests.territorial_consolidation.territory_setup import (BRUZ, ILLE_ET_VILAINE, RENNES,
                                                             RENNES_METROPOLE, load_dep35)

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "consolidation"
SUBVENTIONS = FIXTURES / "subventions"
SUBVENTIONS_SCHEMA = json.loads((SUBVENTIONS / "schema.json").read_text(encoding="utf-8"))
#: What the sources declare in ``conforms_to``.
SUBVENTIONS_URL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
#: Rows of the valid SCDL example; no primary key in the schema, so this identifies a grant.
DEDUP_KEY = ["idAttribuant", "dateConvention", "nomBeneficiaire", "objet"]

PLUGINS = "postgres_search territorial_consolidation"

MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.territorial_consolidation.consolidation_allowlist",
                            "127.0.0.1"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

#: Communes of Rennes Métropole used as publishers (id → organization name).
COMMUNES = {RENNES: "ville-de-rennes", BRUZ: "ville-de-bruz",
            "commune:35051": "ville-de-cesson-sevigne"}


@dataclasses.dataclass
class Portal:
    sysadmin: dict[str, Any]
    admin: dict[str, Any]
    editor: dict[str, Any]
    plain: dict[str, Any]
    org: dict[str, Any]
    communes: dict[str, dict[str, Any]]


def _few_territories(sysadmin: dict[str, Any]) -> None:
    """Bretagne, Ille-et-Vilaine, Rennes Métropole, three of its communes and Saint-Malo."""
    context = as_user(sysadmin)
    for data in (
            {"level": "region", "code": "53", "name": "Bretagne"},
            {"level": "departement", "code": "35", "name": "Ille-et-Vilaine",
             "parent_ids": ["region:53"]},
            {"level": "epci", "code": "243500139", "name": "Rennes Métropole",
             "parent_ids": ["departement:35"]},
            {"level": "commune", "code": "35238", "name": "Rennes",
             "parent_ids": [RENNES_METROPOLE, "departement:35"]},
            {"level": "commune", "code": "35047", "name": "Bruz",
             "parent_ids": [RENNES_METROPOLE, "departement:35"]},
            {"level": "commune", "code": "35051", "name": "Cesson-Sévigné",
             "parent_ids": [RENNES_METROPOLE, "departement:35"]},
            {"level": "commune", "code": "35288", "name": "Saint-Malo",
             "parent_ids": ["departement:35"]}):
        helpers.call_action("territory_create", dict(context), **data)


def make_portal(full: bool = False) -> Portal:
    """Rennes Métropole's organization and three communes', with their territories.

    ``full`` loads every territory of Ille-et-Vilaine (the 43 communes of Rennes
    Métropole); otherwise only the few the tests name are created, which is faster.
    """
    sysadmin = factories.Sysadmin()
    if full:
        load_dep35()
    else:
        _few_territories(sysadmin)
    admin, editor, plain = factories.User(), factories.User(), factories.User()
    org = factories.Organization(name="rennes-metropole", users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"}])
    communes = {}
    for territory, name in COMMUNES.items():
        communes[territory] = factories.Organization(name=name)
        helpers.call_action("territory_organization_set", as_user(sysadmin),
                            organization_id=name, territory_id=territory)
    helpers.call_action("territory_organization_set", as_user(sysadmin),
                        organization_id=org["id"], territory_id=RENNES_METROPOLE)
    return Portal(sysadmin, admin, editor, plain, org, communes)


def csv_bytes(path: pathlib.Path) -> bytes:
    return path.read_bytes()


def publish(org: dict[str, Any], data: bytes, *, conforms_to: str = SUBVENTIONS_URL,
            private: bool = False, filename: str = "subventions.csv",
            **dataset: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dataset of the organization with one uploaded CSV declaring the schema."""
    package = factories.Dataset(owner_org=org["id"], private=private, **dataset)
    resource = helpers.call_action(
        "resource_create", package_id=package["id"], name=filename, format="CSV",
        conforms_to=conforms_to,
        upload=FileStorage(io.BytesIO(data), filename=filename, content_type="text/csv"))
    return package, resource


def replace_upload(resource: dict[str, Any], data: bytes, filename: str = "subventions.csv"
                   ) -> dict[str, Any]:
    """Upload new content for a resource, as a producer updating the file."""
    return helpers.call_action(
        "resource_patch", id=resource["id"],
        upload=FileStorage(io.BytesIO(data), filename=filename, content_type="text/csv"))


def make_consolidation(portal: Portal, *, schema: Optional[dict[str, Any]] = None,
                       **kwargs: Any) -> dict[str, Any]:
    """A consolidation of SCDL subventions across Rennes Métropole, schema uploaded."""
    data: dict[str, Any] = {
        "name": "subventions-rennes-metropole", "title": "Subventions de Rennes Métropole",
        "organization_id": portal.org["id"], "schema_url": SUBVENTIONS_URL,
        "schema": SUBVENTIONS_SCHEMA if schema is None else schema,
        "scope_territory_id": RENNES_METROPOLE, "dedup_key": DEDUP_KEY, **kwargs}
    return helpers.call_action("consolidation_create", as_user(portal.sysadmin), **data)


def run_now(consolidation: dict[str, Any], user: Optional[dict[str, Any]] = None,
            portal: Optional[Portal] = None) -> dict[str, Any]:
    """Run the consolidation during the call and return the run."""
    context = as_user(user) if user else {"ignore_auth": True}
    return helpers.call_action("consolidation_run", context, id=consolidation["id"],
                               background=False)


def output_rows(run: dict[str, Any]) -> list[dict[str, str]]:
    """The rows of the file the run published."""
    import csv
    from ckan.lib import uploader

    resource = helpers.call_action("resource_show", id=run["resource_id"])
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def subventions_rows(count: int, *, attribuant: str = "21350238800019",
                     start: int = 0, objet: str = "Fonctionnement",
                     delimiter: str = ",", montant: str = "1000.50") -> str:
    """A valid SCDL subventions CSV text with ``count`` grants."""
    header = ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
              "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "objet", "montant",
              "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE",
              "notificationUE", "pourcentageSubvention", "dispositifAide"]
    lines = [delimiter.join(header)]
    for number in range(start, start + count):
        cells = ["Ville", attribuant, "2024-03-01", f"DEL-{number}", f"Association {number}",
                 "", "", objet, montant, "aide en numéraire", "unique",
                 "2024-04-01/2024-06-30", "", "non", "0.5", ""]
        lines.append(delimiter.join(cells))
    return "\n".join(lines) + "\n"
