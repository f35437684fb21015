"""Schema conformity through ckanext-validation: a resource's ``conforms_to`` becomes its
``schema``, ckanext-validation's job validates the file, and its report is what the
schema_conformity check reads."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import shutil
import tempfile
from typing import Any, Iterator, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import resource_source, schema_reference, schema_report
from ckanext.suite import formats, validation_compat

__all__ = ["SCHEMA_FROM", "Outcome", "loaded", "derive_schema", "note_update",
           "validate_created", "outcome", "report_url", "report_view", "local_copy"]

log = logging.getLogger(__name__)

#: Resource field naming the ``conforms_to`` its ``schema`` was derived from; a
#: ``schema`` without it was given by the producer and is left alone.
SCHEMA_FROM = "schema_from_conforms_to"
_FINISHED = ("success", "failure", "error")
_RUNNING = ("created", "running")
#: Resource fields whose change means ckanext-validation's report is outdated.
_VALIDATED_FIELDS = ("schema", "url", "format")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What ckanext-validation says of a resource: ``status`` is ``passed``, ``failed``,
    ``error`` (it could not validate; ``message`` says why) or ``pending``."""

    status: str
    findings: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    message: str = ""


def loaded() -> bool:
    return p.plugin_loaded("validation")


def derive_schema(resource: dict[str, Any]) -> None:
    """Set the ``schema`` ckanext-validation validates with from ``conforms_to``, unless
    the producer gave one: the descriptor's JSON text, so that its job reads a shipped
    schema without network and any other one as fetched through safe_fetch."""
    derived = bool(resource.get(SCHEMA_FROM))
    if resource.get("schema") and not derived:
        return
    reference = (resource.get("conforms_to") or "").strip()
    resource.pop(SCHEMA_FROM, None)
    if derived or reference:
        resource.pop("schema", None)
    if not reference:
        return
    try:
        resource["schema"] = schema_reference.descriptor_text(reference)
    except RuntimeError as error:
        # The check reports the same error when it runs; the resource saves without it.
        log.info("schema of %s not derived: %s", resource.get("id") or "new resource", error)
        return
    resource[SCHEMA_FROM] = reference


def _validated_here(resource: dict[str, Any], event: str) -> bool:
    """Whether ckanext-validation validates this resource against its derived schema."""
    return (loaded() and bool(resource.get(SCHEMA_FROM))
            and (resource.get("format") or "").lower() in validation_compat.supported_formats()
            and validation_compat.run_mode(event) == "async")


def note_update(current: dict[str, Any], resource: dict[str, Any]) -> None:
    """Before a resource update: when its file, format or derived schema changes, mark
    its report outdated and have ckanext-validation validate it once saved."""
    if not _validated_here(resource, "update"):
        return
    changed = resource.get("upload") or any(
        resource.get(field) != current.get(field) for field in _VALIDATED_FIELDS)
    if not changed:
        return
    # The checks that run before the job (the gate's, in this same update) must not
    # read the report of the previous file or schema.
    validation_compat.mark_outdated(resource["id"])
    validation_compat.queue_after_update(resource["id"])


def validate_created(resource: dict[str, Any]) -> None:
    """After a resource creation: start ckanext-validation's job on it (upstream no
    longer does on CKAN 2.10+, see ckanext/suite/validation_compat.py)."""
    if not _validated_here(resource, "create"):
        return
    if not (resource.get("url") or resource.get("url_type") == "upload"):
        return
    validation_compat.start_validation(resource["id"])


def _validation(resource_id: str) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action("resource_validation_show")(
            {"ignore_auth": True}, {"resource_id": resource_id})
    except tk.ObjectNotFound:
        return None


def _file_changed_since(resource: dict[str, Any], finished: Optional[str]) -> bool:
    changed = resource.get("last_modified")
    if not changed or not finished:
        return False
    return dt.datetime.fromisoformat(str(changed)) > dt.datetime.fromisoformat(finished)


def outcome(resource: dict[str, Any]) -> Optional[Outcome]:
    """ckanext-validation's verdict on the resource against its derived schema: its
    current report read, or ``pending`` while its job is queued or running; None when
    it does not validate this resource (the check runs frictionless itself)."""
    if not loaded() or resource.get(SCHEMA_FROM) != (resource.get("conforms_to") or "").strip():
        return None
    validation = _validation(resource["id"])
    expected = _validated_here(resource, "create") or _validated_here(resource, "update")
    current = (validation is not None and validation["status"] in _FINISHED
               and not _file_changed_since(resource, validation.get("finished")))
    if current:
        return _read(validation)  # type: ignore[arg-type]
    if expected or (validation is not None and validation["status"] in _RUNNING):
        return Outcome("pending", message=tk._(
            "The file is being validated against its schema; the result will show "
            "here once the validation has run."))
    return None


def _report(validation: dict[str, Any]) -> dict[str, Any]:
    report = validation.get("report") or {}
    return json.loads(report) if isinstance(report, str) else report


def _read(validation: dict[str, Any]) -> Outcome:
    report = _report(validation)
    if validation["status"] == "success":
        return Outcome("passed")
    if validation["status"] == "failure":
        return Outcome("failed", schema_report.findings(report))
    error = validation.get("error") or {}
    messages = error.get("message") if isinstance(error, dict) else None
    return Outcome("error", message=tk._(
        "The file could not be validated against its schema: {error}").format(
            error="; ".join(str(m) for m in (messages or []))
            or tk._("the validation stopped without a report")))


def report_url(result: dict[str, Any]) -> Optional[str]:
    """The address of ckanext-validation's report page for a schema_conformity result,
    when that report exists."""
    if (not loaded() or result.get("check_id") != "schema_conformity"
            or not result.get("resource_id")):
        return None
    resource = model.Resource.get(result["resource_id"])
    if resource is None or _validation(resource.id) is None:
        return None
    return tk.h.url_for("validation.read", id=resource.package_id, resource_id=resource.id)


def report_view(validation: dict[str, Any]) -> dict[str, Any]:
    """ckanext-validation's report for its page (:func:`schema_report.page`), with
    ``message`` saying why when the validation itself failed."""
    if validation.get("status") == "error":
        return {"by_type": [], "located": [], "more": 0, "rows": None,
                "message": _read(validation).message}
    return {**schema_report.page(_report(validation)), "message": ""}


@contextlib.contextmanager
def local_copy(url: str) -> Iterator[str]:
    """The path of a copy of what ``url`` serves, fetched through safe_fetch within the
    scanner's limits, for ckanext-validation's job (see validation_compat.guard_sources).

    :raises resource_source.SourceError: the URL was refused or failed, or the file is
        larger than ``scan_max_bytes``
    """
    limit = tk.config["ckanext.opendata_governance.scan_max_bytes"]
    with tempfile.NamedTemporaryFile(prefix="validation-") as copy:
        with resource_source.open_resource(
                {"url": url}, max_bytes=limit,
                timeout=tk.config["ckanext.opendata_governance.scan_max_seconds"]) as stream:
            shutil.copyfileobj(stream, copy, 1024 * 1024)
        if copy.tell() > limit:
            raise resource_source.SourceError(tk._(
                "The file is larger than {size} bytes, the most the validation "
                "reads").format(size=formats.suite_number(limit)))
        copy.flush()
        yield copy.name
