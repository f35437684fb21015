"""Duplicates across levels: grouping, precedence, mirrors hidden from search, listing."""
from __future__ import annotations

from typing import Any

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation import duplicates
from ckanext.territorial_consolidation.model import Provenance
from tests.shared import as_user
from tests.territorial_consolidation.territory_setup import (MARKS, RENNES, harvested_dataset,
                                                             load_dep35)

pytestmark = MARKS

COMMUNE_PORTAL = "https://data.rennes.example"
EPCI_PORTAL = "https://data.metropole.example"
REGION_PORTAL = "https://data.bretagne.example"
NATIONAL_PORTAL = "https://www.data.gouv.example"
SCHEMA = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"


def _canonical(dataset: dict[str, Any]) -> tuple[str | None, str | None]:
    model.Session.expire_all()
    row = Provenance.get(dataset["id"])
    assert row is not None
    return row.canonical_package_id, row.duplicate_reason


def _copies(org: dict[str, Any], **kwargs: Any) -> tuple[dict, dict, dict]:
    """The same dataset harvested from the commune, the EPCI and the national portals."""
    commune = harvested_dataset(org, COMMUNE_PORTAL, "commune", "35238", "Délibérations",
                                **kwargs)
    epci = harvested_dataset(org, EPCI_PORTAL, "epci", "243500139", "Délibérations",
                             **kwargs)
    national = harvested_dataset(org, NATIONAL_PORTAL, "national", "FR", "Délibérations",
                                 **kwargs)
    return commune, epci, national


def test_same_identifier_keeps_the_producers_copy() -> None:
    """Copies sharing a URI: the commune's own portal is canonical, the others mirror it."""
    org = factories.Organization()
    commune, epci, national = _copies(org, identifier="https://data.rennes.example/ds/1")
    result = duplicates.detect([national["id"]])
    assert result["groups"] == 1 and result["mirrors"] == 2
    assert _canonical(commune) == (None, None)
    assert _canonical(epci) == (commune["id"], "identifier")
    assert _canonical(national) == (commune["id"], "identifier")


def test_same_resource_url_groups_copies() -> None:
    """Copies sharing a resource URL are grouped, the reason being the URL."""
    org = factories.Organization()
    commune, epci, _national = _copies(org, urls=("https://files.example/delib.csv",))
    duplicates.detect([epci["id"]])
    assert _canonical(epci) == (commune["id"], "resource_url")


def test_same_schema_territory_and_title_groups_copies() -> None:
    """Same schema, territory and title (accents and case aside) make copies."""
    org = factories.Organization()
    first = harvested_dataset(org, COMMUNE_PORTAL, "commune", "35238", "Délibérations 2025",
                              schema=SCHEMA, urls=("https://a.example/1.csv",))
    second = harvested_dataset(org, NATIONAL_PORTAL, "commune", "35238",
                               "DELIBERATIONS 2025", schema=SCHEMA,
                               urls=("https://b.example/2.csv",))
    other_town = harvested_dataset(org, NATIONAL_PORTAL, "commune", "35047",
                                   "Délibérations 2025", schema=SCHEMA,
                                   urls=("https://c.example/3.csv",))
    duplicates.detect([second["id"]])
    assert _canonical(second) == (first["id"], "schema_title")
    assert _canonical(other_town) == (None, None)


def test_different_datasets_are_not_grouped() -> None:
    """Datasets sharing nothing stay canonical."""
    org = factories.Organization()
    first = harvested_dataset(org, COMMUNE_PORTAL, "commune", "35238", "Budget",
                              urls=("https://a.example/budget.csv",))
    second = harvested_dataset(org, NATIONAL_PORTAL, "national", "FR", "Budget",
                               urls=("https://b.example/budget.csv",))
    assert duplicates.detect()["groups"] == 0
    assert _canonical(first) == _canonical(second) == (None, None)


def test_a_rule_overrides_the_producer_first_policy() -> None:
    """A keyword rule giving transport to the région makes the région's copy canonical."""
    sysadmin = {"user": factories.Sysadmin()["name"]}
    helpers.call_action("responsibility_rule_create", dict(sysadmin), kind="keyword",
                        value="Transport", level="region")
    org = factories.Organization()
    url = ("https://files.example/gtfs.zip",)
    commune = harvested_dataset(org, COMMUNE_PORTAL, "commune", "35238", "Horaires",
                                urls=url, tags=("transport",))
    region = harvested_dataset(org, REGION_PORTAL, "region", "53", "Horaires", urls=url,
                               tags=("transport",))
    duplicates.detect([commune["id"]])
    assert _canonical(region) == (None, None)
    assert _canonical(commune) == (region["id"], "resource_url")


def test_local_dataset_of_the_producer_wins() -> None:
    """A local dataset of the organization standing for the territory is canonical."""
    load_dep35()
    town = factories.Organization()
    helpers.call_action("territory_organization_set", organization_id=town["id"],
                        territory_id=RENNES)
    local = factories.Dataset(owner_org=town["id"], title="Arbres", extras=[
        {"key": "identifier", "value": "https://data.rennes.example/ds/arbres"}])
    mirror = harvested_dataset(factories.Organization(), NATIONAL_PORTAL, "national", "FR",
                               "Arbres", identifier="https://data.rennes.example/ds/arbres/")
    duplicates.detect([local["id"]])
    assert _canonical(mirror) == (local["id"], "identifier")


def test_detect_is_safe_with_ids_without_provenance() -> None:
    """Unknown ids and local datasets without provenance are accepted and change nothing."""
    local = factories.Dataset()
    result = duplicates.detect([local["id"], "no-such-dataset", ""])
    assert result == {"groups": 0, "mirrors": 0, "changed": []}


def test_mirror_is_released_when_its_canonical_goes() -> None:
    """Deleting the canonical dataset makes the next detection clear its mirrors."""
    org = factories.Organization()
    commune, _epci, national = _copies(org, identifier="urn:x:delib")
    duplicates.detect([commune["id"]])
    assert _canonical(national)[0] == commune["id"]
    helpers.call_action("package_delete", id=commune["id"])
    duplicates.detect([commune["id"]])
    # The EPCI copy is now the best one left.
    assert _canonical(national)[0] == _epci["id"]
    assert _canonical(_epci) == (None, None)


def test_detection_twice_changes_nothing() -> None:
    """A second detection over the same datasets writes nothing."""
    org = factories.Organization()
    commune, _epci, _national = _copies(org, identifier="urn:x:twice")
    assert len(duplicates.detect([commune["id"]])["changed"]) == 2
    assert duplicates.detect([commune["id"]])["changed"] == []
    assert duplicates.detect()["changed"] == []


def test_mirrors_are_hidden_from_default_search() -> None:
    """Default search hides mirrors; fq on territorial_mirror or the extra shows them."""
    org = factories.Organization()
    commune, epci, national = _copies(org, identifier="urn:x:search")
    duplicates.detect([commune["id"]])
    default = helpers.call_action("package_search", q="Délibérations")
    assert [row["id"] for row in default["results"]] == [commune["id"]]
    mirrors = helpers.call_action("package_search", fq="territorial_mirror:true")
    assert {row["id"] for row in mirrors["results"]} == {epci["id"], national["id"]}
    everything = helpers.call_action("package_search", q="Délibérations",
                                     extras={"ext_territorial_mirrors": "1"})
    assert everything["count"] == 3


def test_duplicate_list_pages_and_filters_by_dataset() -> None:
    """The list gives each mirror with its canonical, pages, and filters by dataset."""
    org = factories.Organization()
    commune, epci, national = _copies(org, identifier="urn:x:list")
    duplicates.detect([commune["id"]])
    listed = helpers.call_action("territorial_duplicate_list")
    assert listed["count"] == 2
    assert {row["package_id"] for row in listed["results"]} == {epci["id"], national["id"]}
    assert {row["canonical_package_id"] for row in listed["results"]} == {commune["id"]}
    page = helpers.call_action("territorial_duplicate_list", limit=1, offset=1)
    assert page["count"] == 2 and len(page["results"]) == 1
    of_mirror = helpers.call_action("territorial_duplicate_list", package_id=national["id"])
    assert of_mirror["count"] == 2


def test_duplicate_list_hides_private_datasets() -> None:
    """Mirrors of private datasets are listed to their organization, not to others."""
    member = factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    commune, _epci, _national = _copies(org, identifier="urn:x:private", private=True)
    duplicates.detect([commune["id"]])
    assert helpers.call_action("territorial_duplicate_list", as_user(None))["count"] == 0
    assert helpers.call_action("territorial_duplicate_list",
                               as_user(factories.User()))["count"] == 0
    assert helpers.call_action("territorial_duplicate_list", as_user(member))["count"] == 2


@pytest.mark.ckan_config("ckanext.territorial_consolidation.hide_mirrors", "false")
def test_mirrors_stay_in_search_when_configured() -> None:
    """With hide_mirrors off, default search lists mirrors too."""
    org = factories.Organization()
    commune, _epci, _national = _copies(org, identifier="urn:x:shown")
    duplicates.detect([commune["id"]])
    assert helpers.call_action("package_search", q="Délibérations")["count"] == 3
