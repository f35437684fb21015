"""Field typing that mirrors the field and dynamicField declarations of CKAN's Solr schema."""
from __future__ import annotations

import dataclasses
import functools
import re
from typing import Literal, Optional

__all__ = [
    "Field",
    "FieldKind",
    "COLUMN_FIELDS",
    "DATE_COLUMNS",
    "FACET_SEPARATOR",
    "is_fast_facet",
    "filter_entry",
    "is_valid_name",
    "get_field",
]

#: ``string``: exact, case-sensitive terms; ``text``: analysed full text;
#: ``ngram``: substring match on a source field; ``date``/``int``/``float``:
#: typed values compared by value.
FieldKind = Literal["string", "text", "ngram", "date", "int", "float"]

#: Single-valued fields that also live in a dedicated column of the table;
#: equality on them uses the column so the planner can use plain indexes.
COLUMN_FIELDS = frozenset({
    "index_id", "id", "site_id", "entity_type", "name", "state",
    "capacity", "dataset_type", "title_string",
})

#: Date fields that have a typed ``timestamptz`` column.
DATE_COLUMNS = frozenset({"metadata_created", "metadata_modified", "indexed_ts"})

#: Fields whose values are also kept, as ``field<US>value`` strings, in the
#: compact ``facet_values`` column: faceting on them then avoids reading the
#: whole ``terms`` document. CKAN's default facets, owner_org (which group
#: and organization listings facet on for their dataset counts) and
#: vocabulary tags.
_FAST_FACETS = frozenset({"organization", "groups", "tags", "res_format", "license_id", "owner_org"})

#: Separates the field from the value in ``facet_values`` entries (ASCII
#: unit separator; field names never contain it).
FACET_SEPARATOR = "\x1f"

# Field names as CKAN produces them (extras keys are restricted to
# letters, digits, "_" and "-"); anything else is treated as garbage.
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-.]*$")


@dataclasses.dataclass(frozen=True)
class Field:
    """How one Solr field is indexed, stored and searched."""

    name: str
    kind: FieldKind
    multi: bool = False
    stored: bool = True
    indexed: bool = True
    #: tsvector weight (A-D) when the field is copied into the catch-all
    #: ``text`` field, None when it is not.
    weight: Optional[str] = None
    #: For copyField targets (``urls``, ``*_ngram``): the fields whose values
    #: they are made of.
    sources: tuple[str, ...] = ()

    @property
    def sortable(self) -> bool:
        """Whether Solr could sort on this field (single-valued, untokenised)."""
        return self.indexed and not self.multi and self.kind in ("string", "date", "int", "float")

    @property
    def source_fields(self) -> tuple[str, ...]:
        """The terms keys whose values make up this field."""
        return self.sources or (self.name,)


# URL fields reach ``text`` through the ``urls`` copyField.
_URL_SOURCES = ("url", "ckan_url", "download_url", "res_url")


_STATIC: dict[str, Field] = {field.name: field for field in (
    Field("index_id", "string"),
    Field("id", "string"),
    Field("site_id", "string"),
    Field("title", "text", weight="A"),
    Field("title_ngram", "ngram", sources=("title",)),
    Field("entity_type", "string"),
    Field("dataset_type", "string"),
    Field("state", "string"),
    Field("name", "string", weight="A"),
    Field("name_ngram", "ngram", sources=("name",)),
    Field("revision_id", "string"),
    Field("version", "string"),
    Field("url", "string", weight="D"),
    Field("ckan_url", "string", weight="D"),
    Field("download_url", "string", weight="D"),
    Field("notes", "text", weight="B"),
    Field("author", "text", weight="D"),
    Field("author_email", "text"),
    Field("maintainer", "text", weight="D"),
    Field("maintainer_email", "text"),
    Field("license", "string", weight="D"),
    Field("license_id", "string"),
    Field("tags", "string", multi=True, weight="B"),
    Field("groups", "string", multi=True, weight="B"),
    Field("organization", "string", weight="B"),
    Field("capacity", "string"),
    Field("permission_labels", "string", multi=True, stored=False),
    Field("res_name", "text", multi=True, weight="C"),
    Field("res_description", "text", multi=True, weight="C"),
    Field("res_format", "string", multi=True),
    Field("res_url", "string", multi=True, weight="D"),
    Field("res_type", "string", multi=True),
    # The catch-all field: searched through the precomputed search_vector.
    Field("text", "text", multi=True, stored=False, weight="D"),
    Field("urls", "text", multi=True, stored=False, sources=_URL_SOURCES),
    Field("depends_on", "text", multi=True, stored=False),
    Field("dependency_of", "text", multi=True, stored=False),
    Field("derives_from", "text", multi=True, stored=False),
    Field("has_derivation", "text", multi=True, stored=False),
    Field("links_to", "text", multi=True, stored=False),
    Field("linked_from", "text", multi=True, stored=False),
    Field("child_of", "text", multi=True, stored=False),
    Field("parent_of", "text", multi=True, stored=False),
    Field("views_total", "int", stored=False),
    Field("views_recent", "int", stored=False),
    Field("resources_accessed_total", "int", stored=False),
    Field("resources_accessed_recent", "int", stored=False),
    Field("metadata_created", "date"),
    Field("metadata_modified", "date"),
    Field("indexed_ts", "date"),
    Field("title_string", "string", stored=False),
    Field("data_dict", "string", indexed=False),
    Field("validated_data_dict", "string", indexed=False),
    Field("_version_", "string"),
)}


def is_valid_name(name: str) -> bool:
    """Whether ``name`` looks like a field name CKAN could have indexed."""
    return bool(_NAME_RE.match(name))


def is_fast_facet(name: str) -> bool:
    """Whether the field's values are in the ``facet_values`` column."""
    return name in _FAST_FACETS or name.startswith("vocab_")


#: Longest ``filter_terms`` entry, in bytes: a GIN key must fit in a third
#: of a page. Longer values are matched through ``terms`` instead.
MAX_FILTER_ENTRY = 2000


def filter_entry(name: str, value: str) -> Optional[str]:
    """The ``filter_terms`` entry for an exact value of a field, or None if too long to index."""
    entry = f"{name}{FACET_SEPARATOR}{value}"
    if len(entry) * 4 <= MAX_FILTER_ENTRY or len(entry.encode("utf-8")) <= MAX_FILTER_ENTRY:
        return entry
    return None


@functools.lru_cache(maxsize=4096)
def get_field(name: str) -> Field:
    """Resolve ``name`` like Solr does: explicit fields, then the longest matching dynamic pattern."""
    field = _STATIC.get(name)
    if field is not None:
        return field
    # Solr tries dynamic patterns longest first, so the prefixes below win
    # over the ``*_date`` suffix (``extras_start_date`` is text).
    if name.startswith("res_extras_"):
        return Field(name, "text", multi=True, weight="C")
    if name.startswith("extras_"):
        return Field(name, "text", weight="C")
    if name.startswith("vocab_"):
        return Field(name, "string", multi=True, weight="C")
    if name.endswith("_date"):
        return Field(name, "date")
    return Field(name, "string", stored=False)
