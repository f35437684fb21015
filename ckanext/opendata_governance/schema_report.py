"""A Table Schema validation report (frictionless's, as ckanext-validation stores it) in
the producer's words: errors counted by type, then located by row and column, with what
the schema expected."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.suite import formats

__all__ = ["LOCATED", "error_title", "expected", "message_of", "findings", "page"]

#: How many errors the check's findings locate by row and column.
LOCATED = 20
#: How many errors the report page lists by row and column.
_PAGE_ERRORS = 500


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


#: frictionless's field types, as a producer names them.
_TYPES = {
    "string": N_("text"), "integer": N_("whole number"), "number": N_("number"),
    "boolean": N_("true or false"), "date": N_("date"), "datetime": N_("date and time"),
    "time": N_("time"), "year": N_("year"), "yearmonth": N_("year and month"),
    "duration": N_("duration"), "geopoint": N_("geographic point"),
    "geojson": N_("GeoJSON"), "array": N_("JSON list"), "object": N_("JSON object"),
}
#: frictionless's field constraints, as a producer names them.
_CONSTRAINTS = {
    "required": N_("a value is required"), "unique": N_("values must be unique"),
    "pattern": N_("expected pattern"), "enum": N_("allowed values"),
    "minimum": N_("minimum"), "maximum": N_("maximum"),
    "minLength": N_("minimum length"), "maxLength": N_("maximum length"),
}
#: How a value of these types is written when the schema gives no format of its own.
_DEFAULT_FORMATS = {
    "date": N_("YYYY-MM-DD, e.g. 2025-12-31"),
    "datetime": N_("YYYY-MM-DDThh:mm:ss, e.g. 2025-12-31T14:30:00"),
    "number": N_("with a point before the decimals, e.g. 1234.5"),
    "integer": N_("digits only, e.g. 1234"),
}
_TYPE_NOTE = re.compile(r'type is "([a-z]+)(?:/([^"]*))?"')
_CONSTRAINT_NOTE = re.compile(r'constraint "([A-Za-z]+)" is "(.*)"')


def error_title(error_type: str) -> str:
    """A frictionless error type in the producer's words."""
    title = _ERROR_TITLES.get(error_type)
    return tk._(title) if title else tk._("other error")


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
    wanted = expected(finding)
    if wanted:
        message += " \u2014 " + wanted
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


def expected(finding: dict[str, Any]) -> str:
    """What the schema expected of a located error's cell, in the producer's words (or
    an empty string)."""
    if finding.get("expected_type"):
        type_name = _TYPES.get(finding["expected_type"])
        kind = tk._(type_name) if type_name else finding["expected_type"]
        written = finding.get("expected_format")
        if written not in (None, "", "default", "any"):
            return tk._("expected: {type}, format {format}").format(type=kind, format=written)
        default = _DEFAULT_FORMATS.get(finding["expected_type"])
        if default:
            return tk._("expected: {type}, {format}").format(type=kind, format=tk._(default))
        return tk._("expected: {type}").format(type=kind)
    constraint = finding.get("constraint")
    if constraint in _CONSTRAINTS:
        name = tk._(_CONSTRAINTS[constraint])
        if constraint in ("required", "unique"):
            return name
        return tk._("{constraint}: {value}").format(
            constraint=name, value=finding.get("constraint_value", ""))
    return ""


def _note(error: dict[str, Any]) -> dict[str, Any]:
    note = error.get("note") or ""
    typed = _TYPE_NOTE.search(note) if error.get("type") == "type-error" else None
    if typed:
        return {"expected_type": typed.group(1), "expected_format": typed.group(2)}
    constrained = _CONSTRAINT_NOTE.search(note)
    if constrained:
        return {"constraint": constrained.group(1), "constraint_value": constrained.group(2)}
    return {}


def _located(error: dict[str, Any]) -> dict[str, Any]:
    located: dict[str, Any] = {"error_type": error.get("type")}
    for key, name in (("row", "rowNumber"), ("column", "fieldName"), ("value", "cell")):
        if error.get(name) not in (None, ""):
            located[key] = error[name]
    located.update(_note(error))
    return {**located, "message": _located_message(located)}


def _errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [error for task in report.get("tasks", []) for error in task.get("errors", [])
            ] + list(report.get("errors", []))


def _in_order(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Header errors (no row) first, then row by row.
    return sorted(errors, key=lambda error: error.get("rowNumber") or 0)


def findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A failed report as check findings: the errors counted by type with their rows and
    columns, then the first :data:`LOCATED` errors by row and column."""
    errors = _errors(report)
    return _by_type(errors) + [_located(error) for error in _in_order(errors)[:LOCATED]]


def page(report: dict[str, Any]) -> dict[str, Any]:
    """A report for its page: ``by_type`` findings, ``located`` ones (each with its
    ``title`` and ``expected``), ``more`` (errors not listed) and ``rows`` read."""
    errors = _errors(report)
    located = [{**finding, "title": error_title(finding.get("error_type") or ""),
                "expected": expected(finding)}
               for finding in (_located(error) for error in _in_order(errors)[:_PAGE_ERRORS])]
    rows = sum(task.get("stats", {}).get("rows") or 0 for task in report.get("tasks", []))
    return {"by_type": _by_type(errors), "located": located,
            "more": max(0, len(errors) - _PAGE_ERRORS),
            "rows": rows if report.get("tasks") else None}
