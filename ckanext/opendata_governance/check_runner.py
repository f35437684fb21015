"""Running the automated checks now or in a background job, and storing their results."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from typing import IO, Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import checks
from ckanext.opendata_governance.model import CheckResult
from ckanext.suite.rows import utcnow

__all__ = ["Plan", "RESULTS_STORED", "sync_max_bytes", "plan", "execute", "store",
           "store_pending", "latest", "pending_for", "PENDING", "flagged_columns",
           "write_quarantine"]

#: Status of a stored row standing for a heavy check queued in a background job.
PENDING = checks.PENDING

#: Sent with ``results=`` each time results of a dataset (the sender, its id) are
#: stored; the DataStore guards subscribe to it (the plugin's ``ISignal``).
RESULTS_STORED = tk.signals.ckanext.signal(
    "opendata_governance_check_results_stored",
    "Check results of a dataset were stored (not yet committed).")


@dataclasses.dataclass
class Plan:
    """Which checks run now, and which resources are left to a background job."""

    now: list[tuple[checks.Check, Optional[dict[str, Any]]]]
    later: list[tuple[checks.Check, Optional[dict[str, Any]]]]

    @property
    def later_resource_ids(self) -> list[str]:
        return sorted({resource["id"] for _check, resource in self.later if resource})

    @property
    def later_dataset_checks(self) -> bool:
        return any(resource is None for _check, resource in self.later)


def sync_max_bytes() -> int:
    """The largest resource heavy checks read during a request."""
    return tk.config["ckanext.opendata_governance.check_sync_max_bytes"]


def _small(resource: dict[str, Any]) -> bool:
    # A resource of unknown size (most remote URLs) may be anything: not small.
    try:
        size = int(resource.get("size"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return 0 <= size <= sync_max_bytes()


def plan(package: dict[str, Any], resource_ids: Optional[list[str]] = None,
         sync: Optional[bool] = None, costs: tuple[str, ...] = ("light", "heavy")) -> Plan:
    """Split the checks of a dataset (or of some of its resources) into now and later.

    Light checks always run now. Heavy checks run now when ``sync`` is true,
    later when it is false, and otherwise now only on resources no larger
    than ``check_sync_max_bytes`` (a heavy dataset check: when all its
    resources are).
    """
    resources = [resource for resource in package.get("resources", [])
                 if resource_ids is None or resource["id"] in resource_ids]
    all_small = all(_small(resource) for resource in package.get("resources", []))
    result = Plan(now=[], later=[])
    for check in checks.registered():
        if check.cost not in costs:
            continue
        targets: list[Optional[dict[str, Any]]] = (
            list(resources) if check.scope == "resource" else [None])
        for resource in targets:
            if check.cost != "heavy" or sync is True:
                now = True
            elif sync is False:
                now = False
            else:
                now = _small(resource) if resource is not None else all_small
            (result.now if now else result.later).append((check, resource))
    return result


def execute(package: dict[str, Any],
            items: list[tuple[checks.Check, Optional[dict[str, Any]]]]
            ) -> list[dict[str, Any]]:
    """Run these checks; each result also gives its ``duration_ms``."""
    results = []
    for check, resource in items:
        started = time.perf_counter()
        if resource is None:
            result = checks.run_one(check, package)
        else:
            result = checks.run_one(check, package, resource, resource_id=resource["id"])
        result["duration_ms"] = int((time.perf_counter() - started) * 1000)
        results.append(result)
    return results


def store(package_id: str, results: list[dict[str, Any]], trigger: str,
          job_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Add the results as CheckResult rows (not committed); returns them as dicts."""
    rows = []
    for result in results:
        run_at = result.get("run_at")
        row = CheckResult(
            package_id=package_id, resource_id=result.get("resource_id"),
            check_id=result["check_id"], check_version=str(result.get("version") or "1"),
            title=result.get("title"), severity=result["severity"], status=result["status"],
            findings=_jsonable(result.get("findings") or []),
            run_at=dt.datetime.fromisoformat(run_at) if run_at else utcnow(),
            duration_ms=result.get("duration_ms"), trigger=trigger, job_id=job_id)
        model.Session.add(row)
        rows.append(row)
    model.Session.flush()
    RESULTS_STORED.send(package_id, results=results)
    return [row.as_dict() for row in rows]


def store_pending(package_id: str, later: list[tuple[checks.Check, Optional[dict[str, Any]]]],
                  trigger: str, job_id: str) -> list[dict[str, Any]]:
    """Add a ``pending`` row for each queued check (not committed)."""
    now = utcnow().isoformat()
    return store(package_id, [{
        "check_id": check.id, "title": check.title, "severity": check.severity,
        "resource_id": resource["id"] if resource else None, "status": PENDING,
        "findings": [], "version": check.version, "run_at": now,
    } for check, resource in later], trigger, job_id=job_id)



def latest(package_id: str, resource_id: Optional[str] = None,
           check_id: Optional[str] = None, history: bool = False) -> sa.orm.Query:
    """The stored results of a dataset, newest first: the latest per (resource, check),
    or every row with ``history``."""
    query = model.Session.query(CheckResult).filter(CheckResult.package_id == package_id)
    if resource_id:
        query = query.filter(CheckResult.resource_id == resource_id)
    if check_id:
        query = query.filter(CheckResult.check_id == check_id)
    if not history:
        # The newest row of each (resource, check); NULL resources group together.
        newest = (query.with_entities(CheckResult.id)
                  .distinct(CheckResult.resource_id, CheckResult.check_id)
                  .order_by(CheckResult.resource_id, CheckResult.check_id,
                            CheckResult.run_at.desc(), CheckResult.id.desc()))
        query = model.Session.query(CheckResult).filter(
            CheckResult.id.in_(newest.scalar_subquery()))
    return query.order_by(CheckResult.run_at.desc(), CheckResult.resource_id.nullsfirst(),
                          CheckResult.check_id)


def pending_for(package_id: str) -> list[dict[str, Any]]:
    """The dataset's checks still waiting for their background job."""
    return [row.as_dict() for row in latest(package_id)
            if row.status == PENDING]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def flagged_columns(package_id: str, resource_id: str) -> list[dict[str, Any]]:
    """The columns the latest personal-data scan of a resource flagged with at least
    medium confidence: ``{"index", "name", "kinds"}``, in file order."""
    row = latest(package_id, resource_id, "personal_data_scan").first()
    columns: dict[int, dict[str, Any]] = {}
    for finding in (row.findings or []) if row is not None else []:
        index = finding.get("column_index")
        if index is None or finding.get("confidence") not in ("medium", "high"):
            continue
        column = columns.setdefault(index, {"index": index, "name": finding.get("column"),
                                            "kinds": []})
        column["kinds"].append(finding.get("kind"))
    return [columns[index] for index in sorted(columns)]


def write_quarantine(resource: dict[str, Any], drop: list[int], target: IO[bytes]
                     ) -> dict[str, Any]:
    """Write the resource's CSV without the ``drop`` columns to ``target`` (streamed).

    :raises scan.ScanError: the file cannot be read as a table
    :raises resource_source.SourceError: the file cannot be opened or fetched
    """
    # Imported here: the scanner and fetching are only needed for this download.
    from ckanext.opendata_governance import resource_source
    from ckanext.opendata_governance.scan import ScanLimits, quarantine

    limits = ScanLimits(
        max_bytes=tk.config["ckanext.opendata_governance.scan_max_bytes"],
        max_seconds=tk.config["ckanext.opendata_governance.scan_max_seconds"])
    with resource_source.open_resource(resource, max_bytes=limits.max_bytes,
                                       timeout=limits.max_seconds) as stream:
        return quarantine.write_quarantine(stream, target, drop, limits=limits,
                                           fmt=(resource.get("format") or "").lower() or None)
