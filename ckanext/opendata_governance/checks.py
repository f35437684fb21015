"""Registry of the automated checks run on review requests and resource changes."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import shutil
import tempfile
from typing import IO, Any, Callable, Iterator, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import (
    check_guidance, resource_source, safe_fetch, schema_reference, schema_report,
    schema_validation)
from ckanext.opendata_governance.scan import ScanError, scanner
from ckanext.suite import formats, licences
from ckanext.suite.file_limits import LimitExceeded

__all__ = ["Check", "IGovernanceChecks", "N_", "NotApplicable", "NotRun", "NOT_RUN",
           "Pending", "PENDING",
           "NOT_RUN_REASONS", "SEVERITIES", "registered", "run_one", "run_all",
           "blocking_failures", "explained"]

log = logging.getLogger(__name__)

SEVERITIES = ("blocking", "warning", "info")

#: Formats a reuser cannot open with free software, or not machine-readable (documents
#: and scanned images hold data a program cannot read back).
_CLOSED_FORMATS = {"xls", "doc", "ppt", "pdf", "docx", "pptx", "mdb", "accdb", "exe", "rar",
                   "jpg", "jpeg", "png", "gif", "tif", "tiff", "bmp", "odt", "rtf"}


class NotApplicable(Exception):
    """Raised by a check that has nothing to check on this input; the result passes
    with the message as a note."""


#: Status of a check that could not examine its input (a file not tabular, not
#: fetched, or past a reading limit). Not "passed": a blocking check that did not run
#: blocks, like a failed one, until a reviewer overrides it.
NOT_RUN = "not_run"


#: Why a check did not run, as ``reason`` in its finding: the file could not be
#: fetched or opened, is not in a tabular format, or could not be read as a table
#: (malformed, or past a reading limit of ckanext/suite/file_limits.py).
NOT_RUN_REASONS = ("unreachable", "not_tabular", "unreadable", "over_limits")


#: Status of a check waiting for work done elsewhere (a background job, or
#: ckanext-validation's); a blocking one blocks until it reports.
PENDING = "pending"


class Pending(Exception):
    """Raised by a check whose verdict is not known yet; the message says what it waits
    for."""


class NotRun(Exception):
    """Raised by a check that could not examine its input; the message says why and
    ``reason`` is one of NOT_RUN_REASONS."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Check:
    """One automated check.

    ``run`` receives the dataset dict (``package_show``) and, for resource
    checks, one of its resource dicts; it returns findings, each a dict with at
    least ``message``; no findings means the check passed.
    """

    id: str
    title: str
    explanation: str
    severity: str
    run: Callable[..., list[dict[str, Any]]]
    scope: str = "dataset"
    version: str = "1"
    #: "light" checks read metadata only; "heavy" ones read resource files and run
    #: in a background job when the input is larger than the synchronous limit.
    cost: str = "light"
    #: Why the check matters (the law, reuse, privacy) and how a producer fixes a
    #: failure; msgids, like ``title`` and ``explanation``.
    why: str = ""
    fix: str = ""


class IGovernanceChecks(p.Interface):
    """Lets a plugin add automated checks to the sign-off workflow."""

    def governance_checks(self) -> list[Check]:
        """The checks this plugin contributes."""
        return []


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def _licence_open(package: dict[str, Any]) -> list[dict[str, Any]]:
    licence_id = package.get("license_id")
    if not licence_id or licence_id == licences.NOT_SPECIFIED:
        return [{"field": "license_id", "message": tk._("No licence is set")}]
    if licences.get(licence_id) is None:
        return [{"field": "license_id",
                 "message": tk._("The licence {licence} is not in the portal's licence "
                                 "register").format(licence=licence_id)}]
    if not licences.is_open(licence_id):
        return [{"field": "license_id",
                 "message": tk._("The licence {licence} is not an open licence").format(
                     licence=licences.title(licence_id))}]
    return []


def _personal_data_declared(package: dict[str, Any]) -> list[dict[str, Any]]:
    if str(package.get("contains_personal_data")).lower() == "true":
        return [{"field": "contains_personal_data",
                 "message": tk._("The producer declared that the data contains personal data")}]
    return []


def _metadata_complete(package: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = {
        "notes": tk._("Description"),
        "owner_service": tk._("Owner service"),
        "update_frequency": tk._("Update frequency"),
        "data_steward": tk._("Data steward"),
        "tags": tk._("Tags"),
    }
    return [{"field": field, "message": tk._("Missing: {field}").format(field=label)}
            for field, label in wanted.items() if not package.get(field)]


def _open_format(package: dict[str, Any], resource: dict[str, Any]) -> list[dict[str, Any]]:
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    if not fmt:
        return [{"field": "format", "message": tk._("The resource has no format")}]
    if fmt in _CLOSED_FORMATS:
        return [{"field": "format",
                 "message": tk._("{format} is not an open, machine-readable format").format(
                     format=fmt.upper())}]
    return []


_BUILT_IN = [
    Check("licence_open", N_("Open licence"),
          N_("The dataset has a licence, and it is an open licence."),
          "blocking", _licence_open, version="2",
          **check_guidance.of("licence_open")),
    Check("personal_data_declared", N_("Personal data declared"),
          N_("The producer did not declare that the data contains personal data."),
          "blocking", _personal_data_declared,
          **check_guidance.of("personal_data_declared")),
    Check("metadata_complete", N_("Metadata complete"),
          N_("Description, owner service, update frequency, data steward and tags are "
             "filled in."),
          "warning", _metadata_complete, version="2",
          **check_guidance.of("metadata_complete")),
    Check("open_format", N_("Open format"),
          N_("Each resource is in an open, machine-readable format."),
          "warning", _open_format, scope="resource", version="2",
          **check_guidance.of("open_format")),
]


def _option(name: str) -> int:
    return tk.config[f"ckanext.opendata_governance.{name}"]


def _description_long_enough(package: dict[str, Any]) -> list[dict[str, Any]]:
    minimum = _option("description_min_length")
    length = len((package.get("notes") or "").strip())
    if length < minimum:
        return [{"field": "notes", "length": length, "minimum": minimum,
                 "message": tk._("The description has {length} characters; write at least "
                                 "{minimum} so that reusers understand the data").format(
                                     length=length, minimum=minimum)}]
    return []


def _resource_reachable(package: dict[str, Any],
                        resource: dict[str, Any]) -> list[dict[str, Any]]:
    if resource_source.is_upload(resource):
        if os.path.isfile(resource_source.upload_path(resource)):
            return []
        return [{"field": "url", "message": tk._("The uploaded file is missing")}]
    url = resource.get("url")
    if not url:
        return [{"field": "url", "message": tk._("The resource has no file and no URL")}]
    status = None
    try:
        # Some servers refuse HEAD; a GET read for one byte answers the same question.
        for method in ("HEAD", "GET"):
            with safe_fetch.fetch(url, method=method, max_bytes=1, timeout=_option(
                    "fetch_timeout"), truncate=True) as fetched:
                status = fetched.status_code
            if status < 400:
                return []
    except safe_fetch.FetchError as error:
        return [{"field": "url", "url": url, "message": tk._(
            "The resource cannot be reached: {error}").format(error=error)}]
    return [{"field": "url", "url": url, "status": status, "message": tk._(
        "The resource URL answers with HTTP status {status}").format(status=status)}]


#: Resource formats the scanner and the schema validation read.
_TABULAR = {"csv": "csv", "tsv": "tsv", "txt": "csv", "xlsx": "xlsx", "ods": "ods",
            "json": "json"}


def _tabular_format(resource: dict[str, Any], required: bool = False) -> str:
    """The reader's format name. When the resource is not tabular: NotApplicable, or
    NotRun when the check must read it (``required``)."""
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    if not fmt:
        fmt = os.path.splitext(resource_source.file_name(resource))[1].lower().lstrip(".")
    if fmt in _TABULAR:
        return _TABULAR[fmt]
    if not required:
        raise NotApplicable(tk._("Not a tabular format: nothing to scan"))
    if not fmt:
        raise NotRun(tk._("The format of the file is unknown: it was not read. Give the "
                          "resource a tabular format (CSV, XLSX, ODS, JSON) or have a "
                          "reviewer check it by hand."), "not_tabular")
    raise NotRun(tk._("{format} is not a tabular format the checks read (CSV, XLSX, ODS, "
                      "JSON): the file was not read. A reviewer must check it by "
                      "hand.").format(format=fmt.upper()), "not_tabular")


#: What a producer reads for each kind of personal data the scanner finds.
_KINDS = {
    "email": N_("e-mail addresses"),
    "phone": N_("phone numbers"),
    "nir": N_("social security numbers (NIR)"),
    "iban": N_("bank account numbers (IBAN)"),
    "rib": N_("bank account numbers (RIB)"),
    "card": N_("payment card numbers"),
    "ip": N_("IP addresses"),
    "birth_date": N_("dates of birth"),
    "address": N_("street addresses of people"),
    "name_column": N_("names of people"),
    "plate": N_("vehicle registration plates"),
}


def _scan_message(finding: dict[str, Any]) -> str:
    kind = tk._(_KINDS.get(finding.get("kind", ""), finding.get("kind", "")))
    column = finding.get("column", "")
    if finding.get("by") == "name":
        return tk._("The name of the column \u00ab {column} \u00bb suggests it holds {kind}; "
                    "remove the column or anonymise it before publishing").format(
                        column=column, kind=kind)
    share = float(finding.get("share") or 0)
    return tk._("The column \u00ab {column} \u00bb holds {kind} ({count} values, {share} % of "
                "its rows); remove the column or anonymise it before publishing").format(
                    column=column, kind=kind,
                    count=formats.suite_number(finding.get("count", 0)),
                    share=formats.suite_decimal(share * 100))


@contextlib.contextmanager
def _opened(resource: dict[str, Any]) -> Iterator[IO[bytes]]:
    """A stream of the resource for the scanner; NotRun when it cannot be fetched or
    opened, or its download fails on the way."""
    try:
        with resource_source.open_resource(resource, max_bytes=_option("scan_max_bytes"),
                                           timeout=_option("scan_max_seconds")) as stream:
            yield stream
    except (resource_source.SourceError, safe_fetch.FetchError) as error:
        # The messages name the URL, the HTTP status or the kind of network error,
        # never a path on the server.
        raise NotRun(tk._("The file could not be fetched, so it was not scanned: "
                          "{error}").format(error=error), "unreachable") from error


def _not_scanned(error: Any) -> NotRun:
    """The NotRun of a file the readers refused (malformed, or past a reading limit)."""
    reason = "over_limits" if isinstance(error, LimitExceeded) else "unreadable"
    return NotRun(tk._("The file was not scanned: {error}").format(
        error=error.translated(tk._)), reason)


def _personal_data_scan(package: dict[str, Any],
                        resource: dict[str, Any]) -> list[dict[str, Any]]:
    fmt = _tabular_format(resource, required=True)
    from ckanext.opendata_governance import scan  # the readers are heavy to import
    limits = scan.ScanLimits(max_bytes=_option("scan_max_bytes"),
                             max_seconds=_option("scan_max_seconds"))
    with _opened(resource) as stream:
        try:
            report = scan.scan_stream(stream, name=resource_source.file_name(resource),
                                      fmt=fmt, limits=limits)
        except scan.ScanError as error:
            raise _not_scanned(error) from error
    return [{"column": finding.get("column"), "column_index": finding.get("column_index"),
             "kind": finding.get("kind"), "by": finding.get("by"),
             "count": finding.get("count"), "share": finding.get("share"),
             "confidence": finding.get("confidence"), "samples": finding.get("samples", []),
             "partial": bool(report.get("truncated")), "message": _scan_message(finding)}
            for finding in report.get("findings", [])]


def _quasi_identifiers(resource: dict[str, Any]) -> list[str]:
    value = resource.get("quasi_identifiers") or ""
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def _statistical_secrecy(package: dict[str, Any],
                         resource: dict[str, Any]) -> list[dict[str, Any]]:
    fmt = _tabular_format(resource)
    from ckanext.opendata_governance import scan
    from ckanext.opendata_governance.scan import scanner, secrecy
    limits = scan.ScanLimits(max_bytes=_option("scan_max_bytes"),
                             max_seconds=_option("scan_max_seconds"))
    findings: list[dict[str, Any]] = []
    threshold = _option("secrecy_threshold")
    try:
        with _opened(resource) as stream:
            header, rows = scanner.read_table(stream, fmt, limits)
            for cell in secrecy.small_cells(header, rows, threshold=threshold):
                findings.append({**cell, "message": tk._(
                    "The column \u00ab {column} \u00bb has {count} counts between 1 and "
                    "{threshold}: statistical secrecy asks to hide or group them").format(
                        column=cell.get("column", ""), count=cell.get("count", 0),
                        threshold=threshold)})
        quasi = _quasi_identifiers(resource)
        if quasi:
            k = _option("k_anonymity")
            with _opened(resource) as stream:
                header, rows = scanner.read_table(stream, fmt, limits)
                missing = [column for column in quasi if column not in header]
                if missing:
                    return findings + [{"field": "quasi_identifiers", "message": tk._(
                        "Declared quasi-identifier columns are missing from the file: "
                        "{columns}").format(columns=", ".join(missing))}]
                result = secrecy.k_anonymity(header, rows, quasi, k=k)
    except scan.ScanError as error:
        raise _not_scanned(error) from error
    if quasi:
        if result["classes_below_k"]:
            findings.append({
                "kind": "k_anonymity", "k": k, "quasi_identifiers": result["quasi_identifiers"],
                "classes": result["classes_below_k"], "rows": result["rows_in_small_classes"],
                "share": result["share"], "capped": result["capped"],
                "samples": result["samples"],
                "message": tk._("{count} combinations of {columns} describe fewer than {k} "
                                "rows ({share} % of the rows): the people they describe can "
                                "be re-identified").format(
                                    count=result["classes_below_k"], columns=", ".join(quasi),
                                    k=k, share=formats.suite_decimal(result["share"] * 100))})
    return findings


def _schema_conformity(package: dict[str, Any],
                       resource: dict[str, Any]) -> list[dict[str, Any]]:
    reference = resource.get("conforms_to")
    if not reference:
        raise NotApplicable(tk._("The resource declares no schema"))
    # A declared schema is a promise of a table: a file that is not one is not
    # checked, which blocks like a failure until a reviewer overrides it.
    fmt = _tabular_format(resource, required=True)
    # ckanext-validation validates the file against the schema conforms_to names;
    # its report is read rather than validating a second time.
    verdict = schema_validation.outcome(resource)
    if verdict is None:
        return _schema_conformity_here(resource, reference, fmt)
    if verdict.status == PENDING:
        raise Pending(verdict.message)
    if verdict.status == "error":
        raise NotRun(verdict.message, "unreadable")
    return verdict.findings


def _schema_conformity_here(resource: dict[str, Any], reference: str,
                            fmt: str) -> list[dict[str, Any]]:
    """Validate with frictionless here, for a resource ckanext-validation does not
    validate (not loaded, not one of its formats, or its runs switched off)."""
    descriptor = schema_reference.descriptor(reference)
    import frictionless  # heavy; only when a resource declares a schema
    schema = frictionless.Schema.from_descriptor(descriptor)
    suffix = "." + fmt
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        # frictionless reads paths; a bounded local copy keeps a remote file from being
        # fetched again outside safe_fetch.
        with _opened(resource) as stream:
            shutil.copyfileobj(stream, copy, 1024 * 1024)
        copy.flush()
        try:
            scanner.check_limits(copy.name, fmt)
        except ScanError as error:
            raise _not_scanned(error) from error
        with frictionless.system.use_context(trusted=True):
            report = frictionless.validate(copy.name, format=fmt, schema=schema)
    if report.valid:
        return []
    return schema_report.findings(report.to_dict())


_DATA_CHECKS = [
    Check("description_long_enough", N_("Description long enough"),
          N_("The description explains the data in enough words for a reuser."),
          "warning", _description_long_enough,
          **check_guidance.of("description_long_enough")),
    Check("resources_reachable", N_("Resources reachable"),
          N_("Each resource's file exists or its URL answers."),
          "warning", _resource_reachable, scope="resource", cost="heavy",
          **check_guidance.of("resources_reachable")),
    Check("schema_conformity", N_("Schema conformity"),
          N_("A resource that declares a Table Schema follows it."),
          "blocking", _schema_conformity, scope="resource", cost="heavy",
          **check_guidance.of("schema_conformity")),
    Check("personal_data_scan", N_("No personal data found"),
          N_("The scanner found no personal data (e-mails, phone numbers, social security "
             "numbers, bank details, names...) in the resource's columns."),
          "blocking", _personal_data_scan, scope="resource", cost="heavy",
          **check_guidance.of("personal_data_scan")),
    Check("statistical_secrecy", N_("Statistical secrecy"),
          N_("Counts of 1 to the threshold are hidden, and declared quasi-identifiers "
             "describe no group smaller than k people."),
          "warning", _statistical_secrecy, scope="resource", cost="heavy",
          **check_guidance.of("statistical_secrecy")),
]


def registered() -> list[Check]:
    """Built-in checks followed by those of plugins implementing IGovernanceChecks."""
    checks = list(_BUILT_IN) + _DATA_CHECKS
    for plugin in p.PluginImplementations(IGovernanceChecks):
        checks.extend(plugin.governance_checks())
    return checks


def _result(check: Check, status: str, findings: list[dict[str, Any]],
            resource_id: Optional[str] = None) -> dict[str, Any]:
    return {
        "check_id": check.id,
        "title": check.title,
        "explanation": check.explanation,
        "severity": check.severity,
        "scope": check.scope,
        "resource_id": resource_id,
        "status": status,
        "findings": findings,
        "version": check.version,
        "run_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(),
    }


def explained(result: dict[str, Any]) -> dict[str, Any]:
    """A check result with its ``title``, ``explanation``, ``why`` and ``fix`` translated
    into the request's language, read from the registered check (stored results keep
    the English msgids, or a check no longer registered keeps its stored title)."""
    check = {registered_check.id: registered_check
             for registered_check in registered()}.get(result.get("check_id", ""))
    title = check.title if check else result.get("title") or result.get("check_id", "")
    texts = {"explanation": check.explanation if check else result.get("explanation"),
             "why": check.why if check else "", "fix": check.fix if check else ""}
    findings = result.get("findings") or []
    if result.get("check_id") == "schema_conformity":
        findings = [{**finding, "message": schema_report.message_of(finding)}
                    for finding in findings]
    return {**result, "title": tk._(title), "findings": findings,
            **{key: tk._(text) if text else "" for key, text in texts.items()}}


def run_one(check: Check, *args: Any, resource_id: Optional[str] = None
             ) -> dict[str, Any]:
    try:
        findings = check.run(*args)
    except NotApplicable as note:
        result = _result(check, "passed", [], resource_id)
        result["note"] = str(note)
        return result
    except Pending as waiting:
        result = _result(check, PENDING, [], resource_id)
        result["note"] = str(waiting)
        return result
    except NotRun as reason:
        result = _result(check, NOT_RUN, [{"message": str(reason), "not_run": True,
                                           "reason": reason.reason}], resource_id)
        result["note"] = str(reason)
        return result
    except Exception as error:  # a crashing check is a failed check, never a lost request
        log.exception("governance check %s crashed", check.id)
        return _result(check, "error", [{"message": str(error)}], resource_id)
    return _result(check, "failed" if findings else "passed", findings, resource_id)


def run_all(package: dict[str, Any],
            resource_ids: Optional[list[str]] = None,
            costs: Optional[tuple[str, ...]] = None) -> list[dict[str, Any]]:
    """Run every registered check on a dataset dict; resource checks on each resource
    (or only on ``resource_ids``); only checks of the given ``costs`` if any."""
    results = []
    for check in registered():
        if costs is not None and check.cost not in costs:
            continue
        if check.scope == "resource":
            for resource in package.get("resources", []):
                if resource_ids is None or resource["id"] in resource_ids:
                    results.append(run_one(check, package, resource,
                                            resource_id=resource["id"]))
        else:
            results.append(run_one(check, package))
    return results


def blocking_failures(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results of blocking checks that failed, crashed, did not run or are pending."""
    return [result for result in results
            if result["severity"] == "blocking" and result["status"] != "passed"]
