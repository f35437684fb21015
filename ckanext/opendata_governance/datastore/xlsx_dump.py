"""The DataStore dump as an XLSX workbook: ``/datastore/dump/<id>?format=xlsx``.

Core's dump writes csv, tsv, json and xml only; its route answers every format, so the
xlsx one is served before it (a blueprint's ``before_app_request``), with the same
parameters (q, filters, sort, fields, limit, offset) and the same permission: every page
of rows is read through ``datastore_search`` as the caller.
"""
from __future__ import annotations

import json
import tempfile
from typing import Any, Iterator, Optional

from flask import Blueprint, request, send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from werkzeug.wrappers.response import Response

import ckan.plugins.toolkit as tk
from ckanext.datastore.blueprint import dump_schema

__all__ = ["datastore_xlsx_dump"]

datastore_xlsx_dump = Blueprint("governance_datastore_xlsx", __name__)

#: A worksheet holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
_PAGE = 10_000
_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SEARCH_PARAMS = ("filters", "q", "distinct", "plain", "language", "fields", "sort")


@datastore_xlsx_dump.before_app_request
def _dump_as_xlsx() -> Optional[Response]:
    if request.endpoint != "datastore.dump" or request.args.get("format") != "xlsx":
        return None
    resource_id = (request.view_args or {})["resource_id"]
    args = {k: v for k, v in request.args.to_dict().items() if k != "format"}
    data, errors = tk.navl_validate(args, dump_schema())
    if errors:
        tk.abort(400, "\n".join(f"{k}: {' '.join(e)}" for k, e in errors.items()))
    search = {k: data[k] for k in _SEARCH_PARAMS if data.get(k) not in (None, "")}
    workbook = _workbook(resource_id, search, data["offset"], data.get("limit"))
    return send_file(workbook, mimetype=_MIMETYPE, as_attachment=True,
                     download_name=f"{resource_id}.xlsx")


def _workbook(resource_id: str, search: dict[str, Any], offset: int,
              limit: Optional[int]) -> Any:
    pages = _pages(resource_id, search, offset, limit)
    fields = next(pages)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="données")
    sheet.append([f["id"] for f in fields])
    for records in pages:
        for record in records:
            sheet.append([_cell(sheet, value) for value in record])
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    book.save(spool)
    spool.seek(0)
    return spool


def _pages(resource_id: str, search: dict[str, Any], offset: int,
           limit: Optional[int]) -> Iterator[Any]:
    """The fields, then each page of rows (lists), read as the caller."""
    first = _search(resource_id, search, offset, _PAGE if limit is None
                    else min(_PAGE, limit), include_total=True)
    wanted = first["total"] - offset if limit is None else min(limit, first["total"] - offset)
    if wanted > XLSX_MAX_ROWS:
        tk.abort(409, tk._("Too many rows for an XLSX workbook ({n}; at most {max}): "
                           "download as CSV, or add filters.").format(
            n=tk.h.localised_number(wanted), max=tk.h.localised_number(XLSX_MAX_ROWS)))
    yield [f for f in first["fields"] if f["id"] != "_id" or "fields" in search]
    page, done = first, 0
    while page["records"]:
        yield _without_id(page, search)
        done += len(page["records"])
        if done >= wanted or len(page["records"]) < page["limit"]:
            return
        page = _search(resource_id, search, offset + done, min(page["limit"], wanted - done))


def _search(resource_id: str, search: dict[str, Any], offset: int, limit: int,
            include_total: bool = False) -> dict[str, Any]:
    try:
        return tk.get_action("datastore_search")({}, {
            **search, "resource_id": resource_id, "offset": offset, "limit": limit,
            "records_format": "lists", "include_total": include_total})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("DataStore resource not found"))
    except tk.ValidationError as error:
        tk.abort(409, "; ".join(f"{k}: {v}" for k, v in error.error_dict.items()))
    raise AssertionError("unreachable")


def _without_id(page: dict[str, Any], search: dict[str, Any]) -> list[list[Any]]:
    if "fields" in search or not page["fields"] or page["fields"][0]["id"] != "_id":
        return page["records"]
    return [record[1:] for record in page["records"]]


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, str):
        return value
    # Text stays text: a value starting with "=" must not become a formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell
