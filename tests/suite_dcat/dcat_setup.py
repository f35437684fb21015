"""Shared set-up of the DCAT tests: plugins, the portal's schema, reading RDF answers."""
from __future__ import annotations

from typing import Any

import pytest
import rdflib

PLUGINS = ("postgres_search scheming_datasets opendata_governance territorial_consolidation "
           "dcat structured_data suite_dcat")
SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")

MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

def harvested(org: dict[str, Any], portal_url: str, level: str, code: str, title: str,
              identifier: str, **fields: Any) -> dict[str, Any]:
    """A dataset of the portal's schema as a harvester leaves it, with its provenance row."""
    from ckan import model
    from ckan.tests import factories

    from ckanext.territorial_consolidation.model import Provenance

    dataset = factories.Dataset(owner_org=org["id"], title=title, territory_code=code,
                                territorial_level=level, **fields)
    model.Session.add(Provenance(
        package_id=dataset["id"], harvest_source_id=f"source-{portal_url}",
        portal_kind="dcat", portal_url=portal_url, remote_id=identifier,
        remote_url=f"{portal_url}/dataset/{dataset['name']}", identifier=identifier,
        territory_code=code, territorial_level=level, resource_urls=[]))
    model.Session.commit()
    return dataset


#: rdflib's parser name for each of the endpoints' formats.
RDFLIB_FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld", "n3": "n3"}


def graph_of(body: str, fmt: str) -> rdflib.Graph:
    """The RDF graph of an endpoint's answer in ``fmt``."""
    return rdflib.Graph().parse(data=body, format=RDFLIB_FORMATS[fmt])


def dataset_titles(graph: rdflib.Graph) -> set[str]:
    """Titles of the catalogue's datasets."""
    return {str(graph.value(ref, DCT.title))
            for ref in graph.subjects(rdflib.RDF.type, DCAT.Dataset)}


__all__ = ["DCAT", "DCT", "HYDRA", "MARKS", "PLUGINS", "SCHEMA", "dataset_titles", "graph_of",
           "harvested"]


def organization_with_service() -> dict[str, Any]:
    """An organization publishing without the gate, with the service ``finances``
    ("Direction des finances") and its shared mailbox finances@ville.example."""
    from ckan.tests import factories, helpers

    from tests.opendata_governance import gate_setup

    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    gate_setup.switch_gate(org["id"], False)
    helpers.call_action("governance_service_create", {"user": sysadmin["name"]},
                        organization_id=org["id"], name="finances",
                        title="Direction des finances", email="finances@ville.example")
    return org
