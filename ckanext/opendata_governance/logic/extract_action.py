"""Actions of table extraction: preview the tables of a PDF or spreadsheet resource,
extract the chosen ones into a CSV resource of the same dataset (new, or an earlier
extraction brought up to date), in a background job for big files."""
from __future__ import annotations

import contextlib
import io
import os
import tempfile
from typing import Any, Iterator, Optional

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from werkzeug.datastructures import FileStorage

from ckanext.opendata_governance import resource_source, schema_reference
from ckanext.opendata_governance.extract import ChoiceError, ExtractError, ExtractLimits, Table
from ckanext.opendata_governance.extract import csvout, jobs, mapping, pipeline, provenance
from ckanext.opendata_governance.extract import resource as source
from ckanext.opendata_governance.logic import extract_auth, schema
from ckanext.opendata_governance.model import OrganizationSetting
from ckanext.suite.file_limits import FileError

#: One action per auth function of extract_auth, of the same name.
__all__ = extract_auth.__all__

#: The value of ``target`` that asks for a new resource.
NEW = "new"


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
    """The tables found in a PDF, XLSX, XLS or ODS resource, for the producer to choose from.

    A file larger than ``ckanext.opendata_governance.extract_sync_max_bytes`` (or a
    link of unknown size) is read by a background job: the answer is then
    ``{"queued": true, "job_id": ...}``, to follow with
    ``resource_table_extract_status``.

    :param id: id of the resource
    :param pages: PDF pages to read, e.g. ``"3-7,9"`` (optional, all by default)
    :param sheets: names of the sheets to read (optional, all by default)
    :param conforms_to: a Table Schema (its URL): each table then has a ``mapping``
        guessed from its column names, and the answer the schema's ``fields``
    :returns: ``{"format": ..., "tables": [{"index", "location", "pages", "header",
        "first_rows", "row_count", "confidence"}, ...]}``
    """
    tk.check_access("resource_table_preview", context, data_dict)
    data = schema.validate(data_dict, schema.table_preview(), context)
    resource = _resource(data["id"])
    if jobs.must_queue(context, resource):
        return jobs.enqueue("resource_table_preview", data, context.get("user") or "")
    fmt = source.format_of(resource)
    pages = _pages(data)
    limits = jobs.limits(context)
    fields = _schema_fields(data)
    with _local_file(resource, limits) as path:
        try:
            tables = pipeline.preview_path(path, fmt, limits, data.get("sheets"), pages,
                                           jobs.progress(context))
        except FileError as error:
            raise _refusal(error)
    if fields is None:
        return {"format": fmt, "tables": tables}
    for table in tables:
        table["mapping"] = mapping.guess(table["header"], fields)
    return {"format": fmt, "tables": tables, "conforms_to": data["conforms_to"],
            "fields": fields}


def _schema_fields(data: dict[str, Any]) -> Optional[list[str]]:
    """The fields of the schema ``conforms_to`` names, or None when none is chosen."""
    if not data.get("conforms_to"):
        if data.get("mapping"):
            raise tk.ValidationError({"mapping": [tk._(
                "Columns are mapped to the fields of a schema: choose it (conforms_to)")]})
        return None
    try:
        return mapping.fields_of(schema_reference.descriptor(data["conforms_to"]))
    except RuntimeError as error:
        raise tk.ValidationError({"conforms_to": [str(error)]})
    except ExtractError as error:
        raise _refusal(error, "conforms_to")


def _target(data: dict[str, Any], resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The earlier extraction ``target`` names (None for a new resource)."""
    target = data.get("target") or NEW
    if target == NEW:
        return None
    try:
        earlier = _resource(target)
    except tk.ObjectNotFound:
        earlier = None
    if (earlier is None or earlier.get("package_id") != resource["package_id"]
            or not provenance.is_extraction_of(earlier, resource["id"])):
        raise tk.ValidationError({"target": [tk._(
            'The target is "new" or an earlier extraction of this resource in the same '
            'dataset')]})
    return earlier


def _read(context: Context, resource: dict[str, Any], data: dict[str, Any]) -> Table:
    fmt = source.format_of(resource)
    pages = _pages(data)
    limits = jobs.limits(context)
    with _local_file(resource, limits) as path:
        try:
            return pipeline.extract_path(path, fmt, data.get("tables"), limits,
                                         data.get("sheets"), pages, jobs.progress(context))
        except FileError as error:
            raise _refusal(error, "tables" if isinstance(error, ChoiceError) else "id")


def _layout(table: Table, data: dict[str, Any], fields: Optional[list[str]]
            ) -> tuple[list[str], Optional[list[Optional[int]]]]:
    """The CSV's header and, when columns are mapped to a schema, where each field's
    values come from."""
    try:
        header = csvout.renamed(table, data.get("columns"))
    except ExtractError as error:
        raise _refusal(error, "columns")
    if fields is None or not data.get("mapping"):
        return header, None
    try:
        return mapping.plan(header, fields, data["mapping"])
    except ExtractError as error:
        raise _refusal(error, "mapping")


def _upload(table: Table, data: dict[str, Any], name: str, fields: Optional[list[str]]
            ) -> tuple[FileStorage, int]:
    """The CSV as an upload, written to a temporary file (a long sheet's rows are read
    from their store as they are written, never all in memory)."""
    header, picks = _layout(table, data, fields)
    stream = tempfile.TemporaryFile()
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    count = csvout.write_csv(table, text, header, picks)
    text.flush()
    text.detach()
    stream.seek(0)
    return FileStorage(stream=stream, filename=_csv_name(name),
                       content_type="text/csv"), count


def resource_table_extract(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Extract tables of a PDF, XLSX, XLS or ODS resource into a CSV resource (UTF-8, comma)
    of the same dataset, created (``resource_create``) or replaced (``resource_patch``)
    as the caller: the dataset's checks and the publication gate apply to it as to any
    resource. Without ``tables`` (and without ``target``) nothing is extracted: the
    answer is the preview of ``resource_table_preview``.

    A file larger than ``ckanext.opendata_governance.extract_sync_max_bytes`` is
    extracted by a background job: the answer is then ``{"queued": true, "job_id"}``.

    :param id: id of the source resource
    :param tables: numbers of the tables to extract (from the preview), which must
        share one header
    :param pages: PDF pages to read, e.g. ``"3-7"`` (optional)
    :param sheets: names of the sheets to read (optional)
    :param columns: new names of the columns, in order (optional)
    :param name: name of the resource (optional)
    :param conforms_to: a Table Schema (its URL) the CSV is declared to follow, which
        the schema check then verifies (optional)
    :param mapping: ``{"schema field": "column name"}``: the CSV then has the schema's
        fields in its order, each with its column's values (empty when unmapped);
        columns not mapped are left out (optional, needs ``conforms_to``)
    :param target: ``"new"`` (the default) or the id of an earlier extraction of this
        resource, to replace with this one; its choices (tables, pages, sheets,
        columns) are used for those not given, so ``{"id", "target"}`` runs it again
    :returns: the CSV resource, whose ``extracted_from`` and ``extraction_*`` fields
        say where it comes from and with which choices, and ``held_for_sign_off``: true
        when its dataset was public in an organization with the publication gate on,
        and was made private so that the extraction waits for a sign-off
    """
    tk.check_access("resource_table_extract", context, data_dict)
    data = schema.validate(data_dict, schema.table_extract(), context)
    resource = _resource(data["id"])
    earlier = _target(data, resource)
    if earlier is not None:
        data = {**provenance.choices_of(earlier), **data}
    elif not data.get("tables"):
        return tk.get_action("resource_table_preview")(
            context, {key: data[key] for key in ("id", "pages", "sheets", "conforms_to")
                      if key in data})
    fields = _schema_fields(data)
    if jobs.must_queue(context, resource):
        return jobs.enqueue("resource_table_extract", data, context.get("user") or "")
    table = _read(context, resource, data)
    fmt = source.format_of(resource)
    name = data.get("name") or (earlier or {}).get("name") or "{} ({})".format(
        os.path.splitext(resource.get("name") or resource_source.file_name(resource)
                         or "tableau")[0], table.location)
    upload, count = _upload(table, data, name, fields)
    values = {
        "name": name, "format": "CSV", "mimetype": "text/csv", "upload": upload,
        "description": tk._("Table extracted from {source} ({location}): {rows} rows.").format(
            source=resource.get("name") or resource["id"], location=table.location,
            rows=count),
        **provenance.fields(resource, table, data, pipeline.library_of(fmt))}
    if data.get("conforms_to"):
        values["conforms_to"] = data["conforms_to"]
    as_caller: Any = {"user": context.get("user"),
                      "ignore_auth": context.get("ignore_auth", False)}
    held = _hold_for_sign_off(as_caller, resource["package_id"])
    if earlier is not None:
        made = tk.get_action("resource_patch")(as_caller, {"id": earlier["id"], **values})
    else:
        made = tk.get_action("resource_create")(
            as_caller, {"package_id": resource["package_id"], **values})
    return {**made, "held_for_sign_off": held}


def _hold_for_sign_off(context: Any, package_id: str) -> bool:
    """Make a public dataset of a gated organization private before an extraction joins
    it, so that nothing extracted is public before a sign-off (other new data of a
    published dataset is only checked again); whether it was made private."""
    package = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    if package.get("private") or not OrganizationSetting.gate_enabled_for(
            package.get("owner_org")):
        return False
    tk.get_action("package_patch")(dict(context), {"id": package_id, "private": True})
    return True


@tk.side_effect_free
def resource_table_extract_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Where a background preview or extraction stands.

    :param id: the ``job_id`` given by ``resource_table_preview`` or
        ``resource_table_extract``
    :returns: ``{"job_id", "resource_id", "action", "state"`` (``queued``,
        ``running``, ``finished``, ``failed``), ``"done", "total"`` (pages or sheets
        read), ``"result"`` (the preview, or the CSV resource) and ``"errors"}``
    """
    tk.check_access("resource_table_extract_status", context, data_dict)
    data = schema.validate(data_dict, schema.table_job(), context)
    return jobs.status(data["id"])


def _csv_name(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
    return (safe or "tableau")[:80] + ".csv"
