"""A declared Table Schema (``conforms_to``) as a descriptor: shipped schemas read from
table_schemas/ without network, others fetched through safe_fetch."""
from __future__ import annotations

import functools
import json
import pathlib
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import safe_fetch

__all__ = ["known_schemas", "descriptor", "descriptor_text"]

_LOCAL_SCHEMAS = pathlib.Path(__file__).parent / "table_schemas"


def _option(name: str) -> int:
    return tk.config[f"ckanext.opendata_governance.{name}"]


@functools.lru_cache(maxsize=32)
def _fetch_schema(url: str) -> str:
    with safe_fetch.fetch(url, max_bytes=_option("schema_max_bytes"),
                          timeout=_option("fetch_timeout")) as fetched:
        if fetched.status_code >= 400:
            raise RuntimeError(tk._("The schema {url} answers with HTTP status {status}").format(
                url=url, status=fetched.status_code))
        return fetched.read().decode("utf-8")


@functools.lru_cache(maxsize=1)
def known_schemas() -> dict[str, str]:
    """Schema URLs shipped with the plugin, to their local file (table_schemas/index.json)."""
    return json.loads((_LOCAL_SCHEMAS / "index.json").read_text(encoding="utf-8"))


def descriptor(reference: str) -> dict[str, Any]:
    """The Table Schema a ``conforms_to`` names: a shipped schema's URL, another URL, or
    the JSON text itself.

    :raises RuntimeError: the schema cannot be fetched or is not JSON (a translated
        message)
    """
    text = reference.strip()
    known = known_schemas().get(text)
    if known:
        return json.loads((_LOCAL_SCHEMAS / known).read_text(encoding="utf-8"))
    try:
        if text.startswith("{"):
            return json.loads(text)
        try:
            return json.loads(_fetch_schema(text))
        except safe_fetch.FetchError as error:
            raise RuntimeError(tk._("The schema {url} cannot be fetched: {error}").format(
                url=text, error=error)) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise RuntimeError(tk._("The schema {url} is not valid JSON").format(
            url=text)) from error


def descriptor_text(reference: str) -> str:
    """The descriptor of :func:`descriptor` as canonical JSON text (what a resource's
    ``schema`` field holds for ckanext-validation)."""
    return json.dumps(descriptor(reference), ensure_ascii=False, sort_keys=True)
