"""References into the DataStore: a reuse's query on a resource's table, a feedback's row.

Both are checked with the caller's own rights (CKAN's ``datastore_search`` and its
``resource_show`` auth): a private resource cannot be named by someone who cannot read
it, and what is stored is shown back only to those who can.
"""
from __future__ import annotations

import json
import urllib.parse
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

__all__ = ["MAX_FILTERS", "MAX_VALUES", "MAX_TEXT", "MAX_SORT", "MAX_ROW_FIELDS",
           "parse_query", "check_query", "query_for", "check_row", "row_for"]

#: Bounds of a reuse's query.
MAX_FILTERS = 10
MAX_VALUES = 20  # values of one filter (a list means "any of")
MAX_TEXT = 200   # characters of q, of a filter value, of the sort
MAX_SORT = 3     # sorted fields
#: Bounds of a quoted row: fields kept, characters per value.
MAX_ROW_FIELDS = 50
MAX_ROW_VALUE = 500

FIELD = "datastore_query"


def _error(message: str, field: str = FIELD) -> tk.ValidationError:
    return tk.ValidationError({field: [message]})


def _caller(context: Context) -> Context:
    """A fresh context with the caller's rights only."""
    fresh: Context = {"user": context.get("user") or ""}
    if context.get("ignore_auth"):
        fresh["ignore_auth"] = True
    return fresh


def _readable_resource(context: Context, resource_id: str, field: str
                       ) -> model.Resource:
    """The active resource, readable by the caller and loaded in the DataStore."""
    resource = model.Resource.get(resource_id) if resource_id else None
    # A resource the caller cannot read is "not found": its existence is not theirs to learn.
    if resource is None or resource.state != "active" or not _may_read(context, resource):
        raise _error(tk._("Resource not found"), field)
    if not resource.extras.get("datastore_active"):
        raise _error(tk._("This resource has no data table (DataStore)"), field)
    return resource


def _may_read(context: Context, resource: model.Resource) -> bool:
    if context.get("ignore_auth"):
        return True
    try:
        tk.check_access("resource_show", _caller(context), {"id": resource.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _search(context: Context, params: dict[str, Any], field: str) -> dict[str, Any]:
    if not p.plugin_loaded("datastore"):
        raise _error(tk._("The DataStore is not enabled on this portal"), field)
    try:
        return tk.get_action("datastore_search")(_caller(context), params)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        raise _error(tk._("Resource not found"), field)
    except tk.ValidationError as error:
        details = "; ".join(
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in error.error_dict.items() if not key.startswith("__"))
        raise _error(tk._("The DataStore refuses this query: {details}").format(
            details=details or tk._("invalid query")), field)


# -- a reuse's query -----------------------------------------------------------------------


def parse_query(value: Any) -> Optional[dict[str, Any]]:
    """A query as the API or a form sends it (a dict or its JSON text); None when empty.

    Keys: ``resource_id`` (required), ``filters`` (a dict, or its JSON text), ``q``
    and ``sort`` (text). Shapes and sizes are checked here; fields and rights by
    :func:`check_query`.
    """
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        if len(value) > 10000:
            raise _error(tk._("The query is too long"))
        try:
            value = json.loads(value)
        except ValueError:
            raise _error(tk._("The query must be a JSON object"))
    if not isinstance(value, dict):
        raise _error(tk._("The query must be a JSON object"))
    unknown = sorted(set(value) - {"resource_id", "filters", "q", "sort"})
    if unknown:
        raise _error(tk._("Unknown query keys: {keys}").format(keys=", ".join(unknown)))
    resource_id = value.get("resource_id")
    if not isinstance(resource_id, str) or not resource_id.strip():
        raise _error(tk._("Name the resource whose table is queried (resource_id)"))
    filters = value.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise _error(tk._("The filters must be a JSON object: field to value"))
    if not isinstance(filters, dict):
        raise _error(tk._("The filters must be a JSON object: field to value"))
    if len(filters) > MAX_FILTERS:
        raise _error(tk._("At most {n} filters").format(n=MAX_FILTERS))
    clean: dict[str, Any] = {}
    for key, wanted in filters.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or len(values) > MAX_VALUES:
            raise _error(tk._("A filter takes 1 to {n} values").format(n=MAX_VALUES))
        for item in values:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or (
                    len(str(item)) > MAX_TEXT):
                raise _error(tk._(
                    "Filter values are texts or numbers of at most {n} characters"
                ).format(n=MAX_TEXT))
        clean[str(key)] = wanted
    query: dict[str, Any] = {"resource_id": resource_id.strip(), "filters": clean}
    for key in ("q", "sort"):
        text = value.get(key)
        if text in (None, ""):
            continue
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise _error(tk._("{key}: a text of at most {n} characters").format(
                key=key, n=MAX_TEXT))
        query[key] = text.strip()
    return query


def _sort_fields(sort: str) -> list[str]:
    parts = [part.strip() for part in sort.split(",") if part.strip()]
    if len(parts) > MAX_SORT:
        raise _error(tk._("Sort on at most {n} fields").format(n=MAX_SORT))
    names = []
    for part in parts:
        words = part.rsplit(" ", 1)
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            part = words[0].strip()
        names.append(part.strip('"'))
    return names


def check_query(context: Context, query: dict[str, Any]) -> dict[str, Any]:
    """The query checked against its resource's table as the caller: the resource is
    readable and in the DataStore, filters and sort name its fields, and the DataStore
    runs it. Returns what is stored."""
    resource = _readable_resource(context, query["resource_id"], FIELD)
    info = _search(context, {"resource_id": resource.id, "limit": 0}, FIELD)
    fields = {field["id"] for field in info.get("fields", [])}
    unknown = [key for key in query["filters"] if key not in fields]
    unknown += [name for name in _sort_fields(query.get("sort", "")) if name not in fields]
    if unknown:
        raise _error(tk._("No such field in the resource's table: {names}").format(
            names=", ".join(sorted(set(unknown)))))
    params = {"resource_id": resource.id, "limit": 1, "filters": query["filters"],
              **{key: query[key] for key in ("q", "sort") if key in query}}
    _search(context, params, FIELD)
    return {**query, "resource_id": resource.id}


def query_for(context: Context, stored: Any) -> Optional[dict[str, Any]]:
    """A stored query as the caller may see it: None unless they can read the resource;
    else the query with links that run it (the Data API, the resource's page)."""
    if not isinstance(stored, dict) or not stored.get("resource_id"):
        return None
    resource = model.Resource.get(stored["resource_id"])
    if resource is None or resource.state != "active" or not _may_read(context, resource):
        return None
    package = resource.package
    if package is None or package.state != "active":
        return None
    params: dict[str, str] = {"resource_id": resource.id}
    if stored.get("filters"):
        params["filters"] = json.dumps(stored["filters"], ensure_ascii=False,
                                       separators=(",", ":"))
    for key in ("q", "sort"):
        if stored.get(key):
            params[key] = stored[key]
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    return {
        "resource_id": resource.id,
        "resource_name": resource.name or resource.id,
        "package_name": package.name,
        "filters": stored.get("filters") or {},
        "q": stored.get("q") or "",
        "sort": stored.get("sort") or "",
        "api_url": f"{site}/api/3/action/datastore_search?"
                   + urllib.parse.urlencode(params),
        "resource_url": f"{site}/dataset/{package.name}/resource/{resource.id}",
    }


# -- a feedback's row ----------------------------------------------------------------------


def check_row(context: Context, resource_id: Optional[str], row_id: int
              ) -> list[list[Any]]:
    """The row ``_id`` = ``row_id`` of the resource's table, read as the caller: its
    fields and values (bounded), in the table's order. A ValidationError on
    ``row_id`` when the resource is not named, not readable, has no table or no such row."""
    if not resource_id:
        raise _error(tk._("Choose the resource the row belongs to"), "row_id")
    resource = _readable_resource(context, resource_id, "row_id")
    found = _search(context, {"resource_id": resource.id, "filters": {"_id": row_id},
                              "limit": 1}, "row_id")
    if not found.get("records"):
        raise _error(tk._("Row {n} not found in the resource's table").format(n=row_id),
                     "row_id")
    record = found["records"][0]
    names = [field["id"] for field in found.get("fields", []) if field["id"] != "_id"]
    return [[name, _bounded(record.get(name))] for name in names[:MAX_ROW_FIELDS]]


def _bounded(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_ROW_VALUE else text[:MAX_ROW_VALUE - 1] + "…"


def row_for(row_id: Optional[int], values: Any) -> Optional[dict[str, Any]]:
    """A stored row quote as the feedback's handlers see it."""
    if row_id is None:
        return None
    return {"id": row_id, "values": [list(pair) for pair in values or []]}
