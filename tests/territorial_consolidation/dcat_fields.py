"""What the DCAT harvester's mapping gives for each recorded DCAT file, field by field.

``python -m tests.territorial_consolidation.dcat_fields [FILE]`` writes them as JSON (to
stdout without FILE). ``tests/fixtures/partners/dcat/fields_before.json`` is what it wrote
on the hand-written rdflib mapping (commit c8daf9c), before the harvester read records
with ckanext-dcat's parser; ``test_dcat_fields.py`` checks that nothing in it is lost.
"""
from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import rdflib

from ckanext.territorial_consolidation.harvesters import dcat

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "partners" / "dcat"
BEFORE = FIXTURES / "fields_before.json"
BASE = "https://partner.example/catalog"


def inputs() -> dict[str, tuple[bytes, str]]:
    """The recorded DCAT files as the harvester reads them, by name: the RDF/XML catalogue,
    the DCAT-AP Turtle dataset (its two syntax errors fixed, as the replay serves it), and
    both in one JSON-LD document (the replay's third syntax)."""
    from tests.territorial_consolidation import replay_server

    turtle = replay_server.dcat_fixed_turtle().encode()
    both = replay_server.dcat_graph()
    return {
        "ckanext-dcat_catalog.rdf": ((FIXTURES / "ckanext-dcat_catalog.rdf").read_bytes(),
                                     "xml"),
        "ckanext-dcat_dataset_dcat-ap-full.ttl": (turtle, "turtle"),
        "both.jsonld": (both.serialize(format="json-ld", encoding="utf-8"), "json-ld"),
    }


def flatten(package: dict[str, Any]) -> dict[str, Any]:
    """A package dict as ``field: value`` pairs: extras by key, resources by their
    ``remote_id`` (``resources[<remote_id>].<field>``), tags as a sorted list."""
    fields: dict[str, Any] = {}
    for key, value in package.items():
        if key == "extras":
            fields.update({f"extras.{e['key']}": e["value"] for e in value})
        elif key == "tags":
            fields["tags"] = sorted(t["name"] for t in value)
        elif key == "resources":
            for resource in value:
                for name, item in resource.items():
                    fields[f"resources[{resource['remote_id']}].{name}"] = item
        elif value not in (None, "", [], {}):
            fields[key] = value
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


def records() -> dict[str, dict[str, dict[str, Any]]]:
    """For each input, each dataset's remote id → its flattened package dict."""
    harvester = dcat.TerritorialDcatHarvester()
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for name, (body, fmt) in inputs().items():
        graph = dcat.parse_page(body, fmt, BASE)
        result[name] = {remote.remote_id: flatten(harvester.to_package(remote, {}))
                        for remote in harvester.remote_datasets(graph)}
    return result


def main() -> None:
    text = json.dumps(records(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if len(sys.argv) > 1:
        pathlib.Path(sys.argv[1]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
