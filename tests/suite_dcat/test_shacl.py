"""The demo portal's catalogue validates against the DCAT-AP 3 SHACL shapes."""
from __future__ import annotations

import pathlib

import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from ckanext.opendata_governance import demo
from tests.suite_dcat.dcat_setup import HYDRA, MARKS

pytestmark = MARKS

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "dcat"
#: DCAT-AP 3.0.0's shapes (violations) and its recommended-property shapes (warnings).
SHAPES = (FIXTURES / "dcat-ap-3.0.0-SHACL.ttl", FIXTURES / "dcat-ap-3.0.0-shapes_recommended.ttl")
#: The warnings the demo catalogue is known to give (README, "DCAT catalogue").
KNOWN_WARNINGS = {
    "http://data.europa.eu/r5r/availability", "http://purl.org/dc/terms/issued",
    "http://purl.org/dc/terms/license", "http://purl.org/dc/terms/spatial",
    "http://purl.org/dc/terms/temporal", "http://purl.org/dc/terms/type",
    "http://www.w3.org/ns/dcat#theme", "http://www.w3.org/ns/dcat#themeTaxonomy",
}


def _whole_catalogue(app) -> rdflib.Graph:
    """Every page of /catalog.ttl, followed by Hydra's next page, in one graph."""
    graph, url = rdflib.Graph(), "/catalog.ttl"
    while url:
        page = rdflib.Graph().parse(data=app.get(url).body, format="turtle")
        graph += page
        following = page.value(predicate=HYDRA.nextPage, any=True)
        url = str(following).split("/catalog.ttl", 1)[1] if following else None
        url = f"/catalog.ttl{url}" if url else None
    return graph


def _results(report: rdflib.Graph, severity: rdflib.URIRef) -> list[str]:
    return sorted({f"{report.value(result, SH.resultPath)}: {report.value(result, SH.resultMessage)}"
                  for result in report.subjects(RDF.type, SH.ValidationResult)
                   if report.value(result, SH.resultSeverity) == severity})


def _missing_properties(report: rdflib.Graph, severity: rdflib.URIRef) -> set[str]:
    """The properties the results of this severity are about (one per shape path)."""
    return {str(report.value(result, SH.resultPath))
            for result in report.subjects(RDF.type, SH.ValidationResult)
            if report.value(result, SH.resultSeverity) == severity}


def test_demo_catalogue_has_no_violation(app):
    """The demo's public datasets, as the catalogue gives them, break no DCAT-AP 3 shape."""
    demo.load_demo()
    catalogue = _whole_catalogue(app)
    assert len(list(catalogue.subjects(RDF.type, rdflib.URIRef(
        "http://www.w3.org/ns/dcat#Dataset")))) >= 10
    shapes = rdflib.Graph()
    for path in SHAPES:
        shapes.parse(path, format="turtle")
    _conforms, report, _text = pyshacl.validate(catalogue, shacl_graph=shapes,
                                                inference="none", allow_warnings=True)
    violations = _results(report, SH.Violation)
    assert violations == [], "\n".join(violations)
    warnings = _missing_properties(report, SH.Warning)
    assert warnings == KNOWN_WARNINGS, "\n".join(sorted(warnings))
