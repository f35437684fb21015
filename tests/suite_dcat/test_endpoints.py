"""The catalogue and dataset endpoints of ckanext-dcat, through the real app."""
from __future__ import annotations

import pytest
import rdflib

from ckan.tests import factories

from tests.suite_dcat.dcat_setup import DCAT, DCT, HYDRA, MARKS, dataset_titles, graph_of

pytestmark = MARKS


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld", "xml"])
def test_catalogue_lists_public_datasets_in_each_format(app, fmt):
    """/catalog.<format> answers a DCAT catalogue holding the public datasets."""
    factories.Dataset(title="Budget primitif 2024")
    response = app.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    graph = graph_of(response.body, fmt)
    assert len(list(graph.subjects(rdflib.RDF.type, DCAT.Catalog))) == 1
    assert dataset_titles(graph) == {"Budget primitif 2024"}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_catalogue_pages_with_hydra(app):
    """Five datasets at two a page: three pages linked by Hydra's next and last."""
    for index in range(5):
        factories.Dataset(title=f"Jeu {index}")
    seen: set[str] = set()
    for page in (1, 2, 3):
        graph = graph_of(app.get(f"/catalog.ttl?page={page}").body, "ttl")
        seen |= dataset_titles(graph)
        collection = graph.value(predicate=rdflib.RDF.type, object=HYDRA.PagedCollection)
        assert int(graph.value(collection, HYDRA.totalItems)) == 5
        assert str(graph.value(collection, HYDRA.lastPage)).endswith("page=3")
        assert (graph.value(collection, HYDRA.nextPage) is None) == (page == 3)
    assert seen == {f"Jeu {index}" for index in range(5)}


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_dataset_endpoint_describes_the_dataset(app, fmt):
    """/dataset/<name>.<format> describes the dataset and its distribution."""
    dataset = factories.Dataset(title="Arbres d'alignement", notes="Les arbres des rues.",
                                resources=[{"url": "https://example.org/arbres.csv",
                                            "format": "CSV"}])
    response = app.get(f"/dataset/{dataset['name']}.{fmt}")
    assert response.status_code == 200
    graph = graph_of(response.body, fmt)
    ref = graph.value(predicate=rdflib.RDF.type, object=DCAT.Dataset)
    assert str(graph.value(ref, DCT.title)) == "Arbres d'alignement"
    distribution = graph.value(ref, DCAT.distribution)
    assert str(graph.value(distribution, DCAT.accessURL)) == "https://example.org/arbres.csv"


def test_content_negotiation_on_the_dataset_page(app):
    """/dataset/<name> with Accept: text/turtle answers Turtle; a browser still gets HTML."""
    dataset = factories.Dataset(title="Parkings relais")
    turtle = app.get(f"/dataset/{dataset['name']}", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Parkings relais" in dataset_titles(graph_of(turtle.body, "ttl"))
    html = app.get(f"/dataset/{dataset['name']}", headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")


def test_dataset_page_embeds_one_schema_org_block(app):
    """The dataset page carries exactly one JSON-LD block (structured_data), a schema.org Dataset."""
    dataset = factories.Dataset(title="Cantines scolaires")
    body = app.get(f"/dataset/{dataset['name']}").body
    assert body.count('<script type="application/ld+json">') == 1
    assert "schema.org" in body and "Cantines scolaires" in body
    # ckanext-dcat's link to the dataset's own JSON-LD, beside the block.
    assert f"/dataset/{dataset['id']}.jsonld" in body


def test_content_negotiation_on_the_home_page(app):
    """/ with Accept: text/turtle answers the catalogue; a browser still gets the home page."""
    factories.Dataset(title="Horaires des piscines")
    turtle = app.get("/", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Horaires des piscines" in dataset_titles(graph_of(turtle.body, "ttl"))
    html = app.get("/", headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")
