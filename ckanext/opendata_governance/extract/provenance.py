"""Where an extracted CSV resource comes from, the choices that made it, and whether its
source has changed since."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Optional

from . import Table

__all__ = ["SOURCE_FIELDS", "CHOICES", "fields", "source_version", "source_of", "choices_of",
           "is_extraction_of", "is_stale"]

#: Fields of the source resource that change when its file changes (an upload sets
#: ``last_modified`` and ``size``; a link changes ``url``). Not ``hash``: the DataStore
#: loader writes it after loading a spreadsheet, which changes nothing in the file.
SOURCE_FIELDS = ("url", "url_type", "size", "last_modified")
#: The producer's choices kept with an extraction, so that it can be run again.
CHOICES = ("tables", "pages", "sheets", "columns", "conforms_to", "mapping")


def source_version(source: dict[str, Any]) -> str:
    """A short hash of the fields that change with the source resource's file."""
    text = json.dumps({field: source.get(field) for field in SOURCE_FIELDS}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fields(source: dict[str, Any], table: Table, choices: dict[str, Any],
           library: str) -> dict[str, Any]:
    """The ``extraction_*`` fields of a resource extracted from ``source``."""
    kept = {key: choices[key] for key in CHOICES if choices.get(key)}
    return {
        # ``extracted_from`` is the design's name; ``extraction_source`` the first one.
        "extracted_from": source["id"],
        "extraction_source": source["id"],
        "extraction_location": table.location,
        "extraction_pages": ",".join(str(page) for page in table.pages),
        "extraction_tables": ",".join(str(i) for i in choices.get("tables") or []),
        "extraction_date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "extraction_library": library,
        "extraction_choices": json.dumps(kept, ensure_ascii=False, sort_keys=True),
        "extraction_source_version": source_version(source),
    }


def source_of(resource: dict[str, Any]) -> Optional[str]:
    """The id of the resource this one was extracted from, or None."""
    return resource.get("extracted_from") or resource.get("extraction_source") or None


def is_extraction_of(resource: dict[str, Any], source_id: str) -> bool:
    return source_of(resource) == source_id


def choices_of(resource: dict[str, Any]) -> dict[str, Any]:
    """The choices an extraction was made with (tables, pages, sheets, columns, schema)."""
    try:
        kept = json.loads(resource.get("extraction_choices") or "{}")
    except ValueError:
        kept = {}
    if not isinstance(kept, dict):
        kept = {}
    if "tables" not in kept and resource.get("extraction_tables"):
        # Extractions made before the choices were kept whole.
        kept["tables"] = [int(n) for n in str(resource["extraction_tables"]).split(",")
                          if n.strip().isdigit()]
    return {key: kept[key] for key in CHOICES if kept.get(key)}


def is_stale(resource: dict[str, Any], source: dict[str, Any]) -> bool:
    """Whether the source's file changed after the extraction was made from it."""
    kept = resource.get("extraction_source_version")
    if not kept:
        # Made before versions were kept: compare the dates instead.
        changed = source.get("last_modified") or source.get("metadata_modified") or ""
        return bool(changed) and changed[:19] > (resource.get("extraction_date") or "")[:19]
    return kept != source_version(source)
