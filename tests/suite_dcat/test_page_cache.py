"""The Turtle catalogue page from cached fragments says what ckanext-dcat's whole page says."""
from __future__ import annotations

from typing import Any

import pytest
import rdflib
import redis
from rdflib.compare import isomorphic

from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from ckanext.suite_dcat import page_cache
from ckanext.territorial_consolidation import duplicates
from tests.suite_dcat.dcat_setup import (MARKS, dataset_titles, graph_of, harvested,
                                         organization_with_service)

pytestmark = MARKS

SCHEMA = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
CACHE_OFF = "ckanext.suite_dcat.page_cache_seconds"


@pytest.fixture(autouse=True)
def no_fragments():
    """Each test starts without fragments, whatever an earlier one left in Redis."""
    _forget_fragments()


def _forget_fragments() -> None:
    client = connect_to_redis()
    for key in list(client.scan_iter(f"{page_cache.KEY_PREFIX}*")):
        client.delete(key)


def _fragment_count() -> int:
    return sum(1 for _ in connect_to_redis().scan_iter(f"{page_cache.KEY_PREFIX}*"))


@pytest.fixture
def varied() -> dict[str, Any]:
    """Public datasets of every kind the profile writes: harvested with provenance and a
    mirror, one with a territory, an owner service and a schema, a bare one."""
    org = organization_with_service()
    governed = factories.Dataset(
        owner_org=org["id"], title="Délibérations du conseil", owner_service="finances",
        update_frequency="MONTHLY", last_data_update="2024-03-01", territory_code="35238",
        territorial_level="commune", license_id="etalab-2.0",
        resources=[{"url": "https://ville.example/deliberations.csv", "format": "CSV",
                    "conforms_to": SCHEMA},
                   {"url": "https://ville.example/deliberations.json", "format": "JSON"}])
    canonical = harvested(org, "https://data.rennes.example", "commune", "35238", "Arbres",
                          identifier="urn:x:arbres")
    mirror = harvested(org, "https://www.data.gouv.example", "national", "FR", "Arbres",
                       identifier="urn:x:arbres")
    duplicates.detect([canonical["id"], mirror["id"]])
    bare = factories.Dataset(owner_org=org["id"], title="Sans rien")
    return {"org": org, "governed": governed, "canonical": canonical, "bare": bare}


def _page(app, url: str = "/catalog.ttl") -> rdflib.Graph:
    response = app.get(url)
    assert response.status_code == 200, response.body[:300]
    return graph_of(response.body, "ttl")


def _whole_page(app, url: str = "/catalog.ttl") -> rdflib.Graph:
    """The page as ckanext-dcat writes it whole, the cache off."""
    with helpers.changed_config(CACHE_OFF, 0):
        return _page(app, url)


def test_cached_page_is_the_same_graph_as_the_whole_page(app, varied):
    """Written from fresh fragments, then from cached ones, the page is isomorphic to
    ckanext-dcat's whole page."""
    whole = _whole_page(app)
    assert _fragment_count() == 0
    cold = _page(app)
    assert _fragment_count() == 3  # the mirror is hidden from search
    warm = _page(app)
    assert isomorphic(cold, whole)
    assert isomorphic(warm, whole)
    assert dataset_titles(warm) == {"Délibérations du conseil", "Arbres", "Sans rien"}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
@pytest.mark.parametrize("query", ["?page=2", "?q=Arbres", "?modified_since=2000-01-01&page=1"])
def test_paging_is_the_same_as_the_whole_page(app, varied, query):
    """Hydra paging links, query and date carried, are those of ckanext-dcat."""
    url = f"/catalog.ttl{query}"
    whole = _whole_page(app, url)
    assert isomorphic(_page(app, url), whole)
    assert isomorphic(_page(app, url), whole)


def test_updated_dataset_gets_a_new_fragment(app, varied):
    """After an update the page shows the dataset's new title, not its cached one."""
    _page(app)
    helpers.call_action("package_patch", id=varied["bare"]["id"], title="Renommé")
    titles = dataset_titles(_page(app))
    assert "Renommé" in titles and "Sans rien" not in titles


def test_service_contact_change_gets_a_new_fragment(app, varied):
    """A new mailbox of the owner service shows on the next page, though the dataset did
    not change."""
    _page(app)
    service = helpers.call_action("governance_service_show", id="finances",
                                  organization_id=varied["org"]["id"])
    helpers.call_action("governance_service_update", id=service["id"],
                        email="budget@ville.example")
    graph = _page(app)
    mailboxes = {str(mailbox) for mailbox in graph.objects(None, VCARD.hasEmail)}
    assert mailboxes == {"mailto:budget@ville.example"}


def test_provenance_change_gets_a_new_fragment(app, varied):
    """A new identifier in a harvested dataset's provenance shows on the next page, though
    the dataset's record did not change."""
    from ckan import model
    from ckanext.territorial_consolidation.model import Provenance

    _page(app)
    provenance = Provenance.get(varied["canonical"]["id"])
    provenance.identifier = "urn:x:arbres-2"
    model.Session.commit()
    notations = {str(value) for value in _page(app).objects(
        None, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#notation"))}
    assert "urn:x:arbres-2" in notations
    assert isomorphic(_page(app), _whole_page(app))


def test_dataset_made_private_leaves_the_page(app, varied):
    """A dataset made private after its fragment was cached is not on the page."""
    _page(app)
    helpers.call_action("package_patch", id=varied["bare"]["id"], private=True)
    assert "Sans rien" not in dataset_titles(_page(app))


def test_withdrawn_dataset_leaves_the_page(app, varied):
    """A deleted dataset whose fragment was cached is not on the page."""
    _page(app)
    helpers.call_action("package_delete", id=varied["bare"]["id"])
    assert "Sans rien" not in dataset_titles(_page(app))


def test_page_is_served_when_redis_is_down(app, varied, monkeypatch):
    """Without Redis the page is written whole each time, and is still right."""
    whole = _whole_page(app)
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    monkeypatch.setattr(page_cache, "connect_to_redis", lambda: down)
    assert isomorphic(_page(app), whole)
    assert isomorphic(_page(app), whole)


def test_blank_nodes_of_fragments_do_not_clash(app, varied):
    """Every dataset's contact and identifier stay its own on the page, and a blank node
    rdflib has to label is named after its dataset."""
    _page(app)
    graph = _page(app)
    owners: dict[rdflib.BNode, set] = {}
    for subject, _predicate, node in graph:
        if isinstance(node, rdflib.BNode) and isinstance(subject, rdflib.URIRef):
            owners.setdefault(node, set()).add(subject)
    assert owners and all(len(subjects) == 1 for subjects in owners.values())
    fragments = []
    for dataset_id in ("a-1", "b-2"):
        fragment = rdflib.Graph()
        shared = rdflib.BNode("N1")  # the same label in both, referenced twice in each
        for subject in ("http://x/s1", "http://x/s2"):
            fragment.add((rdflib.URIRef(subject), VCARD.hasAddress, shared))
        page_cache._relabel_blank_nodes(fragment, dataset_id)
        fragments.append({node for node in fragment.objects() if isinstance(node, rdflib.BNode)})
    assert [len(nodes) for nodes in fragments] == [1, 1]
    assert fragments[0].isdisjoint(fragments[1])
    assert str(next(iter(fragments[0]))).startswith("ba1")


def test_other_formats_are_not_cached(app, varied):
    """Only Turtle pages use fragments."""
    for fmt in ("rdf", "jsonld", "xml"):
        assert app.get(f"/catalog.{fmt}").status_code == 200
    assert _fragment_count() == 0


def _warm(*args: str):
    from click.testing import CliRunner

    from ckanext.suite_dcat.cli import suite_dcat
    return CliRunner().invoke(suite_dcat, ["warm", *args])


def test_warm_writes_the_fragments_a_visitor_s_page_then_finds(app, varied, monkeypatch):
    """After ``ckan suite-dcat warm``, an anonymous page request writes no fragment, and
    the page is still ckanext-dcat's."""
    private = factories.Dataset(owner_org=varied["org"]["id"], title="Privé", private=True)
    whole = _whole_page(app)
    result = _warm()
    assert result.exit_code == 0, result.output + repr(result.exception)
    public = len(dataset_titles(whole))
    assert f"1 page(s), {public} dataset(s): {public} fragment(s) written, 0 kept." in result.output
    assert _fragment_count() == public
    assert not any(private["id"] in key for key in _fragment_keys())
    written = []
    real = page_cache._written
    monkeypatch.setattr(page_cache, "_written",
                        lambda *args: written.append(args) or real(*args))
    assert isomorphic(_page(app), whole)
    assert written == []


def _fragment_keys() -> list[str]:
    return [key.decode() for key in connect_to_redis().scan_iter(f"{page_cache.KEY_PREFIX}*")]


def test_warm_keeps_the_fragments_it_finds_another_period(app, varied):
    _warm()
    client = connect_to_redis()
    for key in _fragment_keys():
        client.expire(key, 60)
    result = _warm()
    assert "0 fragment(s) written" in result.output
    assert all(client.ttl(key) > 3600 for key in _fragment_keys())


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_warm_walks_every_page(app, varied):
    result = _warm()
    assert result.exit_code == 0, result.output + repr(result.exception)
    hydra_total = rdflib.URIRef("http://www.w3.org/ns/hydra/core#totalItems")
    count = int(next(_whole_page(app).objects(None, hydra_total)))
    pages = -(-count // 2)
    assert pages >= 2
    assert f"{pages} page(s), {count} dataset(s): {count} fragment(s) written" in result.output


def test_warm_with_the_cache_off_says_so(app, varied):
    with helpers.changed_config(CACHE_OFF, 0):
        result = _warm()
    assert result.exit_code == 1
    assert "The fragment cache is off" in result.output
    assert _fragment_count() == 0
