"""A dataset's DCAT graph in Turtle, written by Oxigraph rather than by rdflib.

rdflib's Turtle writer took about half of a catalogue page written from no cached
fragment; Oxigraph's (pyoxigraph, a Rust library) writes the same triples about
eight times faster. Oxigraph refuses what is not an absolute IRI, which ckanext-dcat
writes for some free-text values (a theme "Mobilité" becomes ``<Mobilité>``); those
triples are written by rdflib as N-Triples after the rest, as rdflib's Turtle writer
would have written them, so that the text parses to the same graph.
"""
from __future__ import annotations

from typing import Any, Union

import pyoxigraph as ox
import rdflib

__all__ = ["turtle"]

_Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]


def _term(node: Any) -> _Term:
    """The Oxigraph term of an rdflib node; ValueError for what Oxigraph refuses."""
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise ValueError(f"not an RDF term: {node!r}")


def turtle(graph: rdflib.Graph, prefixes: dict[str, str]) -> str:
    """The graph's triples in Turtle, declaring ``prefixes`` (prefix to namespace)."""
    written: list[ox.Triple] = []
    refused = rdflib.Graph()
    for subject, predicate, obj in graph.triples((None, None, None)):
        try:
            written.append(ox.Triple(_term(subject), _term(predicate), _term(obj)))
        except ValueError:
            refused.add((subject, predicate, obj))
    # In subject order, the writer groups each subject's statements (";"), as rdflib's
    # Turtle does: shorter and readable.
    written.sort(key=lambda triple: (str(triple.subject), str(triple.predicate)))
    text = ox.serialize(written, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")
    if len(refused):
        text += "\n" + refused.serialize(format="nt")
    return text
