"""Checks now or in the background: what runs in the request, what is queued, and the
job that runs the heavy checks too slow for a request."""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import check_runner, checks, schema_validation, unpublish
from ckanext.opendata_governance.model import Review
from ckanext.suite.site import site_context

__all__ = ["check_dataset", "enqueue_checks", "run_checks", "check_validated_resource"]

log = logging.getLogger(__name__)


def check_dataset(package: dict[str, Any], resource_ids: Optional[list[str]] = None,
                  sync: Optional[bool] = None, trigger: str = "manual",
                  review_id: Optional[str] = None) -> dict[str, Any]:
    """Run what can run now, store it, queue the rest.

    :returns: ``results`` (what ran, as check results with ``duration_ms``),
        ``stored`` (their rows), ``queued``, ``job_id`` and ``pending``
        (the queued checks, as pending rows)
    """
    planned = check_runner.plan(package, resource_ids, sync)
    results = check_runner.execute(package, planned.now)
    stored = check_runner.store(package["id"], results, trigger)
    job_id: Optional[str] = None
    pending: list[dict[str, Any]] = []
    if planned.later:
        job_id = enqueue_checks(package["id"], planned, trigger, review_id)
        pending = check_runner.store_pending(package["id"], planned.later, trigger, job_id)
    return {"results": results, "stored": stored, "queued": job_id is not None,
            "job_id": job_id, "pending": pending}


def enqueue_checks(package_id: str, later: check_runner.Plan, trigger: str,
                   review_id: Optional[str] = None, job_id: Optional[str] = None) -> str:
    """Queue the heavy checks a plan left for later (:func:`run_checks`); the job's id,
    ``job_id`` when given (so that its pending rows can be committed before it is
    queued)."""
    job = tk.enqueue_job(
        run_checks, [package_id],
        {"resource_ids": later.later_resource_ids,
         "dataset_checks": later.later_dataset_checks,
         "trigger": trigger, "review_id": review_id},
        title="opendata-governance checks of {}".format(package_id),
        rq_kwargs={"job_id": job_id} if job_id else None)
    return job.id


def run_checks(package_id: str, resource_ids: Optional[list[str]] = None,
               dataset_checks: bool = True, trigger: str = "manual",
               review_id: Optional[str] = None,
               check_ids: Optional[list[str]] = None) -> dict[str, Any]:
    """Run the heavy checks of a dataset's resources, store them, act on blocking failures.

    Safe to run twice: results are added as new rows, a review keeps one
    result per check and resource, and a dataset already private is left
    alone. A dataset or resource deleted meanwhile is skipped. ``check_ids``
    limits the run to these checks.

    :returns: ``results`` and ``unpublished`` (whether the dataset was made private)
    """
    try:
        package = tk.get_action("package_show")(
            {**site_context(), "use_cache": False}, {"id": package_id})
    except tk.ObjectNotFound:
        log.info("checks of %s skipped: the dataset is gone", package_id)
        return {"results": [], "unpublished": False}
    if package.get("state") == "deleted":
        return {"results": [], "unpublished": False}
    planned = check_runner.plan(package, resource_ids, sync=True, costs=("heavy",))
    items = [(check, resource) for check, resource in planned.now
             if (resource is not None or dataset_checks)
             and (check_ids is None or check.id in check_ids)]
    results = check_runner.execute(package, items)
    job = _current_job_id()
    check_runner.store(package["id"], results, trigger, job_id=job)
    if review_id:
        _add_to_review(review_id, results)
    model.Session.commit()
    unpublished = unpublish.unpublish_for(package["id"], results, trigger)
    return {"results": results, "unpublished": unpublished}


def check_validated_resource(validation: dict[str, Any]) -> None:
    """When ckanext-validation's job has reported on a resource whose schema comes from
    ``conforms_to`` (its ``IPipeValidation``): run schema_conformity again, which now
    reads the report, store it, add it to the review waiting for a decision, and act on
    a blocking failure."""
    try:
        resource = tk.get_action("resource_show")(
            site_context(), {"id": validation["resource_id"]})
    except tk.ObjectNotFound:
        return
    if not resource.get(schema_validation.SCHEMA_FROM):
        return
    review = Review.latest_for(resource["package_id"], state="submitted")
    # Upstream fails its job on an exception of ours; its report is stored already, and
    # the next run of the checks reads it.
    try:
        run_checks(resource["package_id"], [resource["id"]], dataset_checks=False,
                   trigger="schema_validation", review_id=review.id if review else None,
                   check_ids=["schema_conformity"])
    except Exception:  # noqa: BLE001 (logged with its traceback)
        log.exception("schema_conformity of resource %s not updated", resource["id"])


def _current_job_id() -> Optional[str]:
    try:
        from rq import get_current_job
        job = get_current_job()
    except Exception:  # not inside a worker
        return None
    return job.id if job is not None else None


def _add_to_review(review_id: str, results: list[dict[str, Any]]) -> None:
    """Put the results in the review's checks, replacing an earlier run of the same check."""
    review = Review.get(review_id)
    if review is None:
        return
    done = {(result["check_id"], result.get("resource_id")) for result in results}
    kept = [result for result in review.checks or []
            if (result.get("check_id"), result.get("resource_id")) not in done]
    review.checks = kept + [{key: value for key, value in result.items()
                             if key != "duration_ms"} for result in results]
    log.info("review %s: %d heavy check result(s) added, %d blocking failure(s)",
             review_id, len(results), len(checks.blocking_failures(results)))
