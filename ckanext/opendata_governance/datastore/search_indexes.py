"""Indexes on the DataStore table of a resource that declares a Table Schema.

xloader indexes no column of the table it loads (only its full-text column), so a
``datastore_search`` with filters reads the whole table: 1,000,000 rows took hundreds
of milliseconds where ``package_show`` takes a few (README, bench/datastore.py). After
each load (``IXloader.after_upload``), a job asks the DataStore, through
``datastore_create``'s own ``indexes``, for one index per column the schema says is
looked up: its primary and foreign keys, and its coded columns (a list of values, a
pattern, a boolean, a date). The job runs in the worker, after xloader's, so that the
hook's HTTP request is not held while PostgreSQL builds the indexes.
"""
from __future__ import annotations

import json
import logging
import pathlib
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

__all__ = ["indexed_fields", "after_upload", "index_resource"]

_SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "table_schemas"
#: At most this many indexes per table: each one costs load time and disk.
MAX_INDEXES = 8
#: Building them on 1,000,000 rows takes minutes on a busy machine (bench/datastore.py):
#: longer than the DataStore's statement timeout (60 s) and the jobs' default (180 s).
INDEX_TIMEOUT_S = 3600


def _descriptor(reference: Any) -> dict[str, Any] | None:
    """The Table Schema a resource declares, if shipped with the plugin or inline
    (no fetch from the worker)."""
    text = str(reference or "").strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return None
    known = json.loads((_SCHEMAS / "index.json").read_text(encoding="utf-8")).get(text)
    if not known:
        return None
    return json.loads((_SCHEMAS / known).read_text(encoding="utf-8"))


def indexed_fields(schema: dict[str, Any]) -> list[str]:
    """The columns of ``schema`` worth an index, keys first."""
    keys = schema.get("primaryKey") or []
    names = [keys] if isinstance(keys, str) else list(keys)
    for foreign in schema.get("foreignKeys") or []:
        fields = foreign.get("fields") or []
        names += [fields] if isinstance(fields, str) else list(fields)
    for field in schema.get("fields") or []:
        constraints = field.get("constraints") or {}
        if ("enum" in constraints or "pattern" in constraints
                or field.get("type") in ("boolean", "date", "datetime")):
            names.append(field["name"])
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen[:MAX_INDEXES]


def after_upload(context: Any, resource: dict[str, Any], dataset: dict[str, Any]) -> None:
    """``IXloader.after_upload``: queue the indexing of a schema-bound resource."""
    if _descriptor(resource.get("conforms_to")):
        tk.enqueue_job(index_resource, [resource["id"]],
                       title=f"DataStore indexes of {resource['id']}",
                       rq_kwargs={"timeout": INDEX_TIMEOUT_S})


def index_resource(resource_id: str) -> list[str]:
    """Create the indexes of a resource's DataStore table; the indexed columns."""
    context: dict[str, Any] = {"ignore_auth": True}
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    except tk.ObjectNotFound:
        return []  # deleted since the load
    schema = _descriptor(resource.get("conforms_to"))
    if not schema or not resource.get("datastore_active"):
        return []
    columns = {field["id"] for field in tk.get_action("datastore_search")(
        dict(context), {"resource_id": resource_id, "limit": 0})["fields"]}
    fields = [name for name in indexed_fields(schema) if name in columns]
    # xloader calls after_upload when the rows are viewable and again when its job
    # is complete: the second job finds the indexes made and does nothing.
    if fields and not set(fields) <= _indexed_columns(resource_id):
        tk.get_action("datastore_create")(
            dict(context, query_timeout=INDEX_TIMEOUT_S * 1000),
            {"resource_id": resource_id, "force": True, "indexes": fields})
        # The planner has no statistics of the loaded table (measured: none after
        # xloader's load), so it combined a one-row lookup with an index matching half
        # the rows: 77 ms instead of 0.1 ms on 948,000 rows.
        from ckanext.datastore.backend.postgres import get_write_engine
        with get_write_engine().begin() as connection:
            connection.execute(sa.text('ANALYZE "{}"'.format(resource_id.replace('"', ""))))
        log.info("DataStore indexes of %s: %s", resource_id, ", ".join(fields))
    return fields


def _indexed_columns(resource_id: str) -> set[str]:
    """The columns of the table that lead an index."""
    from ckanext.datastore.backend.postgres import get_read_engine
    with get_read_engine().connect() as connection:
        return set(connection.execute(sa.text(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
            "WHERE c.relname = :table"), {"table": resource_id}).scalars())
