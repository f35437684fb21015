"""A digest of what a catalogue page says about one dataset, so that a re-harvest knows
an unchanged record without reading it through ckanext-dcat's profiles."""
from __future__ import annotations

import hashlib
from typing import Any

import rdflib
from rdflib.namespace import DCAT, RDF

__all__ = ["Page", "fingerprint"]

_OTHERS = (DCAT.Dataset, DCAT.Catalog)


class Page:
    """One parsed page, read once for the fingerprints of all its datasets: what each
    node says (predicate, value), which nodes are datasets or catalogues, and each term
    as N3, so that no dataset pays graph lookups for what the page already told."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.said: dict[Any, list[tuple[Any, Any]]] = {}
        self.others: set[Any] = set()
        for subject, predicate, value in graph:
            self.said.setdefault(subject, []).append((predicate, value))
            if predicate == RDF.type and value in _OTHERS:
                self.others.add(subject)
        self._n3: dict[Any, str] = {}

    def n3(self, term: Any) -> str:
        text = self._n3.get(term)
        if text is None:
            text = self._n3[term] = term.n3()
        return text

    def fingerprint(self, node: Any) -> str:
        """The digest of ``node``'s description: the same for the same description
        parsed again (blank node ids and triple order do not count), another for any
        change a reading of the dataset could see."""
        walk = _Walk(self, node)
        walk.describe(node, "_:dataset" if isinstance(node, rdflib.BNode) else self.n3(node))
        return hashlib.sha256("\n".join(sorted(walk.lines)).encode("utf-8")).hexdigest()


class _Walk:
    """The triples a dataset's reading can reach: its own, and those of the nodes they
    lead to (distributions, contact points, licences, blank nodes...), other datasets and
    catalogues excepted, as they describe themselves."""

    def __init__(self, page: Page, root: Any) -> None:
        self.page = page
        self.root = root
        self.lines: list[str] = []
        self._described: set[Any] = {root}
        self._labels: dict[Any, str] = {}

    def describe(self, subject: Any, name: str) -> None:
        n3 = self.page.n3
        for predicate, value in self.page.said.get(subject, ()):
            self.lines.append(f"{name} {n3(predicate)} {self.term(value, frozenset())}")

    def term(self, value: Any, trail: frozenset[Any]) -> str:
        if isinstance(value, rdflib.BNode):
            return self._blank(value, trail)
        if (isinstance(value, rdflib.URIRef) and value not in self._described
                and value in self.page.said and value not in self.page.others):
            self._described.add(value)
            self.describe(value, self.page.n3(value))
        return self.page.n3(value)

    def _blank(self, node: Any, trail: frozenset[Any]) -> str:
        """A blank node's label is a digest of what it says: its id changes at every
        parse, and two blank distributions must not blend into one description."""
        if node == self.root:
            return "_:dataset"
        if node in self._labels:
            return self._labels[node]
        if node in trail:
            return "_:cycle"
        n3 = self.page.n3
        inner = sorted(f"{n3(predicate)} {self.term(value, trail | {node})}"
                       for predicate, value in self.page.said.get(node, ()))
        label = "_:" + hashlib.sha256("\n".join(inner).encode("utf-8")).hexdigest()[:32]
        self._labels[node] = label
        return label


def fingerprint(graph: rdflib.Graph, node: Any) -> str:
    """``node``'s fingerprint in ``graph`` (see ``Page.fingerprint``; a page's datasets
    are best fingerprinted through one ``Page``)."""
    return Page(graph).fingerprint(node)
