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
    """The first text column with a value in the first row (else any column)."""
    records = sample.get("records") or [{}]
    fields = [f for f in sample.get("fields", []) if f["id"] != "_id"]
    ordered = ([f for f in fields if f.get("type") == "text"]
               + [f for f in fields if f.get("type") != "text"])
    for f in ordered:
        value = records[0].get(f["id"])
        if value not in (None, ""):
            return f["id"], str(value)
    return (ordered[0]["id"], "") if ordered else (None, None)


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
