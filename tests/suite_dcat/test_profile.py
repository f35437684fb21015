"""The suite's DCAT profile writes what the portal knows, and reads it back."""
from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import RDF, SKOS, XSD

from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFParser

from ckanext.territorial_consolidation import duplicates
from tests.opendata_governance import gate_setup
from tests.suite_dcat.dcat_setup import (DCAT, DCT, MARKS, graph_of, harvested,
                                         organization_with_service)

pytestmark = MARKS

ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SCHEMA = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
ETALAB = "http://publications.europa.eu/resource/authority/licence/ETALAB_2_0"
PROFILES = ["euro_dcat_ap_3", "suite_dcat"]


@pytest.fixture
def governed():
    """A dataset of the portal's schema, owned by a service with a shared mailbox, whose
    maintainer and data steward are people with their own addresses."""
    org = organization_with_service()
    dataset = factories.Dataset(
        owner_org=org["id"], title="Délibérations du conseil", owner_service="finances",
        maintainer="Jean Dupont", maintainer_email="jean.dupont@ville.example",
        data_steward="marie.martin@ville.example", update_frequency="MONTHLY",
        last_data_update="2024-03-01", territory_code="35238", territorial_level="commune",
        license_id="etalab-2.0",
        resources=[{"url": "https://ville.example/deliberations.csv", "format": "CSV",
                    "conforms_to": SCHEMA}])
    return dataset


def _record(app, dataset, fmt="ttl"):
    response = app.get(f"/dataset/{dataset['name']}.{fmt}")
    assert response.status_code == 200
    graph = graph_of(response.body, fmt)
    return response.body, graph, graph.value(predicate=RDF.type, object=DCAT.Dataset)


def test_frequency_is_the_eu_frequency_uri(app, governed):
    """update_frequency MONTHLY is dct:accrualPeriodicity <…/frequency/MONTHLY>, alone."""
    _body, graph, ref = _record(app, governed)
    assert list(graph.objects(ref, DCT.accrualPeriodicity)) == [
        rdflib.URIRef("http://publications.europa.eu/resource/authority/frequency/MONTHLY")]


def test_last_data_update_is_dct_modified(app, governed):
    """last_data_update is the dataset's one dct:modified, an xsd:date."""
    _body, graph, ref = _record(app, governed)
    assert list(graph.objects(ref, DCT.modified)) == [
        rdflib.Literal("2024-03-01", datatype=XSD.date)]


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_contact_point_is_the_owner_service_never_a_person(app, governed, fmt):
    """The contact point is the service's vCard organisation and mailbox; neither the
    maintainer's nor the data steward's address appears anywhere."""
    body, graph, ref = _record(app, governed, fmt)
    contacts = list(graph.objects(ref, DCAT.contactPoint))
    assert len(contacts) == 1
    assert (contacts[0], RDF.type, VCARD.Organization) in graph
    assert str(graph.value(contacts[0], VCARD.fn)) == "Direction des finances"
    assert graph.value(contacts[0], VCARD.hasEmail) == rdflib.URIRef(
        "mailto:finances@ville.example")
    assert "jean.dupont@" not in body and "marie.martin@" not in body


def test_no_service_means_no_contact_point(app):
    """A dataset without an owner service has no contact point, even with a maintainer address."""
    dataset = factories.Dataset(maintainer_email="jean.dupont@ville.example")
    body, graph, ref = _record(app, dataset)
    assert list(graph.objects(ref, DCAT.contactPoint)) == []
    assert "jean.dupont@" not in body


def test_territory_is_the_insee_uri(app, governed):
    """Commune 35238 is dct:spatial <http://id.insee.fr/geo/commune/35238>."""
    _body, graph, ref = _record(app, governed)
    assert rdflib.URIRef("http://id.insee.fr/geo/commune/35238") in set(
        graph.objects(ref, DCT.spatial))


def test_distribution_has_licence_uri_and_schema(app, governed):
    """The distribution's licence is the EU URI of Licence Ouverte 2.0; its schema is dct:conformsTo."""
    _body, graph, ref = _record(app, governed)
    distribution = graph.value(ref, DCAT.distribution)
    assert list(graph.objects(distribution, DCT.license)) == [rdflib.URIRef(ETALAB)]
    assert list(graph.objects(distribution, DCT.conformsTo)) == [rdflib.URIRef(SCHEMA)]


def test_harvested_dataset_names_its_source(app):
    """A harvested dataset carries dct:source (the partner's page) and adms:identifier."""
    org = factories.Organization()
    gate_setup.switch_gate(org["id"], False)
    dataset = harvested(org, "https://data.rennes.example", "commune", "35238", "Arbres",
                        identifier="urn:rennes:arbres")
    _body, graph, ref = _record(app, dataset)
    assert graph.value(ref, DCT.source) == rdflib.URIRef(
        f"https://data.rennes.example/dataset/{dataset['name']}")
    identifier = graph.value(ref, ADMS.identifier)
    assert str(graph.value(identifier, SKOS.notation)) == "urn:rennes:arbres"


def test_mirror_points_to_its_canonical_copy(app):
    """A mirror's record names the canonical copy with prov:alternateOf."""
    org = factories.Organization()
    gate_setup.switch_gate(org["id"], False)
    canonical = harvested(org, "https://data.rennes.example", "commune", "35238", "Arbres",
                          identifier="urn:x:arbres")
    mirror = harvested(org, "https://www.data.gouv.example", "national", "FR", "Arbres",
                       identifier="urn:x:arbres")
    duplicates.detect([canonical["id"], mirror["id"]])
    _body, graph, ref = _record(app, mirror)
    assert str(graph.value(ref, PROV.alternateOf)).endswith(f"/dataset/{canonical['id']}")


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_parser_reads_the_record_back(app, governed, fmt):
    """ckanext-dcat's parser with the suite profile gives back the governance fields."""
    body, _graph, _ref = _record(app, governed, fmt)
    parser = RDFParser(profiles=PROFILES)
    parser.parse(body, _format={"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}[fmt])
    [parsed] = list(parser.datasets())
    assert parsed["title"] == "Délibérations du conseil"
    assert parsed["update_frequency"] == "MONTHLY"
    assert parsed["last_data_update"] == "2024-03-01"
    assert (parsed["territorial_level"], parsed["territory_code"]) == ("commune", "35238")
    assert parsed["license_id"] == "etalab-2.0"
    assert parsed["resources"][0]["conforms_to"] == SCHEMA
    extras = {extra["key"]: extra["value"] for extra in parsed.get("extras", [])}
    assert extras["contact_name"] == "Direction des finances"
    assert extras["contact_email"] == "finances@ville.example"


def test_parser_reads_provenance_back(app):
    """The parser gives back a harvested record's source and identifier."""
    org = factories.Organization()
    gate_setup.switch_gate(org["id"], False)
    dataset = harvested(org, "https://data.rennes.example", "epci", "243500139", "Arbres",
                        identifier="urn:rennes:arbres")
    body, _graph, _ref = _record(app, dataset)
    parser = RDFParser(profiles=PROFILES)
    parser.parse(body, _format="turtle")
    [parsed] = list(parser.datasets())
    assert parsed["suite_provenance"]["identifier"] == "urn:rennes:arbres"
    assert parsed["suite_provenance"]["source"].startswith("https://data.rennes.example/")
    assert (parsed["territorial_level"], parsed["territory_code"]) == ("epci", "243500139")


def test_catalogue_page_carries_the_profile(app, governed):
    """The catalogue's datasets go through the same profile as their records."""
    graph = graph_of(app.get("/catalog.ttl").body, "ttl")
    ref = graph.value(predicate=RDF.type, object=DCAT.Dataset)
    assert graph.value(ref, DCT.accrualPeriodicity) == rdflib.URIRef(
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY")
    assert str(graph.value(graph.value(ref, DCAT.contactPoint), VCARD.fn)) == \
        "Direction des finances"


def test_contact_follows_a_change_of_the_service_mailbox(app, governed):
    """A new mailbox of the service shows on the next request: no stale cache."""
    _record(app, governed)
    service = helpers.call_action("governance_service_show", id="finances",
                                  organization_id=governed["owner_org"])
    helpers.call_action("governance_service_update", id=service["id"],
                        email="budget@ville.example")
    body, _graph, _ref = _record(app, governed)
    assert "mailto:budget@ville.example" in body
    assert "finances@ville.example" not in body
