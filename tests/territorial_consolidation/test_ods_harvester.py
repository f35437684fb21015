"""The OpenDataSoft harvester against recorded Explore API v2.1 answers replayed on 127.0.0.1."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation.harvesters import ods, vocab_ods
from ckanext.territorial_consolidation.model.harvest import Provenance
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation.replay_server import (OdsPortal, ReplayServer,
                                                           dataset_of, fields_of, job_errors,
                                                           ods_recorded, partner_marks,
                                                           snapshot)

pytestmark = partner_marks()

WORLD = "world-administrative-boundaries-countries-and-territories"
GEONAMES = "geonames-all-cities-with-a-population-1000"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


def _source(replay: ReplayServer, **config: Any) -> dict[str, Any]:
    return harvest_setup.make_source(
        factories.Organization(), replay.url("/"),
        {"territory": "departement:35", **config}, source_type="territorial_ods")


def test_catalogue_is_paged_by_offset(replay: ReplayServer) -> None:
    """With one dataset per page, the harvester asks offsets 0 and 1 and gets both."""
    OdsPortal(replay, ods_recorded())
    source = _source(replay, page_size=1)

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    assert sorted(snapshot(source["id"])) == [GEONAMES, WORLD]
    offsets = [r.split("offset=")[1].split("&")[0]
               for r in replay.requests_to(OdsPortal.PATH)]
    assert offsets == ["0", "1"]


def test_where_filter_is_sent_and_applied(replay: ReplayServer) -> None:
    """The source's ODSQL ``where`` goes to the catalogue, which returns only matches."""
    OdsPortal(replay, ods_recorded())
    source = _source(replay, where='publisher="GeoNames"')

    harvest_setup.run_job(source["id"])

    assert list(snapshot(source["id"])) == [GEONAMES]
    assert all("where=publisher%3D%22GeoNames%22" in r
               for r in replay.requests_to(OdsPortal.PATH))


def test_exports_become_resources(replay: ReplayServer) -> None:
    """A dataset with records and a geometry gets its CSV, JSON and GeoJSON exports as
    resources, each with a stable remote id."""
    OdsPortal(replay, ods_recorded())
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    package = dataset_of(source["id"], GEONAMES)
    base = replay.url(f"{ods.CATALOG_PATH}/{GEONAMES}/exports/")
    assert sorted((r["format"], r["url"], r["remote_id"]) for r in package["resources"]) == [
        ("CSV", base + "csv", f"{GEONAMES}/exports/csv"),
        ("GeoJSON", base + "geojson", f"{GEONAMES}/exports/geojson"),
        ("JSON", base + "json", f"{GEONAMES}/exports/json"),
    ]


def test_default_metas_are_mapped(replay: ReplayServer) -> None:
    """Title, HTML description as text, keywords, licence, publisher and theme come from
    metas.default; territory from the source."""
    OdsPortal(replay, ods_recorded())
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    package = dataset_of(source["id"], GEONAMES)
    fields = fields_of(package)
    assert package["title"] == "Geonames - All Cities with a population > 1000"
    assert package["notes"].startswith("All cities with a population > 1000")
    assert "<p>" not in package["notes"]
    assert "(http://www.geonames.org/data-sources.html)" in package["notes"]
    assert sorted(t["name"] for t in package["tags"]) == ["Geonames", "city", "world"]
    assert package["license_id"] == "cc-by-4.0"
    assert fields["publisher"] == "GeoNames"
    assert fields["theme"] == "Administration, Government, Public finances, Citizenship"
    assert (fields["territory_code"], fields["territorial_level"]) == ("35", "departement")
    assert package["url"] == replay.url(f"/explore/dataset/{GEONAMES}/")


def test_unrecognised_licence_is_not_guessed(replay: ReplayServer) -> None:
    """A licence outside the portal's list ("Open Government Licence v3.0") is
    ``notspecified``."""
    OdsPortal(replay, ods_recorded())
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    assert dataset_of(source["id"], WORLD)["license_id"] == "notspecified"


def test_free_text_frequency_is_mapped(replay: ReplayServer) -> None:
    """``dcat.accrualperiodicity`` in French free text becomes its EU code; a dataset
    without one is UNKNOWN."""
    records = ods_recorded()
    records[1]["metas"]["dcat"] = {"accrualperiodicity": "Mise à jour mensuelle"}
    OdsPortal(replay, records)
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    assert fields_of(dataset_of(source["id"], records[1]["dataset_id"]))[
        "update_frequency"] == "MONTHLY"
    assert fields_of(dataset_of(source["id"], records[0]["dataset_id"]))[
        "update_frequency"] == "UNKNOWN"


def test_custom_frequency_meta_is_read(replay: ReplayServer) -> None:
    """A source naming a custom metadata for the frequency gets it mapped."""
    records = ods_recorded()
    records[0]["metas"]["custom"] = {"frequence": "Annuelle"}
    OdsPortal(replay, records)
    source = _source(replay, frequency_meta="custom.frequence")

    harvest_setup.run_job(source["id"])

    assert fields_of(dataset_of(source["id"], records[0]["dataset_id"]))[
        "update_frequency"] == "ANNUAL"


FREE_TEXT = {
    "Quotidienne": "DAILY", "Temps réel": "CONT", "Tous les ans": "ANNUAL",
    "MAJ : hebdomadaire": "WEEKLY", "semestrielle": "ANNUAL_2", "Ponctuelle": "NEVER",
    "http://publications.europa.eu/resource/authority/frequency/QUARTERLY": "QUARTERLY",
    "quand on peut": "UNKNOWN", "": "UNKNOWN",
}


def test_free_text_frequencies() -> None:
    """Publishers' wordings map to the EU code they mean; anything else is UNKNOWN."""
    assert {text: vocab_ods.frequency(text) for text in FREE_TEXT} == FREE_TEXT


def test_invalid_frequency_meta_is_refused_naming_the_key(replay: ReplayServer) -> None:
    """A ``frequency_meta`` that is not ``template.name`` is refused, naming the key."""
    with pytest.raises(tk.ValidationError) as error:
        _source(replay, frequency_meta="frequence")
    assert "frequency_meta" in str(error.value.error_dict["config"])


def test_reharvest_ignores_record_counts(replay: ReplayServer) -> None:
    """A second run where only the record counts moved changes no dataset."""
    records = ods_recorded()
    OdsPortal(replay, records)
    source = _source(replay)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    for record in records:
        record["metas"]["default"]["records_count"] += 10
        record["metas"]["default"]["data_processed"] = "2026-01-01T00:00:00+00:00"

    job = harvest_setup.run_job(source["id"])

    assert snapshot(source["id"]) == before
    assert job.objects == []


def test_preview_action_shows_the_first_datasets(replay: ReplayServer) -> None:
    """``territorial_harvest_preview`` on an ODS URL maps the first dataset and writes
    nothing."""
    OdsPortal(replay, ods_recorded())
    sysadmin = factories.Sysadmin()

    result = helpers.call_action(
        "territorial_harvest_preview", {"user": sysadmin["name"]}, url=replay.url("/"),
        source_type="territorial_ods", config='{"territory": "departement:35"}', limit=1)

    assert result["count"] == 1
    assert result["results"][0]["title"] == (
        "World Administrative Boundaries - Countries and Territories")
    assert len(replay.requests_to(OdsPortal.PATH)) == 1
    assert model.Session.query(Provenance).count() == 0
