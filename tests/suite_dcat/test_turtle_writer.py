"""Oxigraph's Turtle of a dataset graph parses to the graph rdflib's Turtle parses to."""
from __future__ import annotations

import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from ckanext.suite_dcat import turtle_writer

BASE = "https://portail.example/catalog.ttl"
DATASET = rdflib.URIRef("https://portail.example/dataset/budget")
PREFIXES = {"dcat": str(DCAT), "dct": str(DCTERMS), "xsd": str(XSD)}


def _graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    contact = rdflib.BNode("bdatasetx0")
    for triple in (
        (DATASET, RDF.type, DCAT.Dataset),
        (DATASET, DCTERMS.title, rdflib.Literal('Budget "primitif"\nde la ville', lang="fr")),
        (DATASET, DCTERMS.description, rdflib.Literal("Données sans langue, accentuées é à ç")),
        (DATASET, DCTERMS.modified, rdflib.Literal("2026-03-01", datatype=XSD.date)),
        (DATASET, DCTERMS.issued, rdflib.Literal("pas une date", datatype=XSD.date)),
        (DATASET, DCAT.contactPoint, contact),
        (contact, RDF.type, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#Organization")),
        # ckanext-dcat writes a free-text theme as an IRI, which Oxigraph refuses.
        (DATASET, DCAT.theme, rdflib.URIRef("Mobilité")),
        (DATASET, DCAT.keyword, rdflib.Literal("vélo", lang="fr")),
    ):
        graph.add(triple)
    return graph


def _parsed(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle", publicID=BASE)


def test_the_text_parses_to_the_graph_rdflib_writes():
    graph = _graph()
    text = turtle_writer.turtle(graph, PREFIXES)
    assert isomorphic(_parsed(text), _parsed(graph.serialize(format="turtle")))
    assert len(_parsed(text)) == len(graph)


def test_prefixes_are_declared_and_used():
    text = turtle_writer.turtle(_graph(), PREFIXES)
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in text
    assert "dcat:Dataset" in text


def test_a_refused_iri_is_written_by_rdflib_after_the_rest():
    text = turtle_writer.turtle(_graph(), PREFIXES)
    assert text.rstrip().endswith(
        "<https://portail.example/dataset/budget> <http://www.w3.org/ns/dcat#theme> <Mobilité> .")
    themes = list(_parsed(text).objects(DATASET, DCAT.theme))
    assert themes == [rdflib.URIRef("https://portail.example/Mobilité")]


def test_an_empty_graph_is_an_empty_document():
    assert not _parsed(turtle_writer.turtle(rdflib.Graph(), PREFIXES))
