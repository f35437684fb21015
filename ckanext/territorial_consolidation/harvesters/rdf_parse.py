"""Catalogue pages read by Oxigraph's parser into the rdflib graph ckanext-dcat's profiles
read: the same triples as rdflib's own parser, in less than half its time."""
from __future__ import annotations

from typing import Any, Callable

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

__all__ = ["FORMATS", "read_into"]

#: The syntaxes read this way (rdflib's names). RDF/XML stays with rdflib: Oxigraph's
#: reader takes a document whose root element never closes (a page cut in half) and
#: gives the triples before the cut. JSON-LD too: the harvester checks it for remote
#: contexts with rdflib's parser.
FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}

_STRING = str(XSD.string)


def _converter() -> Callable[[Any], rdflib.term.Node]:
    """Oxigraph's terms as rdflib's, each made once per page: a page names the same
    predicates, classes and nodes over and over, and making rdflib's terms (IRI checks,
    literal casting) is most of what a parse costs."""
    made: dict[Any, rdflib.term.Node] = {}

    def convert(term: Any) -> rdflib.term.Node:
        node = made.get(term)
        if node is None:
            if isinstance(term, ox.NamedNode):
                node = rdflib.URIRef(term.value)
            elif isinstance(term, ox.BlankNode):
                node = rdflib.BNode()  # a fresh one, as rdflib's parser gives
            elif term.language:
                node = rdflib.Literal(term.value, lang=term.language)
            elif term.datatype.value == _STRING:
                # Oxigraph gives every plain literal the xsd:string type; rdflib's
                # parser leaves them plain, as the profiles and fingerprints expect.
                node = rdflib.Literal(term.value)
            else:
                node = rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
            made[term] = node
        return node

    return convert


def read_into(graph: rdflib.Graph, body: bytes, fmt: str, base: str) -> bool:
    """Add the triples of ``body`` to ``graph`` and say True; False, with ``graph``
    untouched, when Oxigraph does not read ``fmt`` or refuses the text, so that rdflib's
    parser decides (it is more lenient, and its error is the one reported)."""
    syntax = FORMATS.get(fmt)
    if syntax is None:
        return False
    convert = _converter()
    try:
        triples = [(convert(quad.subject), convert(quad.predicate), convert(quad.object))
                   for quad in ox.parse(body, syntax, base_iri=base, lenient=True,
                                        without_named_graphs=True)]
    except (SyntaxError, ValueError, OSError):
        return False
    add = graph.add
    for triple in triples:
        add(triple)
    return True
