"""The fingerprint of a dataset's triples, by which a DCAT re-harvest knows an unchanged
record without reading it, and the re-harvest of a changed one."""
from __future__ import annotations

from typing import Iterator

import pytest
import rdflib
from rdflib.namespace import DCAT

from ckan.tests import factories

from ckanext.territorial_consolidation.harvesters import dcat
from ckanext.territorial_consolidation.harvesters.rdf_fingerprint import fingerprint
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation.replay_server import (DcatPortal, ReplayServer,
                                                           dataset_of, job_errors,
                                                           partner_marks)

pytestmark = partner_marks()

BASE = "https://partner.example/catalog"
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
"""
ARBRES = """<https://partner.example/ds/1> a dcat:Dataset ; dct:title "Arbres"@fr ;
    dct:identifier "arbres" ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Service des espaces verts" ] ;
    dcat:distribution [ dcat:downloadURL <https://partner.example/arbres.csv> ;
                        dct:format "CSV" ],
                      [ dcat:downloadURL <https://partner.example/arbres.json> ;
                        dct:format "JSON" ],
                      <https://partner.example/ds/1/shp> .
<https://partner.example/ds/1/shp> a dcat:Distribution ;
    dcat:downloadURL <https://partner.example/arbres.zip> .
"""
BANCS = """<https://partner.example/ds/2> a dcat:Dataset ; dct:title "Bancs"@fr ;
    dct:identifier "bancs" .
"""


def _fingerprint(turtle: str, uri: str = "https://partner.example/ds/1") -> str:
    graph = dcat.parse_page((PREFIXES + turtle).encode(), "turtle", BASE)
    return fingerprint(graph, rdflib.URIRef(uri))


def test_same_description_parsed_again_has_the_same_fingerprint() -> None:
    """Blank nodes get new ids at every parse and the order of statements may change:
    neither changes the fingerprint."""
    reordered = ARBRES.replace(
        'dct:title "Arbres"@fr ;\n    dct:identifier "arbres" ;',
        'dct:identifier "arbres" ;\n    dct:title "Arbres"@fr ;')
    assert reordered != ARBRES

    assert _fingerprint(ARBRES) == _fingerprint(ARBRES) == _fingerprint(BANCS + reordered)


def test_swapping_values_between_blank_distributions_changes_it() -> None:
    """Two blank distributions whose formats are swapped are another description,
    though the same statements appear in it."""
    swapped = (ARBRES.replace('dct:format "CSV"', 'dct:format "TMP"')
               .replace('dct:format "JSON"', 'dct:format "CSV"')
               .replace('dct:format "TMP"', 'dct:format "JSON"'))

    assert _fingerprint(swapped) != _fingerprint(ARBRES)


@pytest.mark.parametrize("change", [
    ('arbres.zip', 'arbres-2024.zip'),          # a distribution named by its URI
    ('"Service des espaces verts"', '"Voirie"'),  # a nested blank node
    ('"Arbres"@fr', '"Arbres"@en'),              # a literal's language
    ('dct:identifier "arbres" ;', ''),           # a statement removed
])
def test_any_change_a_reading_could_see_changes_it(change: tuple[str, str]) -> None:
    """A change in the dataset's own statements or in a node it leads to gives another
    fingerprint."""
    changed = ARBRES.replace(*change)
    assert changed != ARBRES

    assert _fingerprint(changed) != _fingerprint(ARBRES)


def test_other_datasets_of_the_page_do_not_count() -> None:
    """Another dataset of the page, even one the dataset links to, is not part of its
    description."""
    linked = ARBRES.replace('dct:identifier "arbres" ;',
                            'dct:identifier "arbres" ; dct:relation <https://partner.example/ds/2> ;')

    assert (_fingerprint(linked + BANCS)
            == _fingerprint(linked + BANCS.replace('"Bancs"', '"Bancs publics"')))


def test_unchanged_records_are_hashed_without_being_read() -> None:
    """The content hash of a DCAT record comes from its fingerprint: the same page read
    twice gives the same hashes, and no record is read through the profiles for it."""
    body = (PREFIXES + ARBRES + BANCS).encode()
    harvester = dcat.TerritorialDcatHarvester()

    def hashes() -> dict[str, str]:
        remotes = list(harvester.remote_datasets(dcat.parse_page(body, "turtle", BASE)))
        digests = {remote.remote_id: remote.content_hash({}) for remote in remotes}
        assert all(remote.read is not None for remote in remotes)  # none was read
        return digests

    first = hashes()
    assert sorted(first) == ["arbres", "bancs"]
    assert hashes() == first


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


def test_reharvest_imports_a_record_whose_distribution_changed(replay: ReplayServer) -> None:
    """When only a distribution's download URL changes on the partner, the re-harvest
    imports that record again, and only that one."""
    portal = DcatPortal(replay, fmt="turtle", per_page=3)
    source = harvest_setup.make_source(
        factories.Organization(), replay.url(DcatPortal.PATH), {"territory": "region:53"},
        source_type="territorial_dcat")
    harvest_setup.run_job(source["id"])
    dataset = next(node for node in portal.datasets()
                   if list(portal.graph.objects(node, DCAT.distribution)))
    distribution = next(portal.graph.objects(dataset, DCAT.distribution))
    old_url = next(portal.graph.objects(distribution, DCAT.downloadURL), None) or next(
        portal.graph.objects(distribution, DCAT.accessURL))
    new_url = rdflib.URIRef(str(old_url) + "?v=2")
    for predicate in (DCAT.downloadURL, DCAT.accessURL):
        if (distribution, predicate, old_url) in portal.graph:
            portal.graph.remove((distribution, predicate, old_url))
            portal.graph.add((distribution, predicate, new_url))

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    (changed,) = job.objects
    urls = [r["url"] for r in dataset_of(source["id"], changed.guid)["resources"]]
    assert str(new_url) in urls and str(old_url) not in urls
