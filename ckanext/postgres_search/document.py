"""Turns the Solr documents CKAN core indexes into rows of the search table."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Iterable, Optional

from ckan.lib.search.common import SearchIndexError

from . import compiler, ddl, fields

__all__ = ["to_row", "rows_payload", "UPSERT_SQL"]

#: Fields kept out of ``terms`` and ``stored`` because they have columns of
#: their own and are never searched.
_BLOB_FIELDS = ("data_dict", "validated_data_dict")

_WEIGHTS = ("A", "B", "C", "D")

_COLUMNS = (
    "index_id", "id", "site_id", "entity_type", "name", "state", "capacity", "dataset_type",
    "title_string",
)

_CFG = f"'{ddl.TS_CONFIG}'::regconfig"

#: Upsert of a batch of rows passed as one JSON array (see ``rows_payload``);
#: the search vector is built here so that it uses the database's own
#: text search configuration.
UPSERT_SQL = f"""
    INSERT INTO {ddl.TABLE} AS d (
        index_id, id, site_id, entity_type, name, state, capacity, dataset_type,
        permission_labels, terms, facet_values, filter_terms, stored, data_dict, validated_data_dict,
        search_vector, head_vector, title_string, metadata_created, metadata_modified, indexed_ts
    )
    SELECT r.index_id, r.id, r.site_id, r.entity_type, r.name, r.state, r.capacity, r.dataset_type,
        r.permission_labels, r.terms, r.facet_values, r.filter_terms, r.stored, r.data_dict, r.validated_data_dict,
        setweight(to_tsvector({_CFG}, r.weight_a), 'A')
            || setweight(to_tsvector({_CFG}, r.weight_b), 'B')
            || setweight(to_tsvector({_CFG}, r.weight_c), 'C')
            || setweight(to_tsvector({_CFG}, r.weight_d), 'D'),
        {ddl.head_vector_sql("r.terms")},
        r.title_string, r.metadata_created, r.metadata_modified, now()
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        index_id text, id text, site_id text, entity_type text, name text, state text,
        capacity text, dataset_type text, permission_labels text[], terms jsonb,
        facet_values text[], filter_terms text[], stored jsonb,
        data_dict text, validated_data_dict text, title_string text,
        metadata_created timestamptz, metadata_modified timestamptz,
        weight_a jsonb, weight_b jsonb, weight_c jsonb, weight_d jsonb
    )
    ON CONFLICT (index_id) DO UPDATE SET
        id = EXCLUDED.id, site_id = EXCLUDED.site_id, entity_type = EXCLUDED.entity_type,
        name = EXCLUDED.name, state = EXCLUDED.state, capacity = EXCLUDED.capacity,
        dataset_type = EXCLUDED.dataset_type, permission_labels = EXCLUDED.permission_labels,
        terms = EXCLUDED.terms, facet_values = EXCLUDED.facet_values,
        filter_terms = EXCLUDED.filter_terms, stored = EXCLUDED.stored, data_dict = EXCLUDED.data_dict,
        validated_data_dict = EXCLUDED.validated_data_dict, search_vector = EXCLUDED.search_vector,
        head_vector = EXCLUDED.head_vector,
        title_string = EXCLUDED.title_string, metadata_created = EXCLUDED.metadata_created,
        metadata_modified = EXCLUDED.metadata_modified, indexed_ts = EXCLUDED.indexed_ts
"""


def to_row(doc: dict[str, Any]) -> dict[str, Any]:
    """Row values for one Solr document; raises SearchIndexError where Solr would reject it."""
    for required in ("index_id", "id", "site_id"):
        if doc.get(required) in (None, ""):
            raise SearchIndexError(f"Document is missing required field {required!r}")
    terms: dict[str, list[str]] = {}
    weighted: dict[str, list[str]] = {weight: [] for weight in _WEIGHTS}
    for key, value in doc.items():
        if key in _BLOB_FIELDS:
            continue
        field = fields.get_field(key)
        if field.kind in ("string", "text") and type(value) is str:
            # The common case, kept cheap for bulk indexing.
            values = [value]
        else:
            values = [_term(field, item, doc) for item in _flatten(value)]
            if not values:
                continue
        # Solr counts a document once per facet value and matches sets of
        # values, so duplicates (two CSV resources) carry no information.
        terms[key] = list(dict.fromkeys(values))
        if field.weight:
            weighted[field.weight].extend(values)
    row: dict[str, Any] = {column: _first(terms.get(column)) for column in _COLUMNS}
    row.update(
        entity_type=row["entity_type"] or "package",
        permission_labels=terms.get("permission_labels", []),
        terms=terms,
        facet_values=[f"{key}{fields.FACET_SEPARATOR}{value}" for key, values in terms.items()
                      if fields.is_fast_facet(key) for value in values],
        filter_terms=_filter_terms(terms),
        stored={key: value for key, value in doc.items() if key not in _BLOB_FIELDS},
        data_dict=_blob(doc.get("data_dict")),
        validated_data_dict=_blob(doc.get("validated_data_dict")),
        metadata_created=_timestamp(doc, "metadata_created"),
        metadata_modified=_timestamp(doc, "metadata_modified"),
        weight_a=weighted["A"], weight_b=weighted["B"],
        weight_c=weighted["C"], weight_d=weighted["D"],
    )
    return row


# A JSON "\u0000" escape that is not itself an escaped backslash.
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def _filter_terms(terms: dict[str, list[str]]) -> list[str]:
    entries = []
    for key, values in terms.items():
        if key in _COLUMNS or key == "permission_labels":
            continue  # matched through their own columns
        if fields.get_field(key).kind in ("text", "ngram"):
            continue  # matched through the text search, never by exact value
        for value in values:
            entry = fields.filter_entry(key, value)
            if entry is not None:
                entries.append(entry)
    return entries


def rows_payload(rows: Iterable[dict[str, Any]]) -> str:
    """Serialise rows for UPSERT_SQL's ``:rows`` parameter."""
    text = json.dumps(list(rows), ensure_ascii=False, default=_json_default)
    # PostgreSQL text and jsonb cannot hold NUL characters.
    if "\\u0000" in text:
        text = _NUL_ESCAPE.sub(r"\1", text)
    return text


def _flatten(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for item in value if item is not None]
    return [value]


def _term(field: fields.Field, value: Any, doc: dict[str, Any]) -> str:
    try:
        if field.kind == "date":
            return compiler.format_solr_date(_parse_date(value))
        if field.kind in ("int", "float"):
            return compiler.normalise_number(value, field.kind)
    except (ValueError, OverflowError) as error:
        raise SearchIndexError(
            f"Document {doc.get('id')!r}: invalid value {value!r} for {field.kind} field {field.name!r}: {error}")
    return _string(value)


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return compiler.format_solr_date(_aware(value))
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _parse_date(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    return compiler.parse_iso_date(str(value))


def _aware(value: dt.datetime) -> dt.datetime:
    # CKAN's timestamps are naive UTC.
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _timestamp(doc: dict[str, Any], key: str) -> Optional[str]:
    values = _flatten(doc.get(key))
    if not values:
        return None
    return _parse_date(values[0]).isoformat()


def _first(values: Optional[list[str]]) -> Optional[str]:
    return values[0] if values else None


def _blob(value: Any) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)
