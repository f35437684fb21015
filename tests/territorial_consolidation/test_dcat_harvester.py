"""The DCAT-AP harvester against recorded DCAT examples replayed on 127.0.0.1 in three syntaxes."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation.harvesters import dcat
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation import replay_server as rs
from tests.territorial_consolidation.replay_server import (DcatPortal, ReplayServer,
                                                           dataset_of, fields_of, job_errors,
                                                           partner_marks, snapshot)

pytestmark = partner_marks()

HEALTH = "http://example.com/dataset/1234567890"
EXAMPLE_1 = "https://data.some.org/catalog/datasets/1"
EXAMPLE_2 = "https://data.some.org/catalog/datasets/2"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


def _source(replay: ReplayServer, **config: Any) -> dict[str, Any]:
    return harvest_setup.make_source(
        factories.Organization(), replay.url(DcatPortal.PATH),
        {"territory": "region:53", **config}, source_type="territorial_dcat")


@pytest.mark.parametrize("fmt, hydra", [("xml", "nextPage"), ("turtle", "next"),
                                        ("json-ld", "nextPage")])
def test_every_syntax_is_harvested_through_hydra_pages(replay: ReplayServer, fmt: str,
                                                       hydra: str) -> None:
    """RDF/XML, Turtle and JSON-LD catalogues, one dataset per page, are read to the
    last Hydra page."""
    DcatPortal(replay, fmt=fmt, per_page=1, hydra=hydra)
    source = _source(replay)

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    assert sorted(snapshot(source["id"])) == [HEALTH, EXAMPLE_1, EXAMPLE_2]
    assert len(replay.requests_to(DcatPortal.PATH)) == 3


def test_dcat_ap_dataset_is_mapped(replay: ReplayServer) -> None:
    """The full DCAT-AP example keeps its identifier, EU frequency code, temporal and
    spatial coverage, licence, and its distribution's conformsTo."""
    DcatPortal(replay, fmt="turtle", per_page=3)
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    package = dataset_of(source["id"], HEALTH)
    fields = fields_of(package)
    assert package["title"] == "HealthDCAT-AP test dataset"
    assert fields["update_frequency"] == "DAILY"
    assert (fields["temporal_start"], fields["temporal_end"]) == ("2020-03-01", "2024-12-31")
    assert fields["spatial_zones"] == (
        "http://publications.europa.eu/resource/authority/country/BEL")
    assert fields["dcat_identifier"] == HEALTH
    # CC BY-NC: not an open licence, the register's "other-closed".
    assert package["license_id"] == "other-closed"
    (resource,) = package["resources"]
    assert resource["format"] == "CSV"
    assert resource["conforms_to"] == "http://example.org/spec"
    assert resource["remote_id"] == "http://example.com/analytics"
    assert sorted(t["name"] for t in package["tags"]) == ["Test 1", "Test 2"]


def test_distribution_formats_and_urls(replay: ReplayServer) -> None:
    """Formats come from the media type, a dct:IMT node or a literal; a distribution
    without downloadURL uses its accessURL."""
    DcatPortal(replay, fmt="xml", per_page=3)
    source = _source(replay)

    harvest_setup.run_job(source["id"])

    first = dataset_of(source["id"], EXAMPLE_1)
    assert sorted((r["format"], r["url"]) for r in first["resources"]) == [
        ("", "https://data.some.org/the/actual/catalog/link/to/an/api"),
        ("CSV", "https://data.some.org/the/actual/catalog/datasets/1/resources/1.csv"),
        ("PDF", "https://data.some.org/the/actual/catalog/datasets/1/resources/2.pdf"),
    ]
    second = dataset_of(source["id"], EXAMPLE_2)
    assert sorted(r["format"] for r in second["resources"]) == ["HTML", "PDF"]
    assert fields_of(second)["update_frequency"] == "UNKNOWN"
    assert first["license_id"] == "notspecified"


def test_reharvest_of_an_unchanged_catalogue_changes_nothing(replay: ReplayServer) -> None:
    """Blank nodes get new ids at every parse, yet a second run sees nothing changed."""
    DcatPortal(replay, fmt="turtle", per_page=2)
    source = _source(replay)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])

    job = harvest_setup.run_job(source["id"])

    assert snapshot(source["id"]) == before
    assert job.objects == []


def test_page_over_the_size_cap_stops_the_gather(replay: ReplayServer) -> None:
    """A page larger than the source's ``max_page_bytes`` is an error of the job and
    creates nothing."""
    DcatPortal(replay, fmt="xml", per_page=3)
    source = _source(replay, max_page_bytes=4096)

    job = harvest_setup.run_job(source["id"])

    errors = job_errors(job.id)
    assert len(errors) == 1 and "4096" in errors[0]
    assert snapshot(source["id"]) == {}


def test_preview_action_reports_invalid_rdf_on_the_url(replay: ReplayServer) -> None:
    """Previewing a catalogue that is not valid RDF is a validation error on ``url``,
    not a server error."""
    replay.add("/catalog.ttl", rs.Reply(body=b"@prefix broken", content_type="text/turtle"))
    sysadmin = factories.Sysadmin()

    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_harvest_preview", {"user": sysadmin["name"]},
                            url=replay.url("/catalog.ttl"), source_type="territorial_dcat",
                            config="{}")

    assert "not valid turtle" in str(error.value.error_dict["url"])


def test_untyped_listed_datasets_are_read_when_described() -> None:
    """A dataset the catalogue lists without ``a dcat:Dataset`` is read when the page
    describes it; one only listed (described elsewhere) is not invented."""
    page = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <https://partner.example/catalog> a dcat:Catalog ;
        dcat:dataset <https://partner.example/ds/1>, <https://partner.example/ds/2> .
    <https://partner.example/ds/1> dct:title "Arbres" ."""
    graph = dcat.parse_page(page, "turtle", "https://partner.example/catalog")

    assert [r["uri"] for r in dcat.dataset_records(graph)] == ["https://partner.example/ds/1"]


def test_rdf_xml_with_a_doctype_is_refused() -> None:
    """RDF/XML declaring a DTD (entities) is refused before parsing."""
    body = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM '
            b'"http://169.254.169.254/">]><rdf:RDF '
            b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>')
    with pytest.raises(dcat.HarvestFetchError, match="DOCTYPE"):
        dcat.parse_page(body, "xml", "http://partner.example/catalog.rdf")


def test_invalid_rdf_format_is_refused_naming_the_key(replay: ReplayServer) -> None:
    """An ``rdf_format`` outside xml, turtle and json-ld is refused, naming the key."""
    with pytest.raises(tk.ValidationError) as error:
        _source(replay, rdf_format="n-quads")
    assert "rdf_format" in str(error.value.error_dict["config"])


LICENCES = {
    "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0": "cc-by-4.0",
    "http://publications.europa.eu/resource/authority/licence/ODC_BL": "odc-odbl",
    "http://publications.europa.eu/resource/authority/licence/ODBL": "odc-odbl",
    "http://publications.europa.eu/resource/authority/licence/CC0": "cc-zero",
    "http://publications.europa.eu/resource/authority/licence/CC_BY_3_0": "notspecified",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence": "etalab-2.0",
    "https://data.some.org/link/to/license": "notspecified",
}


def test_licence_uris() -> None:
    """EU authority and Etalab licence URIs map to the portal's ids; others are not
    guessed."""
    assert {value: dcat.licence(value) for value in LICENCES} == LICENCES
