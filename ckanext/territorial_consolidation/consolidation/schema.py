"""Table Schema loading: from a URL (SSRF-safe, size-capped) or an uploaded JSON document."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Optional

import frictionless

__all__ = ["SchemaError", "TableSchema", "load_schema", "parse_schema"]

#: A Table Schema is a few kilobytes; anything much bigger is not one.
MAX_SCHEMA_BYTES = 2_000_000


class SchemaError(Exception):
    """The schema could not be fetched or is not a usable Table Schema; the message says why."""


class TableSchema:
    """A Table Schema with the parts the engine needs (fields, primary key, version)."""

    def __init__(self, descriptor: dict[str, Any], url: str = "") -> None:
        self.descriptor = descriptor
        self.url = url
        try:
            self.frictionless = frictionless.Schema.from_descriptor(
                {key: value for key, value in descriptor.items()
                 if key in ("fields", "primaryKey", "missingValues", "foreignKeys")})
        except Exception as error:  # frictionless raises its own and plain ones
            raise SchemaError(f"not a Table Schema: {error}") from error
        if not self.frictionless.fields:
            raise SchemaError("not a Table Schema: no fields")
        self.fields = list(self.frictionless.fields)
        self.field_names = [field.name for field in self.fields]
        primary = descriptor.get("primaryKey") or []
        self.primary_key = [primary] if isinstance(primary, str) else list(primary)
        self.version = str(descriptor.get("version") or "")
        self.name = str(descriptor.get("name") or descriptor.get("title") or "")
        self.title = str(descriptor.get("title") or self.name)
        self.digest = hashlib.sha256(
            json.dumps(descriptor, sort_keys=True).encode("utf-8")).hexdigest()

    def data_dictionary(self) -> list[dict[str, Any]]:
        """Fields as a CKAN data dictionary (the ``fields`` of a datastore-like description)."""
        return [{"id": field.name, "type": field.type,
                 "info": {"label": field.title or field.name,
                          "notes": field.description or ""}} for field in self.fields]


def parse_schema(text: bytes | str, url: str = "") -> TableSchema:
    """A TableSchema from JSON text."""
    try:
        descriptor = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise SchemaError(f"the schema is not valid JSON: {error}") from error
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        raise SchemaError("not a Table Schema: no fields")
    return TableSchema(descriptor, url)


def load_schema(url: str = "", descriptor: Optional[dict[str, Any]] = None, *,
                allowlist: Iterable[str] = (), timeout: float = 30) -> TableSchema:
    """The schema given inline, else fetched from its URL through the SSRF-safe client."""
    if descriptor:
        return parse_schema(json.dumps(descriptor), url)
    if not url:
        raise SchemaError("no schema given")
    from ckanext.suite import safe_http

    try:
        with safe_http.fetch(url, max_bytes=MAX_SCHEMA_BYTES, timeout=timeout,
                             allowlist=allowlist,
                             headers={"Accept": "application/json"}) as response:
            status = response.status_code
            body = response.read()
    except safe_http.FetchError as error:
        raise SchemaError(f"the schema {url} could not be fetched: {error}") from error
    if status != 200:
        raise SchemaError(f"the schema {url} answered HTTP {status}")
    return parse_schema(body, url)
