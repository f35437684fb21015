"""Schema conformity through ckanext-validation: a resource's ``conforms_to`` becomes its
``schema``, ckanext-validation's job validates the file, and its report is what the
schema_conformity check reads."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import schema_reference
from ckanext.suite import formats, validation_compat
from ckanext.suite.site import site_context

__all__ = ["SCHEMA_FROM", "LOCATED", "Outcome", "loaded", "derive_schema",
           "note_update", "validate_created", "outcome", "report_findings",
           "error_title", "message_of", "on_validation_report", "report_url",
           "report_view"]

log = logging.getLogger(__name__)

#: Resource field naming the ``conforms_to`` its ``schema`` was derived from; a
#: ``schema`` without it was given by the producer and is left alone.
SCHEMA_FROM = "schema_from_conforms_to"
#: How many errors the check's findings locate by row and column.
LOCATED = 20
_FINISHED = ("success", "failure", "error")
_RUNNING = ("created", "running")
#: Resource fields whose change means ckanext-validation's report is outdated.
_VALIDATED_FIELDS = ("schema", "url", "format")


def N_(message: str) -> str:
    return message


#: What a producer reads for each kind of frictionless error.
_ERROR_TITLES = {
    "type-error": N_("value of the wrong type"),
    "constraint-error": N_("value outside the schema's constraints"),
    "missing-cell": N_("missing value"),
    "extra-cell": N_("value outside any column"),
    "blank-row": N_("blank row"),
    "primary-key": N_("duplicate identifier"),
    "unique-error": N_("value repeated in a column whose values must be unique"),
    "foreign-key": N_("reference to a missing value"),
    "row-constraint": N_("row outside the schema's constraints"),
    "missing-label": N_("column of the schema missing from the file"),
    "extra-label": N_("column not in the schema"),
    "blank-label": N_("column without a name"),
    "duplicate-label": N_("column name used twice"),
    "incorrect-label": N_("column name different from the schema's"),
    "encoding-error": N_("characters the file's encoding cannot read"),
    "source-error": N_("file that cannot be read"),
    "scheme-error": N_("file that cannot be read"),
    "format-error": N_("file that is not in its declared format"),
}


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
    _mark_outdated(resource["id"])
    validation_compat.queue_after_update(resource["id"])


def _mark_outdated(resource_id: str) -> None:
    # The checks that run before ckanext-validation's job (the gate's, in the same
    # update) must not read the report of the previous file or schema.
    from ckanext.validation.model import Validation  # only when the plugin is loaded
    from ckan import model
    row = model.Session.query(Validation).filter_by(resource_id=resource_id).first()
    if row is not None:
        row.status = "created"


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
        return Outcome("failed", report_findings(report))
    error = validation.get("error") or {}
    messages = error.get("message") if isinstance(error, dict) else None
    return Outcome("error", message=tk._(
        "The file could not be validated against its schema: {error}").format(
            error="; ".join(str(m) for m in (messages or []))
            or tk._("the validation stopped without a report")))


def error_title(error_type: str) -> str:
    """A frictionless error type in the producer's words."""
    title = _ERROR_TITLES.get(error_type)
    return tk._(title) if title else tk._("other error")


def _errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [error for task in report.get("tasks", []) for error in task.get("errors", [])
            ] + list(report.get("errors", []))


def _type_message(finding: dict[str, Any]) -> str:
    count = finding.get("count") or 0
    message = tk.ungettext("{count} error: {title}", "{count} errors: {title}", count).format(
        count=formats.suite_number(count), title=error_title(finding.get("error_type", "")))
    if finding.get("columns"):
        message += " \u2014 " + tk._("columns: {columns}").format(
            columns=", ".join(finding["columns"]))
    if finding.get("rows"):
        message += " \u2014 " + tk._("rows: {rows}").format(
            rows=", ".join(formats.suite_number(row) for row in finding["rows"]))
    return message


def _located_message(finding: dict[str, Any]) -> str:
    row, column = finding.get("row"), finding.get("column")
    if row and column:
        where = tk._("Row {row}, column \u00ab {column} \u00bb").format(
            row=formats.suite_number(row), column=column)
    elif column:
        where = tk._("Header, column \u00ab {column} \u00bb").format(column=column)
    elif row:
        where = tk._("Row {row}").format(row=formats.suite_number(row))
    else:
        where = tk._("File")
    message = tk._("{where}: {title}").format(
        where=where, title=error_title(finding.get("error_type", "")))
    if finding.get("value") not in (None, ""):
        message += " " + tk._("(value \u00ab {value} \u00bb)").format(value=finding["value"])
    return message


def message_of(finding: dict[str, Any]) -> str:
    """A schema finding's message in the current language, rebuilt from its fields (the
    stored one is in the language of the run, often a background job's)."""
    if "error_type" not in finding:
        return finding.get("message", "")
    return _type_message(finding) if "count" in finding else _located_message(finding)


def _by_type(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for error in errors:
        group = groups.setdefault(error.get("type", ""), {"count": 0, "rows": [],
                                                          "columns": []})
        group["count"] += 1
        row, column = error.get("rowNumber"), error.get("fieldName")
        if row and row not in group["rows"]:
            group["rows"].append(row)
        if column and column not in group["columns"]:
            group["columns"].append(column)
    findings = [{"error_type": kind, "count": group["count"], "rows": group["rows"][:10],
                 "columns": group["columns"]}
                for kind, group in sorted(groups.items(), key=lambda item: -item[1]["count"])]
    return [{**finding, "message": _type_message(finding)} for finding in findings]


def _located(error: dict[str, Any]) -> dict[str, Any]:
    located: dict[str, Any] = {"error_type": error.get("type")}
    for key, name in (("row", "rowNumber"), ("column", "fieldName"), ("value", "cell")):
        if error.get(name) not in (None, ""):
            located[key] = error[name]
    return {**located, "message": _located_message(located)}


def report_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A failed report as findings: the errors counted by type with their rows and
    columns, then the first :data:`LOCATED` errors by row and column."""
    errors = _errors(report)
    ordered = sorted(errors, key=lambda error: error.get("rowNumber") or 0)
    return _by_type(errors) + [_located(error) for error in ordered[:LOCATED]]


def on_validation_report(validation: dict[str, Any]) -> None:
    """When ckanext-validation's job has reported on a resource with a derived schema:
    run schema_conformity again, which now reads the report, store it, add it to the
    dataset's review waiting for a decision, and act on a blocking failure."""
    from ckanext.opendata_governance import jobs  # jobs runs the checks, which use us
    from ckanext.opendata_governance.model import Review
    try:
        resource = tk.get_action("resource_show")(
            site_context(), {"id": validation["resource_id"]})
    except tk.ObjectNotFound:
        return
    if not resource.get(SCHEMA_FROM):
        return
    review = Review.latest_for(resource["package_id"], state="submitted")
    # Upstream fails its job on an exception of ours; the report is stored already, and
    # the next run of the checks reads it.
    try:
        jobs.run_checks(resource["package_id"], [resource["id"]], dataset_checks=False,
                        trigger="schema_validation", review_id=review.id if review else None,
                        check_ids=["schema_conformity"])
    except Exception:  # noqa: BLE001 (logged with its traceback)
        log.exception("schema_conformity of resource %s not updated", resource["id"])


def report_url(result: dict[str, Any]) -> Optional[str]:
    """The address of ckanext-validation's report page for a schema_conformity result,
    when that report exists."""
    if (not loaded() or result.get("check_id") != "schema_conformity"
            or not result.get("resource_id")):
        return None
    from ckan import model
    resource = model.Resource.get(result["resource_id"])
    if resource is None or _validation(resource.id) is None:
        return None
    return tk.h.url_for("validation.read", id=resource.package_id, resource_id=resource.id)


#: How many errors the report page lists by row and column.
_PAGE_ERRORS = 500


def report_view(validation: dict[str, Any]) -> dict[str, Any]:
    """ckanext-validation's report for its page: ``by_type`` and ``located`` findings
    (each located one with its ``title``), ``more`` (errors not listed), ``rows`` read
    and ``message`` when the validation itself failed."""
    report = _report(validation)
    if validation.get("status") == "error":
        return {"by_type": [], "located": [], "more": 0, "rows": None,
                "message": _read(validation).message}
    errors = _errors(report)
    ordered = sorted(errors, key=lambda error: error.get("rowNumber") or 0)
    located = [{**finding, "title": error_title(finding.get("error_type") or "")}
               for finding in (_located(error) for error in ordered[:_PAGE_ERRORS])]
    rows = sum(task.get("stats", {}).get("rows") or 0 for task in report.get("tasks", []))
    return {"by_type": _by_type(errors), "located": located,
            "more": max(0, len(errors) - _PAGE_ERRORS),
            "rows": rows if report.get("tasks") else None, "message": ""}
