"""Indexes on the DataStore table of a resource that declares a Table Schema.

xloader indexes no column of the table it loads (only its full-text column), so a
``datastore_search`` with filters reads the whole table: 1,000,000 rows took hundreds
of milliseconds where ``package_show`` takes a few (README, bench/datastore.py). After
each load (``IXloader.after_upload``), a job creates one index per column the schema
says is looked up: its primary and foreign keys, and its coded columns (a list of
values, a pattern, a boolean, a date). The job runs in the worker, after xloader's, so
that the hook's HTTP request is not held while PostgreSQL builds the indexes.

The indexes are created with ``CREATE INDEX`` on the DataStore's write connection, not
through ``datastore_create``'s ``indexes``: that drops every index of the table and
builds them all again, the full-text one included, which xloader has just built (84 of
the job's 130 s on 948,000 rows, bench/datastore.py). xloader drops them before its next
load (its ``COPY`` is faster without them) and this job creates them again after it.
"""
from __future__ import annotations

import hashlib
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
    """``IXloader.after_upload``: queue the indexing of a schema-bound resource once
    xloader's job is complete, after the data dictionary's job (queued before it),
    whose change of column types rewrites the table and every index on it."""
    from ckanext.opendata_governance.datastore import dictionary
    if dictionary.hook_status() not in (None, "complete"):
        return  # "running_but_viewable": the same callback comes again when complete
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
    # Safe to run twice (a load of the same file, a retried job): what exists stays.
    missing = [name for name in fields if name not in _indexed_columns(resource_id)]
    if missing:
        from ckanext.datastore.backend.postgres import get_write_engine
        with get_write_engine().begin() as connection:
            for name in missing:
                connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS {} ON {} ({})".format(
                    _quoted(_index_name(resource_id, name)), _quoted(resource_id),
                    _quoted(name)))
            # The planner has no statistics of the loaded table (measured: none after
            # xloader's load), so it combined a one-row lookup with an index matching
            # half the rows: 77 ms instead of 0.1 ms on 948,000 rows.
            connection.exec_driver_sql("ANALYZE {}".format(_quoted(resource_id)))
        log.info("DataStore indexes of %s: %s", resource_id, ", ".join(missing))
    return fields


def _quoted(identifier: str) -> str:
    """A PostgreSQL identifier, for SQL sent without parameters (no bind markers)."""
    return '"{}"'.format(identifier.replace('"', '""'))


def _index_name(resource_id: str, column: str) -> str:
    """A name of at most 63 characters (PostgreSQL's limit), one per column."""
    digest = hashlib.sha1(f"{resource_id} {column}".encode("utf-8")).hexdigest()
    return f"{resource_id[:36]}_{digest[:20]}"


def _indexed_columns(resource_id: str) -> set[str]:
    """The columns of the table that lead an index."""
    from ckanext.datastore.backend.postgres import get_read_engine
    with get_read_engine().connect() as connection:
        return set(connection.execute(sa.text(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
            "WHERE c.relname = :table"), {"table": resource_id}).scalars())
