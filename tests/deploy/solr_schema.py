"""CKAN's shipped Solr schema (ckan/config/solr/schema.xml), read for the Solr tests."""
from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import pathlib
import xml.etree.ElementTree as ET
from typing import Any, Optional

import ckan

SCHEMA = pathlib.Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"


@dataclasses.dataclass(frozen=True)
class SolrField:
    name: str
    type: str
    multivalued: bool
    indexed: bool


def _multivalued(element: ET.Element, types: dict[str, ET.Element]) -> bool:
    value = element.get("multiValued") or types[element.get("type", "")].get("multiValued")
    return value == "true"


def load() -> tuple[dict[str, SolrField], list[SolrField]]:
    """The schema's fields by name, and its dynamic fields in Solr's matching order
    (longest pattern first)."""
    root = ET.parse(SCHEMA).getroot()
    types = {t.get("name", ""): t for t in root.iter("fieldType")}
    make = lambda e: SolrField(e.get("name", ""), e.get("type", ""),  # noqa: E731
                               _multivalued(e, types), e.get("indexed") != "false")
    fields = {e.get("name", ""): make(e) for e in root.iter("field")}
    dynamic = sorted((make(e) for e in root.iter("dynamicField")),
                     key=lambda f: -len(f.name.replace("*", "")))
    return fields, dynamic


def field_for(name: str, fields: dict[str, SolrField],
              dynamic: list[SolrField]) -> Optional[SolrField]:
    """The field Solr would use for ``name``: a declared one, else the first dynamic match."""
    if name in fields:
        return fields[name]
    return next((f for f in dynamic if fnmatch.fnmatchcase(name, f.name)), None)


def value_problem(field: SolrField, value: Any) -> Optional[str]:
    """Why Solr would refuse ``value`` for ``field``, or None."""
    values = value if isinstance(value, (list, tuple)) else [value]
    if isinstance(value, (list, tuple)) and len(values) > 1 and not field.multivalued:
        return f"{len(values)} values for single-valued {field.name} ({field.type})"
    for item in values:
        if field.type == "date":
            text = str(item)
            try:
                dt.datetime.strptime(text.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S")
            except ValueError:
                return f"{item!r} is not a Solr date (YYYY-MM-DDThh:mm:ssZ)"
            if not text.endswith("Z"):
                return f"{item!r} lacks the Z of a Solr date"
        elif field.type in ("int", "long", "tint", "tlong", "pint", "plong"):
            if isinstance(item, bool) or not str(item).lstrip("-").isdigit():
                return f"{item!r} is not an integer"
        elif isinstance(item, (dict, list)):
            return f"{type(item).__name__} value for {field.type} field"
    return None
