"""Catalogue pages read by Oxigraph's parser into rdflib's graph: the same triples as
rdflib's parser, rdflib's parser for what Oxigraph refuses, the same fingerprints."""
from __future__ import annotations

import hashlib

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, XSD

from ckanext.territorial_consolidation.harvesters import dcat, rdf_parse
from ckanext.territorial_consolidation.harvesters.rdf_fingerprint import Page, fingerprint
from tests.territorial_consolidation import dcat_fields

BASE = "https://partner.example/catalog"
PAGE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<catalog?page=1> a hydra:PagedCollection ; hydra:totalItems "2"^^xsd:integer ;
    hydra:nextPage <catalog?page=2> .
<ds/1> a dcat:Dataset ; dct:title "Arbres d'alignement"@fr, "Street trees"@en ;
    dct:identifier "arbres" ; dct:issued "2024-03-01"^^xsd:date ;
    dct:modified "2024-05-02T10:00:00"^^xsd:dateTime ;
    dcat:keyword "arbres", "espaces verts" ;
    dcat:distribution [ dcat:downloadURL <files/arbres.csv> ; dct:format "CSV" ;
                        dcat:byteSize "1024"^^xsd:decimal ] ,
                      _:shp .
_:shp a dcat:Distribution ; dcat:accessURL <https://partner.example/arbres.zip> .
<ds/2> a dcat:Dataset ; dct:title \"\"\"Bancs
publics\"\"\" ; dct:identifier "bancs" .
"""


def _rdflib(body: bytes, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=body, format=fmt, publicID=BASE)
    return graph


def _without_blank_nodes(graph: rdflib.Graph) -> set[tuple[rdflib.term.Node, ...]]:
    return {triple for triple in graph
            if not any(isinstance(node, rdflib.BNode) for node in triple)}


def _ours(body: bytes, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    assert rdf_parse.read_into(graph, body, fmt, BASE)
    return graph


def test_the_recorded_partner_turtle_gives_rdflib_s_graph() -> None:
    """ckanext-dcat's recorded DCAT-AP Turtle dataset: the same graph, literals,
    languages, datatypes and blank nodes included."""
    body, fmt = dcat_fields.inputs()["ckanext-dcat_dataset_dcat-ap-full.ttl"]
    ours, theirs = _ours(body, fmt), _rdflib(body, fmt)
    assert len(ours) == len(theirs) > 50
    assert isomorphic(ours, theirs)


def test_rdf_xml_and_json_ld_are_left_to_rdflib() -> None:
    """Oxigraph's RDF/XML reader takes a page cut in half (its root element never
    closes) and gives the triples before the cut: such a page must stay an error."""
    body, fmt = dcat_fields.inputs()["ckanext-dcat_catalog.rdf"]
    assert rdf_parse.read_into(rdflib.Graph(), body, fmt, BASE) is False
    assert rdf_parse.read_into(rdflib.Graph(), b"{}", "json-ld", BASE) is False
    with pytest.raises(dcat.HarvestFetchError, match="is not valid xml"):
        dcat.parse_page(body[:len(body) // 2], fmt, BASE)


def test_a_page_cut_in_half_is_refused() -> None:
    body = PAGE.encode()
    assert rdf_parse.read_into(rdflib.Graph(), body[:len(body) // 2], "turtle", BASE) is False
    with pytest.raises(dcat.HarvestFetchError, match="is not valid turtle"):
        dcat.parse_page(body[:len(body) // 2], "turtle", BASE)


def test_a_page_with_every_kind_of_term_gives_rdflib_s_graph() -> None:
    """Relative IRIs resolved against the page's URL, labelled and anonymous blank
    nodes, language-tagged, typed, plain and multi-line literals, in Turtle and again in
    N-Triples."""
    body = PAGE.encode()
    ours = _ours(body, "turtle")
    assert isomorphic(ours, _rdflib(body, "turtle"))
    assert (rdflib.URIRef("https://partner.example/ds/1"), DCTERMS.issued,
            rdflib.Literal("2024-03-01", datatype=XSD.date)) in ours
    assert (rdflib.URIRef("https://partner.example/ds/2"), DCTERMS.title,
            rdflib.Literal("Bancs\npublics")) in ours
    lines = _rdflib(body, "turtle").serialize(format="nt", encoding="utf-8")
    assert isomorphic(_ours(lines, "nt"), _rdflib(lines, "nt"))


def test_a_query_only_reference_resolves_as_rfc_3986_says() -> None:
    """``<?page=2>`` on the page ``.../catalog`` is ``.../catalog?page=2`` (RFC 3986,
    5.2.2); rdflib's parser drops the last segment (``.../?page=2``), so a partner writing
    its paging links that way was followed to the wrong page."""
    body = b'<?page=1> <http://www.w3.org/ns/hydra/core#nextPage> <?page=2> .'
    graph = _ours(body, "turtle")
    assert (rdflib.URIRef(f"{BASE}?page=1"), rdflib.URIRef(
        "http://www.w3.org/ns/hydra/core#nextPage"), rdflib.URIRef(f"{BASE}?page=2")) in graph


def test_an_explicit_string_type_reads_as_the_plain_literal() -> None:
    """RDF 1.1 makes ``"x"^^xsd:string`` and ``"x"`` one literal; Oxigraph gives no way
    to tell them apart, and what a profile reads of it (its text) is the same."""
    body = (b'<https://partner.example/ds/1> <http://purl.org/dc/terms/title> '
            b'"Arbres"^^<http://www.w3.org/2001/XMLSchema#string> .')
    value = _ours(body, "nt").value(rdflib.URIRef("https://partner.example/ds/1"),
                                    DCTERMS.title)
    assert value == rdflib.Literal("Arbres")
    assert str(value) == str(_rdflib(body, "nt").value(
        rdflib.URIRef("https://partner.example/ds/1"), DCTERMS.title))


def test_blank_nodes_of_two_pages_never_merge() -> None:
    """The same labels on two pages are two nodes each, as with rdflib's parser."""
    graph = rdflib.Graph()
    body = PAGE.encode()
    assert rdf_parse.read_into(graph, body, "turtle", BASE)
    assert rdf_parse.read_into(graph, body, "turtle", BASE)
    blanks = {node for triple in graph for node in triple if isinstance(node, rdflib.BNode)}
    assert len(blanks) == 2 * 2  # two distributions, each page's own


def test_what_oxigraph_refuses_and_rdflib_reads_is_read_by_rdflib() -> None:
    """An IRI with a backslash: Oxigraph refuses the page and leaves the graph untouched,
    rdflib's parser (more lenient) reads it, as the harvester did before."""
    body = PAGE.replace("<files/arbres.csv>", "<files\\arbres.csv>").encode()
    untouched = rdflib.Graph()
    assert rdf_parse.read_into(untouched, body, "turtle", BASE) is False
    assert len(untouched) == 0

    graph = dcat.parse_page(body, "turtle", BASE)

    theirs = _rdflib(body, "turtle")  # (rdflib cannot compare graphs with such an IRI)
    assert len(graph) == len(theirs)
    assert _without_blank_nodes(graph) == _without_blank_nodes(theirs)
    assert any("files\\arbres.csv" in str(url) for url in graph.objects(None, DCAT.downloadURL))


def test_a_page_neither_parser_reads_is_rdflib_s_error() -> None:
    body = PAGE.replace("@prefix dct: <http://purl.org/dc/terms/> .\n", "").encode()
    with pytest.raises(dcat.HarvestFetchError, match=r"(?s)is not valid turtle.*dct:. not bound"):
        dcat.parse_page(body, "turtle", BASE)


def _former_fingerprint(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """The fingerprint as the harvester computed it before pages were read once for all
    their datasets (graph lookups per node), kept here as the reference the stored
    hashes were made with."""
    lines: list[str] = []
    described = {node}
    labels: dict[rdflib.term.Node, str] = {}
    others = (DCAT.Dataset, DCAT.Catalog)

    def term(value: rdflib.term.Node, trail: frozenset) -> str:
        if isinstance(value, rdflib.BNode):
            if value == node:
                return "_:dataset"
            if value in labels:
                return labels[value]
            if value in trail:
                return "_:cycle"
            inner = sorted(f"{p.n3()} {term(o, trail | {value})}"
                           for p, o in graph.predicate_objects(value))
            labels[value] = "_:" + hashlib.sha256(
                "\n".join(inner).encode("utf-8")).hexdigest()[:32]
            return labels[value]
        if (isinstance(value, rdflib.URIRef) and value not in described
                and (value, None, None) in graph
                and not any((value, rdflib.RDF.type, kind) in graph for kind in others)):
            described.add(value)
            describe(value, value.n3())
        return value.n3()

    def describe(subject: rdflib.term.Node, name: str) -> None:
        for p, o in graph.predicate_objects(subject):
            lines.append(f"{name} {p.n3()} {term(o, frozenset())}")

    describe(node, "_:dataset" if isinstance(node, rdflib.BNode) else node.n3())
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


@pytest.mark.parametrize("name", ["ckanext-dcat_catalog.rdf",
                                  "ckanext-dcat_dataset_dcat-ap-full.ttl", "page"])
def test_fingerprints_stay_those_stored_by_rdflib_s_parse(name: str) -> None:
    """A page read by Oxigraph and fingerprinted once for all its datasets gives each
    dataset the digest rdflib's parse and the former per-dataset walk gave: an upgrade
    does not make a re-harvest import every record again."""
    body, fmt = (PAGE.encode(), "turtle") if name == "page" else dcat_fields.inputs()[name]
    ours, theirs = dcat.parse_page(body, fmt, BASE), _rdflib(body, fmt)
    page = Page(ours)
    nodes = [node for node in dcat._dataset_nodes(theirs) if isinstance(node, rdflib.URIRef)]
    assert nodes
    for node in nodes:
        assert page.fingerprint(node) == fingerprint(ours, node) == _former_fingerprint(
            theirs, node)
