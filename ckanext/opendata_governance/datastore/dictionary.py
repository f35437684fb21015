"""The data dictionary of a loaded resource, from the Table Schema it declares.

After each load (ckanext-xloader's ``IXloader.after_upload`` queues a job), a
resource whose ``conforms_to`` (or its dataset's) names a Table Schema gets, for
each DataStore column the schema describes: the schema's French ``title`` as label, its
``description`` as notes, and the column converted to the schema's type
(integer → int, number → numeric, date → date, datetime → timestamp,
boolean → bool, ...).

xloader loads CSV columns as text (its COPY path); the conversion happens in
PostgreSQL, after one scan that checks every value against the schema's own
rules (decimal separator, true/false values, date format), in one ALTER TABLE. A
column holding a value that does not fit stays text, and its dictionary entry
says how many values did not fit and shows one: the load itself never fails
because of the schema.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Optional

import psycopg2
from unidecode import unidecode

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.schema_reference import descriptor as schema_descriptor

log = logging.getLogger(__name__)

#: Table Schema type → DataStore (PostgreSQL) type. Types not listed stay text.
SCHEMA_TYPES = {
    "integer": "int",
    "year": "int",
    "number": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "boolean": "bool",
    "string": "text",
}

#: xloader keeps at most this many characters of a header (PostgreSQL's limit).
_MAX_COLUMN_LENGTH = 63

#: Where a check or conversion puts the column's trimmed text value.
V = "\x00v\x00"

_DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
_DEFAULT_FALSE = ["false", "False", "FALSE", "0"]

#: strftime directives a schema's date format may use, as to_date pattern and regex.
_DIRECTIVES = {
    "Y": ("YYYY", r"\d{4}"), "y": ("YY", r"\d{2}"), "m": ("MM", r"\d{1,2}"),
    "d": ("DD", r"\d{1,2}"), "H": ("HH24", r"\d{1,2}"), "M": ("MI", r"\d{2}"),
    "S": ("SS", r"\d{2}"),
}

__all__ = ["SCHEMA_TYPES", "after_upload", "apply_declared_schema", "apply_schema",
           "schema_reference", "hook_status",
           "guard_dictionary_form"]


def schema_reference(resource: dict[str, Any],
                     dataset: Optional[dict[str, Any]]) -> Optional[str]:
    """The schema the resource declares, else the one its dataset declares."""
    reference = resource.get("conforms_to")
    if not reference and dataset:
        reference = dataset.get("conforms_to")
        for extra in dataset.get("extras") or []:
            if not reference and extra.get("key") == "conforms_to":
                reference = extra.get("value")
    if isinstance(reference, list):
        reference = reference[0] if reference else None
    return reference.strip() if isinstance(reference, str) and reference.strip() else None


def after_upload(resource: dict[str, Any], dataset: dict[str, Any]) -> None:
    """IXloader.after_upload: queue the schema's application once the load is complete.

    xloader calls this from its status callback, for "running_but_viewable" (the
    rows are in, the loader goes on with indexes) and again for "complete". The
    conversion rewrites the table: it runs as a job of its own after the load,
    not in the callback's request (a web request with a time limit, while the
    loader waits for its answer).
    """
    if not schema_reference(resource, dataset):
        return
    status = hook_status()
    if status is None:  # called outside xloader's callback request
        try:
            apply_declared_schema(resource["id"])
        except Exception:  # never fail the caller's load for the dictionary
            log.exception("Data dictionary of %s not applied", resource["id"])
    elif status == "complete":
        tk.enqueue_job(apply_declared_schema, [resource["id"]],
                       title=f"data dictionary of {resource['id']}")


def hook_status() -> Optional[str]:
    """The status xloader posted to xloader_hook in the current request, if any."""
    from flask import has_request_context, request
    if not has_request_context():
        return None
    posted = request.get_json(silent=True)
    status = posted.get("status") if isinstance(posted, dict) else None
    return status if isinstance(status, str) else None


def apply_declared_schema(resource_id: str) -> None:
    """Job: apply the schema the resource (or its dataset) declares to its
    DataStore table; logs and gives up on a schema it cannot read."""
    context: Any = {"ignore_auth": True}
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
        dataset = tk.get_action("package_show")(dict(context), {"id": resource["package_id"]})
    except tk.ObjectNotFound:
        return
    reference = schema_reference(resource, dataset)
    if not reference or not resource.get("datastore_active"):
        return
    try:
        descriptor = schema_descriptor(reference)
    except RuntimeError as error:
        log.warning("Data dictionary of %s: schema not read: %s", resource_id, error)
        return
    try:
        apply_schema(resource_id, descriptor)
    except tk.ObjectNotFound:
        return  # the table went away meanwhile (resource deleted, gate)


def _column_name(name: str) -> str:
    """A schema field name as xloader turns the same header into a column."""
    return unidecode(name).strip()[:_MAX_COLUMN_LENGTH].strip()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _strftime(fmt: str) -> Optional[tuple[str, str]]:
    """A schema date format as a to_date/to_timestamp pattern and a regex,
    or None for a directive not handled here."""
    pattern, regex, i = "", "", 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%":
            directive = _DIRECTIVES.get(fmt[i + 1:i + 2])
            if not directive:
                return None
            pattern += directive[0]
            regex += directive[1]
            i += 2
            continue
        pattern += '"' + char + '"' if char.isalpha() else char
        regex += re.escape(char)
        i += 1
    return pattern, "^" + regex + "$"


def _conversion(field: dict[str, Any], target: str
                ) -> Optional[tuple[str, str]]:
    """(check, expression) of a text value (``V``) for the schema field: the check
    is true for a value that fits, the expression gives the typed value."""
    fmt = field.get("format") or "default"
    if target == "int":
        if field.get("type") == "year":
            return V + r" ~ '^\d{4}$'", V + "::int"
        return ("CASE WHEN " + V + r" ~ '^[+-]?\d{1,18}$' THEN " + V + "::int8 BETWEEN "
                "-2147483648 AND 2147483647 ELSE false END", V + "::int")
    if target == "numeric":
        decimal = field.get("decimalChar", ".")
        group = field.get("groupChar", "")
        value = V
        if group:
            value = f"replace({value}, {_literal(group)}, '')"
        if decimal != ".":
            value = f"replace({value}, {_literal(decimal)}, '.')"
        return (value + r" ~ '^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$'",
                f"({value})::numeric")
    if target == "bool":
        trues = field.get("trueValues") or _DEFAULT_TRUE
        falses = field.get("falseValues") or _DEFAULT_FALSE
        true_list = ", ".join(_literal(t) for t in trues)
        false_list = ", ".join(_literal(f) for f in falses)
        return (f"{V} IN ({true_list}, {false_list})",
                f"CASE WHEN {V} IN ({true_list}) THEN true "
                f"WHEN {V} IN ({false_list}) THEN false END")
    if target in ("date", "timestamp", "time"):
        if fmt in ("default", "any"):
            regex = {"date": r"^\d{4}-\d{2}-\d{2}$",
                     "timestamp": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                                  r"(Z|[+-]\d{2}(:?\d{2})?)?$",
                     "time": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"}[target]
            return f"{V} ~ {_literal(regex)}", f"{V}::{target}"
        parsed = _strftime(fmt)
        if not parsed or target == "time":
            return None
        pattern, regex = parsed
        function = "to_date" if target == "date" else "to_timestamp"
        return (f"{V} ~ {_literal(regex)}",
                f"{function}({V}, {_literal(pattern)})::{target}")
    return None


def apply_schema(resource_id: str, descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """Give the resource's DataStore columns the schema's types, labels and
    descriptions; the dictionary entries written (one per column)."""
    from ckanext.datastore.backend.postgres import get_write_engine

    info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    columns = [f for f in info["fields"] if not f["id"].startswith("_")]
    by_name = {}
    for field in descriptor.get("fields") or []:
        if isinstance(field, dict) and isinstance(field.get("name"), str):
            by_name.setdefault(field["name"], field)
            by_name.setdefault(_column_name(field["name"]), field)

    table = _quote(resource_id)
    engine = get_write_engine()
    wanted: dict[str, tuple[str, str, str]] = {}  # column → (target, check, expression)
    rejected: dict[str, dict[str, Any]] = {}
    for column in columns:
        field = by_name.get(column["id"])
        if not field:
            continue
        target = SCHEMA_TYPES.get(field.get("type", "string"), "text")
        if target == column["type"] or target == "text":
            continue
        conversion = _conversion(field, target)
        if conversion is None:
            rejected[column["id"]] = {"schema_rejected": 0}
            continue
        wanted[column["id"]] = (target, *conversion)

    if wanted:
        _check_values(engine, table, columns, wanted, rejected)
        _convert(engine, table, columns, wanted, rejected)

    current = {f["id"]: f["type"] for f in tk.get_action("datastore_info")(
        {"ignore_auth": True}, {"id": resource_id})["fields"]}
    fields = []
    for column in columns:
        entry: dict[str, Any] = {"id": column["id"], "type": current[column["id"]]}
        if "strip_extra_white" in column:
            entry["strip_extra_white"] = column["strip_extra_white"]
        field_info = dict(column.get("info") or {})
        for stale in ("schema_type", "schema_rejected", "schema_rejected_example"):
            field_info.pop(stale, None)
        field = by_name.get(column["id"])
        if field:
            if field.get("title"):
                field_info["label"] = field["title"]
            if field.get("description"):
                field_info["notes"] = field["description"]
            field_info["schema_type"] = field.get("type", "string")
            field_info.update(rejected.get(column["id"], {}))
        entry["info"] = field_info
        fields.append(entry)
    tk.get_action("datastore_create")({"ignore_auth": True}, {
        "resource_id": resource_id, "force": True, "fields": fields})
    if rejected:
        log.info("Data dictionary of %s: kept as text, values not fitting the schema: %s",
                 resource_id, rejected)
    return fields


def _value(column: dict[str, Any]) -> str:
    source = _quote(column["id"]) + ("" if column["type"] == "text" else "::text")
    return f"NULLIF(btrim({source}), '')"


def _sql(engine: Any, statement: str, fetch: bool = False) -> Any:
    """Run one statement in its own transaction through the driver itself (the
    statement quotes its own literals; no placeholder syntax to escape)."""
    with engine.begin() as conn:
        cursor = conn.connection.cursor()
        try:
            cursor.execute("SET LOCAL lock_timeout = '15s'")
            cursor.execute(statement)
            return cursor.fetchone() if fetch else None
        finally:
            cursor.close()


def _alter(engine: Any, table: str, names: list[str], clauses: str) -> None:
    """ALTER TABLE in one transaction with the indexes on the converted columns
    dropped first: DataStore's full-text index of a text column (to_tsvector on
    it) cannot follow a new type; other indexes are created again."""
    names_sql = ", ".join(_literal(name) for name in names)
    with engine.begin() as conn:
        cursor = conn.connection.cursor()
        try:
            cursor.execute("SET LOCAL lock_timeout = '15s'")
            cursor.execute(
                "SELECT DISTINCT c.relname, pg_get_indexdef(c.oid) FROM pg_depend d "
                "JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'i' "
                "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                f"WHERE d.refobjid = {_literal(table)}::regclass AND a.attname IN ({names_sql})")
            indexes = cursor.fetchall()
            for index_name, _definition in indexes:
                cursor.execute(f"DROP INDEX {_quote(index_name)}")
            cursor.execute(f"ALTER TABLE {table} {clauses}")
            for _index_name, definition in indexes:
                if "to_tsvector" not in definition:
                    cursor.execute(definition)
        finally:
            cursor.close()


def _check_values(engine: Any, table: str, columns: list[dict[str, Any]],
                  wanted: dict[str, tuple[str, str, str]],
                  rejected: dict[str, dict[str, Any]]) -> None:
    """One scan of the table: per column, how many values do not fit, and one of them."""
    types = {c["id"]: c for c in columns}
    selects = []
    for name, (_target, check, _expression) in wanted.items():
        bad = f"({V} IS NOT NULL AND NOT ({check}))".replace(V, _value(types[name]))
        selects.append(f"count(*) FILTER (WHERE {bad}), "
                       f"min({_value(types[name])}) FILTER (WHERE {bad})")
    row = _sql(engine, f"SELECT {', '.join(selects)} FROM {table}", fetch=True)
    for index, name in enumerate(list(wanted)):
        count, example = row[2 * index], row[2 * index + 1]
        if count:
            rejected[name] = {"schema_rejected": count, "schema_rejected_example": example}
            del wanted[name]


def _convert(engine: Any, table: str, columns: list[dict[str, Any]],
             wanted: dict[str, tuple[str, str, str]],
             rejected: dict[str, dict[str, Any]]) -> None:
    """One ALTER TABLE for every column whose values all fit; if PostgreSQL
    still refuses one (e.g. 30 February), column by column."""
    types = {c["id"]: c for c in columns}

    def clause(name: str) -> str:
        target, _check, expression = wanted[name]
        return (f"ALTER COLUMN {_quote(name)} TYPE {target} USING "
                f"({expression.replace(V, _value(types[name]))})")

    if not wanted:
        return
    try:
        _alter(engine, table, list(wanted), ", ".join(clause(name) for name in wanted))
        return
    except psycopg2.Error:
        pass
    for name in list(wanted):
        try:
            _alter(engine, table, [name], clause(name))
        except psycopg2.Error as error:
            log.warning("Column %s of %s kept as text: %s", name, table, error)
            rejected[name] = {"schema_rejected": 0}


def guard_dictionary_form(app: Any) -> Any:
    """Core's Data Dictionary form answers 404 to a reader who is not an editor;
    answer 403 (the resource exists and they may see it), 404 only to those
    who cannot see the dataset."""
    endpoint = "datastore.dictionary"
    view = app.view_functions.get(endpoint)
    if view is None:
        return app

    def guarded(id: str, resource_id: str, **kwargs: Any) -> Any:
        from ckan.common import current_user
        context = {"user": current_user.name, "auth_user_obj": current_user}
        try:
            tk.check_access("resource_show", dict(context), {"id": resource_id})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            return tk.abort(404, tk._("Resource not found"))
        try:
            tk.check_access("datastore_create", dict(context), {"resource_id": resource_id})
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the dataset's editors can edit its data "
                                      "dictionary"))
        return view(id=id, resource_id=resource_id, **kwargs)

    guarded.__name__ = getattr(view, "__name__", "dictionary")
    app.view_functions[endpoint] = guarded
    return app
