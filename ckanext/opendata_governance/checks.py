"""Registry of the automated checks run on review requests and resource changes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any, Callable, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

__all__ = ["Check", "IGovernanceChecks", "N_", "SEVERITIES", "registered", "run_all",
           "blocking_failures"]

log = logging.getLogger(__name__)

SEVERITIES = ("blocking", "warning", "info")

#: Formats a reuser cannot open with free software, or not machine-readable.
_CLOSED_FORMATS = {"xls", "doc", "ppt", "pdf", "docx", "pptx", "mdb", "accdb", "exe", "rar"}


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
    if not licence_id or licence_id == "notspecified":
        return [{"field": "license_id", "message": tk._("No licence is set")}]
    licence = model.Package.get_license_register().get(licence_id)
    if licence is None or not licence.isopen():
        return [{"field": "license_id",
                 "message": tk._("The licence {licence} is not an open licence").format(
                     licence=licence_id)}]
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
          "blocking", _licence_open),
    Check("personal_data_declared", N_("Personal data declared"),
          N_("The producer did not declare that the data contains personal data."),
          "blocking", _personal_data_declared),
    Check("metadata_complete", N_("Metadata complete"),
          N_("Description, owner service, update frequency and tags are filled in."),
          "warning", _metadata_complete),
    Check("open_format", N_("Open format"),
          N_("Each resource is in an open, machine-readable format."),
          "warning", _open_format, scope="resource"),
]


def registered() -> list[Check]:
    """Built-in checks followed by those of plugins implementing IGovernanceChecks."""
    checks = list(_BUILT_IN)
    for plugin in p.PluginImplementations(IGovernanceChecks):
        checks.extend(plugin.governance_checks())
    return checks


def _result(check: Check, status: str, findings: list[dict[str, Any]],
            resource_id: Optional[str] = None) -> dict[str, Any]:
    return {
        "check_id": check.id,
        "title": check.title,
        "severity": check.severity,
        "scope": check.scope,
        "resource_id": resource_id,
        "status": status,
        "findings": findings,
        "version": check.version,
        "run_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(),
    }


def _run_one(check: Check, *args: Any, resource_id: Optional[str] = None
             ) -> dict[str, Any]:
    try:
        findings = check.run(*args)
    except Exception as error:  # a crashing check is a failed check, never a lost request
        log.exception("governance check %s crashed", check.id)
        return _result(check, "error", [{"message": str(error)}], resource_id)
    return _result(check, "failed" if findings else "passed", findings, resource_id)


def run_all(package: dict[str, Any],
            resource_ids: Optional[list[str]] = None) -> list[dict[str, Any]]:
    """Run every registered check on a dataset dict; resource checks on each resource
    (or only on ``resource_ids``)."""
    results = []
    for check in registered():
        if check.scope == "resource":
            for resource in package.get("resources", []):
                if resource_ids is None or resource["id"] in resource_ids:
                    results.append(_run_one(check, package, resource,
                                            resource_id=resource["id"]))
        else:
            results.append(_run_one(check, package))
    return results


def blocking_failures(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results of blocking checks that failed or crashed."""
    return [result for result in results
            if result["severity"] == "blocking" and result["status"] != "passed"]
