"""Actions of the automated checks: run them on a dataset, list their stored results."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import check_runner, checks, jobs
from ckanext.opendata_governance.logic import check_auth, schema

#: One action per auth function of check_auth, of the same name.
__all__ = check_auth.__all__


def _package(id_or_name: str) -> model.Package:
    package = model.Package.get(id_or_name)
    if package is None or package.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def governance_check_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Run the automated checks of a dataset, or of one of its resources, and store them.

    Light checks (metadata) run at once. Heavy checks (reading files) run at
    once on resources no larger than ``check_sync_max_bytes``; the others
    are left to a background job, whose checks are listed as ``pending``
    until it reports.

    :param id: id or name of the dataset
    :param resource_id: only the checks of this resource (and the dataset's own)
    :param sync: run every heavy check now, whatever the size (sysadmins
        only), or ``false`` to leave them all to the job (optional)
    :returns: ``{"results": [stored result, ...], "queued": bool,
        "job_id": str or None, "pending": [pending result, ...]}``
    """
    tk.check_access("governance_check_run", context, data_dict)
    data = schema.validate(data_dict, schema.check_run(), context)
    package = _package(data["id"])
    if data.get("sync") and not authz.is_sysadmin(context.get("user")):
        raise tk.ValidationError({"sync": [tk._(
            "Only sysadmins can run heavy checks on big files during the request")]})
    dataset = tk.get_action("package_show")(
        {"ignore_auth": True, "use_cache": False}, {"id": package.id})
    resource_ids = None
    if data.get("resource_id"):
        if data["resource_id"] not in {r["id"] for r in dataset.get("resources", [])}:
            raise tk.ValidationError({"resource_id": [tk._(
                "This resource does not belong to the dataset")]})
        resource_ids = [data["resource_id"]]
    trigger = "cli" if context.get("opendata_governance_cli") else "manual"
    outcome = jobs.check_dataset(dataset, resource_ids, data.get("sync"), trigger)
    model.Session.commit()
    return {"results": [checks.explained(row) for row in outcome["stored"]],
            "queued": outcome["queued"], "job_id": outcome["job_id"],
            "pending": [checks.explained(row) for row in outcome["pending"]]}


@tk.side_effect_free
def governance_check_result_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stored results of a dataset's automated checks, newest first.

    :param package_id: id or name of the dataset
    :param resource_id: only this resource's results (optional)
    :param check_id: only this check's results (optional)
    :param history: every stored run instead of the latest per resource
        and check (default false)
    :param limit: page size (default 50)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [result, ...]}``, each result with
        ``check_id``, ``title``, ``explanation`` (what it checks), ``why`` (why it
        matters), ``fix`` (how to fix a failure), all four in the request's
        language, ``severity``, ``resource_id``, ``status``
        (``passed``, ``failed``, ``error``, ``not_run`` or ``pending``), ``findings``,
        ``version``, ``run_at``, ``duration_ms``, ``trigger`` and ``job_id``
    """
    tk.check_access("governance_check_result_list", context, data_dict)
    data = schema.validate(data_dict, schema.check_result_list(), context)
    package = _package(data["package_id"])
    query = check_runner.latest(package.id, data.get("resource_id"), data.get("check_id"),
                                history=data["history"])
    page = query.offset(data["offset"]).limit(data["limit"]).all()
    return {"count": query.count(),
            "results": [checks.explained(row.as_dict()) for row in page]}
