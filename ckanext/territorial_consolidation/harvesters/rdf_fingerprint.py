"""A digest of what a catalogue page says about one dataset, so that a re-harvest knows
an unchanged record without reading it through ckanext-dcat's profiles."""
from __future__ import annotations

import hashlib
from typing import Any

import rdflib
from rdflib.namespace import DCAT, RDF

__all__ = ["fingerprint"]

_OTHERS = (DCAT.Dataset, DCAT.Catalog)


class _Walk:
    """The triples a dataset's reading can reach: its own, and those of the nodes they
    lead to (distributions, contact points, licences, blank nodes...), other datasets and
    catalogues excepted, as they describe themselves."""

    def __init__(self, graph: rdflib.Graph, root: Any) -> None:
        self.graph = graph
        self.root = root
        self.lines: list[str] = []
        self._described: set[Any] = {root}
        self._labels: dict[Any, str] = {}

    def describe(self, subject: Any, name: str) -> None:
        for predicate, value in self.graph.predicate_objects(subject):
            self.lines.append(f"{name} {predicate.n3()} {self.term(value, frozenset())}")

    def term(self, value: Any, trail: frozenset[Any]) -> str:
        if isinstance(value, rdflib.BNode):
            return self._blank(value, trail)
        if (isinstance(value, rdflib.URIRef) and value not in self._described
                and self._followed(value)):
            self._described.add(value)
            self.describe(value, value.n3())
        return value.n3()

    def _followed(self, node: Any) -> bool:
        if (node, None, None) not in self.graph:
            return False
        return not any((node, RDF.type, kind) in self.graph for kind in _OTHERS)

    def _blank(self, node: Any, trail: frozenset[Any]) -> str:
        """A blank node's label is a digest of what it says: its id changes at every
        parse, and two blank distributions must not blend into one description."""
        if node == self.root:
            return "_:dataset"
        if node in self._labels:
            return self._labels[node]
        if node in trail:
            return "_:cycle"
        inner = sorted(f"{predicate.n3()} {self.term(value, trail | {node})}"
                       for predicate, value in self.graph.predicate_objects(node))
        label = "_:" + hashlib.sha256("\n".join(inner).encode("utf-8")).hexdigest()[:32]
        self._labels[node] = label
        return label


def fingerprint(graph: rdflib.Graph, node: Any) -> str:
    """The digest of ``node``'s description in ``graph``: the same for the same
    description parsed again (blank node ids and triple order do not count), another for
    any change a reading of the dataset could see."""
    walk = _Walk(graph, node)
    walk.describe(node, "_:dataset" if isinstance(node, rdflib.BNode) else node.n3())
    return hashlib.sha256("\n".join(sorted(walk.lines)).encode("utf-8")).hexdigest()
