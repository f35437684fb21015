"""Bad files kept away from the DataStore loader, and its failures said in the user's
language.

ckanext-xloader's worker, given a malformed upload, either loads garbage without a word
or fails late, slowly and in English (measured with xloader 2.6.0, README "Bad input
and faults"): a CSV with ragged rows is loaded as one column holding whole lines; a
CSV of 100,000 columns keeps the worker busy for minutes and near 1 GB before
PostgreSQL refuses the table; an empty file fails with "No such file or directory" and
leaves a table with no column. :func:`can_upload` (the plugin's ``IXloader.can_upload``)
reads the uploaded file before the job is queued and refuses these, recording the
reason as xloader's task status so that ``xloader_status`` and the resource page show
it; :func:`describe` turns that record, or one of xloader's own errors, into a sentence
translated by the portal's catalogue.
"""
from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import logging
import os
import zipfile
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import resource_source
from ckanext.opendata_governance.datastore import load_errors
from ckanext.suite.msgids import N_

log = logging.getLogger(__name__)

__all__ = ["LoadFault", "inspect_file", "can_upload", "record_fault", "is_coded", "describe"]

#: PostgreSQL refuses a table of more columns than this (``tables can have at most
#: 1600 columns``); xloader only finds out after guessing every column's type.
MAX_COLUMNS_DEFAULT = 1600
#: An XLSX or ODS file may not expand to more than this many bytes.
MAX_UNCOMPRESSED_DEFAULT = 500 * 1024 * 1024
#: How much of a text file is read to check its rows.
SAMPLE_BYTES = 1024 * 1024
ZIP_FORMATS = {"xlsx", "ods"}
TEXT_FORMATS = {"csv", "tsv"}
DELIMITERS = ";,\t|"

#: Each fault, by code: the English sentence (marked for the catalogue, translated where
#: it is shown).
MESSAGES: dict[str, str] = {
    "empty": N_("The file is empty: there is nothing to load into the table."),
    "too_large": N_("The file is too large to be loaded into the table "
                    "({size} bytes; the limit is {limit} bytes)."),
    "binary": N_("The file is not text: it cannot be read as a {format} table. "
                 "Save it again as {format} from your spreadsheet and upload it again."),
    "not_zip": N_("The file is not a valid {format} workbook (it is not a zip archive). "
                  "Save it again from your spreadsheet and upload it again."),
    "zip_bomb": N_("The {format} workbook expands to more than {limit} bytes: it is "
                   "refused so as not to exhaust the server."),
    "too_many_columns": N_("The file has {columns} columns; a table may have at most "
                           "{limit}."),
    "ragged": N_("Line {line} has {found} fields where the header has {expected} "
                 "(separator \"{delimiter}\"): every line must have as many fields "
                 "as the header."),
    "no_header": N_("The first line of the file is empty: it must name the columns."),
}

class LoadFault(Exception):
    """A file the DataStore must not load; ``code`` and ``params`` say why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(MESSAGES[code].format(**params))
        self.code = code
        self.params = params

    def as_error(self) -> dict[str, Any]:
        return {"message": str(self), "code": self.code, "params": self.params}


def _limits() -> dict[str, int]:
    config = tk.config
    return {
        "size": int(config.get("ckanext.xloader.max_content_length") or 0),
        "columns": int(config.get("ckanext.opendata_governance.datastore.max_columns")
                       or MAX_COLUMNS_DEFAULT),
        "uncompressed": int(config.get(
            "ckanext.opendata_governance.datastore.max_uncompressed_bytes")
            or MAX_UNCOMPRESSED_DEFAULT),
    }


def inspect_file(path: str, fmt: str, limits: Optional[dict[str, int]] = None) -> None:
    """Raise :class:`LoadFault` if the file at ``path`` (of format ``fmt``, such as
    ``"CSV"``) must not be given to the loader; read at most a sample of it."""
    limits = limits or _limits()
    fmt = (fmt or "").lower().lstrip(".")
    size = os.path.getsize(path)
    if size == 0:
        raise LoadFault("empty")
    if limits["size"] and size > limits["size"]:
        raise LoadFault("too_large", size=size, limit=limits["size"])
    if fmt in ZIP_FORMATS:
        _inspect_zip(path, fmt.upper(), limits["uncompressed"])
    elif fmt in TEXT_FORMATS:
        _inspect_text(path, fmt.upper(), limits["columns"])


def _inspect_zip(path: str, fmt: str, limit: int) -> None:
    """A workbook is a zip archive: check it expands to at most ``limit`` bytes by
    inflating it (the sizes its directory declares may lie), in bounded memory."""
    if not zipfile.is_zipfile(path):
        raise LoadFault("not_zip", format=fmt)
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if total + info.file_size > limit:
                    raise LoadFault("zip_bomb", format=fmt, limit=limit)
                with archive.open(info) as member:
                    while chunk := member.read(1024 * 1024):
                        total += len(chunk)
                        if total > limit:
                            raise LoadFault("zip_bomb", format=fmt, limit=limit)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError) as error:
        raise LoadFault("not_zip", format=fmt) from error


def _inspect_text(path: str, fmt: str, max_columns: int) -> None:
    with open(path, "rb") as stream:
        sample = stream.read(SAMPLE_BYTES + 1)
    whole = len(sample) <= SAMPLE_BYTES
    sample = sample[:SAMPLE_BYTES]
    head = sample[:8192]
    if b"\0" in head and not _utf16(head):
        raise LoadFault("binary", format=fmt)
    if _utf16(head):
        text = sample.decode("utf-16", errors="replace")
    else:
        controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
        if controls > len(head) // 100:
            raise LoadFault("binary", format=fmt)
        text = _decode(sample)
    if not whole:  # the sample's last line may be cut
        text = text[:text.rfind("\n") + 1] or text
    lines = text.splitlines()
    header = lines[0] if lines else ""
    if not header.strip():
        raise LoadFault("no_header")
    delimiter = "\t" if fmt == "TSV" else max(DELIMITERS, key=header.count)
    columns = header.count(delimiter) + 1
    if columns > max_columns:
        raise LoadFault("too_many_columns", columns=columns, limit=max_columns)
    if columns == 1:
        return
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for number, row in enumerate(reader, start=1):
        if number == 1 or not row:
            continue
        if len(row) != columns:
            raise LoadFault("ragged", line=reader.line_num, found=len(row),
                            expected=columns,
                            delimiter="\\t" if delimiter == "\t" else delimiter)


def _utf16(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _decode(sample: bytes) -> str:
    try:
        return sample.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:  # a character cut by the sample
            return sample[:error.start].decode("utf-8-sig")
        return sample.decode("cp1252", errors="replace")


def can_upload(resource_id: str) -> bool:
    """``IXloader.can_upload``: check an uploaded file before its job is queued.

    A refused file gets xloader's task status ``error`` with the reason, and the
    resource's DataStore table (of its previous file) is dropped: it no longer
    matches the file the resource offers."""
    # Read from the model, not resource_show: xloader may ask from inside the
    # commit of a resource's update, where actions must not run.
    entity = model.Resource.get(resource_id)
    if entity is None:
        return False
    resource = entity.as_dict()
    if not resource_source.is_upload(resource):
        return True  # a link: xloader's job enforces the size limit as it downloads
    path = resource_source.upload_path(resource)
    if not os.path.isfile(path):
        return True
    fmt = resource.get("format") or os.path.splitext(resource.get("url") or "")[1]
    try:
        inspect_file(path, fmt)
    except LoadFault as fault:
        log.info("DataStore load of resource %s refused: %s", resource_id, fault)
        _record_fault(resource, fault)
        return False
    return True


def _record_fault(resource: dict[str, Any], fault: LoadFault) -> None:
    # can_upload may run inside the commit of the resource's update (xloader's
    # IDomainObjectModification), where nothing may be written: a job records it.
    tk.enqueue_job(record_fault, [resource["id"], fault.as_error()],
                   title=f"DataStore load of {resource['id']} refused")


def record_fault(resource_id: str, error: dict[str, Any]) -> None:
    """Record a refused load as xloader's task status, and drop the resource's
    DataStore table if it has one: it holds the rows of a file the resource no
    longer offers (job)."""
    context = {"ignore_auth": True}
    try:
        tk.get_action("datastore_delete")(
            dict(context), {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        pass
    tk.get_action("task_status_update")(dict(context), {
        "entity_id": resource_id, "entity_type": "resource",
        "task_type": "xloader", "key": "xloader", "state": "error",
        "last_updated": datetime.datetime.utcnow().isoformat(),
        "value": json.dumps({"refused_by": "opendata_governance"}),
        "error": json.dumps(error),
    })


def is_coded(error: Any) -> bool:
    """Whether ``error`` is a fault recorded by :func:`can_upload` (one with a code)."""
    return isinstance(error, dict) and error.get("code") in MESSAGES


def describe(error: Any) -> str:
    """The reason of a failed DataStore load, in the page's language: ``error`` is
    the ``error`` of ``xloader_status``: a fault recorded by :func:`can_upload` (with a
    code), else xloader's own error, made plain by ``load_errors``."""
    if is_coded(error):
        return _say(error["code"], **(error.get("params") or {}))
    return load_errors.explain(load_errors.raw_message(error)) or ""


def _say(code: str, **params: Any) -> str:
    """The translated message of ``code`` (MESSAGES' texts are marked for extraction
    where they are written; a call of ``_`` on a variable is not extracted)."""
    template = MESSAGES[code]
    return tk._(template).format(**params)
