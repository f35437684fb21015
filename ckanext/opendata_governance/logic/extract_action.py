"""Actions of table extraction: preview the tables of a PDF or spreadsheet resource,
extract the chosen ones into a new CSV resource of the same dataset."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from typing import Any, Iterator, Optional

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from werkzeug.datastructures import FileStorage

from ckanext.opendata_governance import resource_source
from ckanext.opendata_governance.extract import ChoiceError, ExtractError, ExtractLimits, Table
from ckanext.opendata_governance.extract import csvout, pipeline
from ckanext.opendata_governance.extract import resource as source
from ckanext.opendata_governance.logic import schema
from ckanext.suite.file_limits import FileError

__all__ = ["resource_table_preview", "resource_table_extract"]

def _resource(resource_id: str) -> dict[str, Any]:
    return tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})


@contextlib.contextmanager
def _local_file(resource: dict[str, Any], limits: ExtractLimits) -> Iterator[str]:
    try:
        with source.local_file(resource, limits.max_bytes) as path:
            yield path
    except source.SourceError as error:
        raise tk.ValidationError({"id": [str(error)]})


def _refusal(error: FileError, field: str = "id") -> tk.ValidationError:
    return tk.ValidationError({field: [error.translated(tk._)]})


def _pages(data: dict[str, Any]) -> Optional[list[int]]:
    if not data.get("pages"):
        return None
    try:
        return pipeline.parse_pages(data["pages"])
    except ExtractError as error:
        raise _refusal(error, "pages")


@tk.side_effect_free
def resource_table_preview(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The tables found in a PDF, XLSX or ODS resource, for the producer to choose from.

    :param id: id of the resource
    :param pages: PDF pages to read, e.g. ``"3-7,9"`` (optional, all by default)
    :param sheets: names of the sheets to read (optional, all by default)
    :returns: ``{"format": ..., "tables": [{"index", "location", "pages", "header",
        "first_rows", "row_count", "confidence"}, ...]}``
    """
    tk.check_access("resource_table_preview", context, data_dict)
    data = schema.validate(data_dict, schema.table_preview(), context)
    resource = _resource(data["id"])
    fmt = source.format_of(resource)
    pages = _pages(data)
    limits = ExtractLimits()
    with _local_file(resource, limits) as path:
        try:
            tables = pipeline.preview_path(path, fmt, limits, data.get("sheets"), pages)
        except FileError as error:
            raise _refusal(error)
    return {"format": fmt, "tables": tables}



def _provenance(resource: dict[str, Any], fmt: str, table: Table,
                data: dict[str, Any]) -> dict[str, Any]:
    library = pipeline.library_of(fmt)
    return {
        "extraction_source": resource["id"],
        "extraction_location": table.location,
        "extraction_pages": ",".join(str(page) for page in table.pages),
        "extraction_tables": ",".join(str(i) for i in data.get("tables") or []),
        "extraction_date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "extraction_library": library,
    }


def resource_table_extract(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Extract tables of a PDF, XLSX or ODS resource into a new CSV resource (UTF-8, comma)
    of the same dataset, created by ``resource_create`` as the caller: the dataset's
    checks and the publication gate apply to it as to any new resource.

    :param id: id of the source resource
    :param tables: numbers of the tables to extract (from ``resource_table_preview``),
        which must share one header (optional, all by default)
    :param pages: PDF pages to read, e.g. ``"3-7"`` (optional)
    :param sheets: names of the sheets to read (optional)
    :param columns: new names of the columns, in order (optional)
    :param name: name of the new resource (optional)
    :returns: the new resource, whose ``extraction_*`` fields say where it comes from
    """
    tk.check_access("resource_table_extract", context, data_dict)
    data = schema.validate(data_dict, schema.table_extract(), context)
    resource = _resource(data["id"])
    fmt = source.format_of(resource)
    pages = _pages(data)
    limits = ExtractLimits()
    with _local_file(resource, limits) as path:
        try:
            table = pipeline.extract_path(path, fmt, data.get("tables"), limits,
                                          data.get("sheets"), pages)
        except FileError as error:
            raise _refusal(error, "tables" if isinstance(error, ChoiceError) else "id")
    text = io.StringIO(newline="")
    try:
        count = csvout.write_csv(table, text, data.get("columns"))
    except ExtractError as error:
        raise _refusal(error, "columns")
    base = os.path.splitext(resource.get("name") or resource_source.file_name(resource)
                            or "tableau")[0]
    name = data.get("name") or "{} ({})".format(base, table.location)
    upload = FileStorage(stream=io.BytesIO(text.getvalue().encode("utf-8")),
                         filename=_csv_name(name), content_type="text/csv")
    created_context: Any = {"user": context.get("user"),
                            "ignore_auth": context.get("ignore_auth", False)}
    created = tk.get_action("resource_create")(created_context, {
        "package_id": resource["package_id"], "name": name, "format": "CSV",
        "mimetype": "text/csv", "upload": upload,
        "description": tk._("Table extracted from {source} ({location}): {rows} rows.").format(
            source=resource.get("name") or resource["id"], location=table.location,
            rows=count),
        **_provenance(resource, fmt, table, data)})
    return created


def _csv_name(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
    return (safe or "tableau")[:80] + ".csv"
