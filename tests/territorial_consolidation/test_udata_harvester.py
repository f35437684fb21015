"""The udata / data.gouv.fr harvester against recorded API v1 answers replayed on 127.0.0.1."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.territorial_consolidation.harvesters import udata
from ckanext.territorial_consolidation.model.harvest import Provenance
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation.replay_server import (ReplayServer, UdataPortal,
                                                           dataset_of, fields_of, job_errors,
                                                           partner_marks, snapshot,
                                                           udata_record)

pytestmark = partner_marks()

ORG = udata_record(0)["organization"]["id"]
IRVE = {"name": "etalab/schema-irve-statique", "version": "2.3.0", "url": None}


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


def _source(replay: ReplayServer, path: str = f"/api/1/organizations/{ORG}/datasets/",
            **config: Any) -> dict[str, Any]:
    return harvest_setup.make_source(
        factories.Organization(), replay.url(path),
        {"territory": "epci:243500139", **config}, source_type="territorial_udata")


def test_gather_follows_next_page_to_the_end(replay: ReplayServer) -> None:
    """Five datasets listed two per page are all harvested, through next_page links."""
    UdataPortal(replay, [udata_record(i) for i in range(5)], page_size=2)
    source = _source(replay, page_size=2)

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    assert len(snapshot(source["id"])) == 5
    pages = replay.requests_to(f"/api/1/organizations/{ORG}/datasets/")
    assert [("page=2" in r, "page=3" in r) for r in pages] == [
        (False, False), (True, False), (False, True)]


def test_recorded_dataset_is_mapped(replay: ReplayServer) -> None:
    """The recorded data.gouv.fr dataset keeps its title, frequency (EU code), licence,
    resources with their udata ids, and gets territory and provenance."""
    record = udata_record(0)
    UdataPortal(replay, [record])
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    package = dataset_of(source["id"], record["id"])
    fields = fields_of(package)
    assert package["title"] == record["title"]
    assert fields["update_frequency"] == "WEEKLY"
    assert package["license_id"] == "etalab-2.0"
    assert (fields["territory_code"], fields["territorial_level"]) == ("243500139", "epci")
    assert sorted(r["remote_id"] for r in package["resources"]) == sorted(
        r["id"] for r in record["resources"])
    assert {r["format"] for r in package["resources"]} == {"CSV"}
    prov = model.Session.get(Provenance, package["id"])
    assert (prov.portal_kind, prov.remote_id, prov.remote_url) == (
        "udata", record["id"], record["page"])
    assert prov.remote_modified.isoformat().startswith("2025-04-07T08:15:30")


def test_schema_temporal_and_spatial_coverage_are_mapped(replay: ReplayServer) -> None:
    """A resource's schema becomes its conforms_to; temporal and spatial coverage become
    dataset fields."""
    record = udata_record(
        0, temporal_coverage={"start": "2020-01-01T00:00:00+00:00", "end": "2024-12-31"},
        spatial={"zones": ["fr:commune:35238"], "granularity": "fr:commune", "geom": None})
    record["resources"][0]["schema"] = IRVE
    UdataPortal(replay, [record])
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    package = dataset_of(source["id"], record["id"])
    fields = fields_of(package)
    by_remote = {r["remote_id"]: r for r in package["resources"]}
    assert by_remote[record["resources"][0]["id"]]["conforms_to"] == (
        "https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/2.3.0/schema.json")
    assert "conforms_to" not in by_remote[record["resources"][1]["id"]]
    assert (fields["temporal_start"], fields["temporal_end"]) == ("2020-01-01", "2024-12-31")
    assert (fields["spatial_zones"], fields["spatial_granularity"]) == (
        "fr:commune:35238", "fr:commune")


def test_unknown_frequency_stays_unknown(replay: ReplayServer) -> None:
    """A frequency outside udata's vocabulary is UNKNOWN, never guessed."""
    record = udata_record(0, frequency="whenever-we-can")
    UdataPortal(replay, [record])
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    assert fields_of(dataset_of(source["id"], record["id"]))["update_frequency"] == "UNKNOWN"


def test_private_deleted_and_archived_datasets_are_never_copied(replay: ReplayServer) -> None:
    """Only the public, live datasets of the listing are harvested."""
    records = [udata_record(0), udata_record(1, private=True),
               udata_record(2, deleted="2025-01-01T00:00:00"),
               udata_record(3, archived="2025-01-01T00:00:00")]
    UdataPortal(replay, records)
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    assert list(snapshot(source["id"])) == [records[0]["id"]]


def test_owner_source_lists_the_owner_datasets(replay: ReplayServer) -> None:
    """A source by owner asks ``/api/1/datasets/?owner=`` and gets that user's datasets."""
    mine = udata_record(1, organization=None, owner={"id": "5a1b2c3d4e5f60718293a4b5"})
    other = udata_record(2, organization=None, owner={"id": "ffffffffffffffffffffffff"})
    UdataPortal(replay, [mine, other])
    source = _source(replay, path="/", owner="5a1b2c3d4e5f60718293a4b5")

    harvest_setup.run_job(source["id"])

    assert list(snapshot(source["id"])) == [mine["id"]]
    assert all("owner=5a1b2c3d4e5f60718293a4b5" in r
               for r in replay.requests_to("/api/1/datasets/"))


def test_api_listing_url_is_used_as_given(replay: ReplayServer) -> None:
    """A source URL that is already an API listing (``/api/1/datasets/?organization=``)
    is paged as given, with its query kept."""
    other = udata_record(1, organization={"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "name": "Autre"})
    UdataPortal(replay, [udata_record(0), other])
    source = _source(replay, path=f"/api/1/datasets/?organization={ORG}")

    harvest_setup.run_job(source["id"])

    assert list(snapshot(source["id"])) == [udata_record(0)["id"]]
    assert all(f"organization={ORG}" in r for r in replay.requests_to("/api/1/datasets/"))


def test_source_without_organization_or_owner_records_an_error(replay: ReplayServer) -> None:
    """A portal root with neither organization nor owner ends the gather with an error
    naming what is missing, and asks the portal nothing."""
    UdataPortal(replay, [udata_record(0)])
    source = _source(replay, path="/")

    job = harvest_setup.run_job(source["id"])

    errors = job_errors(job.id)
    assert len(errors) == 1 and "organization or an owner" in errors[0]
    assert replay.requests == []


def test_invalid_organization_is_refused_naming_the_key(replay: ReplayServer) -> None:
    """An organization that is not an id or slug is a validation error on ``config``
    that names the key."""
    with pytest.raises(tk.ValidationError) as error:
        _source(replay, organization="../users/")
    assert "organization" in str(error.value.error_dict["config"])


def test_reharvest_of_an_unchanged_portal_changes_nothing(replay: ReplayServer) -> None:
    """A second run over the same answers creates no harvest object and leaves every
    dataset as it was, although the daily metrics changed upstream."""
    records = [udata_record(i) for i in range(3)]
    UdataPortal(replay, records)
    source = _source(replay)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    for record in records:
        record["metrics"]["views"] += 100
        record["quality"]["score"] = 0.5

    job = harvest_setup.run_job(source["id"])

    assert snapshot(source["id"]) == before
    assert job.objects == []


def test_changed_dataset_is_updated_with_stable_resource_ids(replay: ReplayServer) -> None:
    """A changed title and a new file upstream update the dataset; the resources that
    were there keep their local ids."""
    record = udata_record(0)
    UdataPortal(replay, [record])
    source = _source(replay)
    harvest_setup.run_job(source["id"])
    before = dataset_of(source["id"], record["id"])
    record["title"] = "Catalogue des données (mis à jour)"
    record["last_update"] = "2025-05-01T00:00:00+00:00"
    record["resources"].append({**record["resources"][0], "id": "new-resource-id",
                                "url": "https://static.data.gouv.fr/new.csv",
                                "title": "new.csv"})

    harvest_setup.run_job(source["id"])

    after = dataset_of(source["id"], record["id"])
    assert after["id"] == before["id"]
    assert after["title"] == "Catalogue des données (mis à jour)"
    ids_before = {r["remote_id"]: r["id"] for r in before["resources"]}
    ids_after = {r["remote_id"]: r["id"] for r in after["resources"]}
    assert {k: ids_after[k] for k in ids_before} == ids_before
    assert "new-resource-id" in ids_after


def test_preview_lists_remote_datasets_without_writing(replay: ReplayServer) -> None:
    """The preview maps the first N remote datasets and creates nothing."""
    UdataPortal(replay, [udata_record(i) for i in range(4)], page_size=2)
    harvester = udata.TerritorialUdataHarvester()

    packages = harvester.preview(replay.url(f"/api/1/organizations/{ORG}/datasets/"),
                                 {"territory": "commune:35238"}, 3)

    assert [p["title"] for p in packages] == [udata_record(i)["title"] for i in range(3)]
    assert fields_of(packages[0])["territory_code"] == "35238"
    assert model.Session.query(Provenance).count() == 0
