"""Data API examples built on a loaded resource's own columns and first row."""
from __future__ import annotations

import json
from typing import Any, Optional

import ckan.plugins.toolkit as tk

__all__ = ["resource_api_examples", "DUMP_FORMATS"]

#: The DataStore dump formats the page offers (core also has tsv and xml).
DUMP_FORMATS = ("csv", "json", "xlsx")


def resource_api_examples(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Ready-to-run Data API calls on a resource loaded into the DataStore, for the
    caller who may read it; None otherwise.

    :returns: ``search`` (first rows), ``filter`` and ``q`` (a column and a value of
        the first row), ``sql`` (None unless ``ckan.datastore.sqlsearch.enabled``),
        ``field`` and ``value`` used, and ``dumps`` (format → download URL)
    """
    if not resource.get("datastore_active"):
        return None
    try:
        sample = tk.get_action("datastore_search")(
            {}, {"resource_id": resource["id"], "limit": 1})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None
    field, value = _example_cell(sample)
    rid = resource["id"]
    return {
        "field": field,
        "value": value,
        "search": _action_url("datastore_search", resource_id=rid, limit=5),
        "filter": field and _action_url(
            "datastore_search", resource_id=rid,
            filters=json.dumps({field: value}, ensure_ascii=False)),
        "q": field and _action_url("datastore_search", resource_id=rid, q=value),
        "sql": field and _sql_url(rid, field, value),
        "dumps": {fmt: tk.url_for("datastore.dump", resource_id=rid, format=fmt,
                                  qualified=True)
                  for fmt in DUMP_FORMATS},
    }


def _example_cell(sample: dict[str, Any]) -> tuple[Optional[str], Optional[str]]:
    """A column and its value in the first row: a word if any column holds one (a
    full-text search for a word reads better than for a number), else the first value."""
    record = (sample.get("records") or [{}])[0]
    fields = [f["id"] for f in sample.get("fields", []) if f["id"] != "_id"]
    filled = [(f, str(record[f])) for f in fields if record.get(f) not in (None, "")]
    words = [(f, v) for f, v in filled if any(c.isalpha() for c in v)]
    if words or filled:
        return (words or filled)[0]
    return (fields[0], "") if fields else (None, None)


def _action_url(action: str, **params: Any) -> str:
    return tk.url_for("api.action", ver=3, logic_function=action, qualified=True,
                      **params)


def _sql_url(resource_id: str, field: str, value: Optional[str]) -> Optional[str]:
    if not tk.h.datastore_search_sql_enabled():
        return None
    quoted = (value or "").replace("'", "''")
    column = field.replace('"', '""')
    sql = f'SELECT * FROM "{resource_id}" WHERE "{column}" = \'{quoted}\' LIMIT 5'
    return _action_url("datastore_search_sql", sql=sql)
