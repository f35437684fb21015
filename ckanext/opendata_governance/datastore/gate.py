"""What may enter the DataStore: no unreviewed personal data, no private or local link."""
from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from typing import Any, Callable, Optional

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search as search_lib
from ckan.types import Context

from ckanext.opendata_governance import check_runner, safe_fetch, unpublish

__all__ = ["refusal", "can_upload", "after_upload", "note_results", "on_results_stored",
           "withdraw",
           "withheld_reason", "guard_previews"]

log = logging.getLogger(__name__)

#: Session.info key: resources whose stored scan found personal data, withdrawn once
#: the results are committed.
_NOTED = "opendata_governance_datastore_withdraw"

#: Views that show a resource's DataStore table (Flask endpoints), and how each names
#: the resource: by ``resource_id``, or through a view (``resource_view_id``).
_PREVIEWS = ("resource.view", "dataset_resource.view", "datatablesview.ajax",
             "datatablesview.filtered_download", "datastore.dump")


def _link_refusal(resource: dict[str, Any]) -> Optional[str]:
    """Why xloader must not download a linked resource: its URL reaches a private,
    loopback, link-local or metadata address (``fetch_allowlist`` aside). Uploads are
    fetched from the portal itself (``ckanext.xloader.site_url``) and pass."""
    if resource.get("url_type") == "upload":
        return None
    url = resource.get("url") or ""
    try:
        safe_fetch.check_url(url, safe_fetch.safe_http.allowlist_from_config(
            safe_fetch.ALLOWLIST_OPTION))
    except safe_fetch.FetchError as error:
        return tk._("Not loaded into the DataStore: the portal does not download this "
                    "link ({error}).").format(error=error)
    return None


def _scan_row(package_id: str, resource_id: str) -> Any:
    return check_runner.latest(package_id, resource_id, "personal_data_scan").first()


def _stale(row: Any, resource: dict[str, Any]) -> bool:
    """Whether a file was uploaded after the scan: the finding is about the old file."""
    try:
        modified = dt.datetime.fromisoformat(resource.get("last_modified") or "")
    except (TypeError, ValueError):
        return False
    return modified > row.run_at


def _scan_refusal(resource: dict[str, Any]) -> Optional[str]:
    """Why the resource must stay out of the DataStore: its latest personal-data scan
    found something that no approved sign-off overrode."""
    row = _scan_row(resource["package_id"], resource["id"])
    if row is None or row.status != "failed" or _stale(row, resource):
        return None
    found, _review = unpublish.not_overridden(resource["package_id"], [row.as_dict()])
    if not found:
        return None
    columns = sorted({str(finding.get("column")) for finding in row.findings or []
                      if finding.get("column") is not None})
    return tk._("Not loaded into the DataStore: the personal-data scan flagged the "
                "columns {columns} and no sign-off overrode it. Publish a copy without "
                "these columns, or have a reviewer approve the data.").format(
                    columns=", ".join(columns) or "?")


def refusal(resource: dict[str, Any]) -> Optional[str]:
    """Why this resource must not be loaded into the DataStore, or None."""
    return _link_refusal(resource) or _scan_refusal(resource)


def _resource(resource_id: str) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        return None


def _record(resource_id: str, reason: str) -> None:
    """Keep the reason as xloader's status of the resource (its editors read it on the
    resource page and through ``xloader_status``), in a session of its own as xloader
    does: this may run while the caller's session commits."""
    session = model.meta.create_local_session()
    task = {"entity_id": resource_id, "entity_type": "resource", "task_type": "xloader",
            "key": "xloader", "state": "error", "value": "{}",
            "error": json.dumps({"message": reason, "governance": True}),
            "last_updated": str(dt.datetime.utcnow())}
    existing = session.query(model.TaskStatus.id).filter_by(
        entity_id=resource_id, task_type="xloader", key="xloader").first()
    if existing is not None:
        task["id"] = existing[0]
    tk.get_action("task_status_update")({"session": session, "ignore_auth": True}, task)
    session.close()


def can_upload(resource_id: str) -> bool:
    """IXloader.can_upload: refuse, recording why, what the gate keeps out."""
    resource = _resource(resource_id)
    if resource is None:
        return False
    reason = refusal(resource)
    if reason is None:
        return True
    log.info("resource %s not loaded into the DataStore: %s", resource_id, reason)
    _record(resource_id, reason)
    return False


def _delete_table(resource_id: str, reason: str) -> bool:
    try:
        tk.get_action("datastore_delete")({"ignore_auth": True},
                                          {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        return False
    log.info("DataStore table of %s deleted: %s", resource_id, reason)
    resource = model.Resource.get(resource_id)
    if resource is not None:
        # package_show reads the search index, which may still hold xloader's
        # datastore_active: the next reader must see the table gone.
        search_lib.rebuild(resource.package_id)
    _record(resource_id, reason)
    return True


def _unknown(resource: dict[str, Any]) -> bool:
    """Whether no scan read the file now loaded: never scanned, not run (an upload is
    checked before its file is saved), pending, or older than the file."""
    row = _scan_row(resource["package_id"], resource["id"])
    return row is None or row.status not in ("passed", "failed") or _stale(row, resource)


def _scan_now(resource: dict[str, Any]) -> None:
    """Run the personal-data scan of a small file now and store it (committed): a
    finding withdraws the table (``note_results``) and unpublishes a public dataset."""
    dataset = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                            {"id": resource["package_id"]})
    planned = check_runner.plan(dataset, [resource["id"]], costs=("heavy",))
    items = [(check, res) for check, res in planned.now if check.id == "personal_data_scan"]
    if not items:
        return  # a big file: its scan runs in the checks' job
    results = check_runner.execute(dataset, items)
    check_runner.store(dataset["id"], results, "datastore_load")
    model.Session.commit()
    unpublish.unpublish_for(dataset["id"], results, "datastore_load")


def after_upload(context: Context, resource: dict[str, Any],
                 dataset: dict[str, Any]) -> None:
    """IXloader.after_upload: a file loaded without a scan of it is scanned now; a
    finding, stored now or while the file was loading, withdraws the table (a job,
    once xloader has recorded its own status)."""
    if _unknown(resource):
        _scan_now(resource)
    elif _scan_refusal(resource) is not None:
        tk.enqueue_job(withdraw, [[resource["id"]]],
                       title="opendata-governance DataStore withdrawal")


def note_results(results: list[dict[str, Any]]) -> None:
    """Remember the resources whose personal-data scan just failed; once the results
    are committed, a job deletes their DataStore tables (``withdraw``)."""
    found = {result["resource_id"] for result in results
             if result.get("check_id") == "personal_data_scan"
             and result.get("status") == "failed" and result.get("resource_id")}
    if found and p.plugin_loaded("datastore"):
        model.Session().info.setdefault(_NOTED, set()).update(found)


def on_results_stored(package_id: str, results: list[dict[str, Any]]) -> None:
    """Receiver of ``check_runner.RESULTS_STORED`` (the plugin's ``ISignal``)."""
    note_results(results)


@sa.event.listens_for(model.Session, "after_commit")
def _enqueue_noted(session: Any) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted:
        tk.enqueue_job(withdraw, [sorted(noted)],
                       title="opendata-governance DataStore withdrawal")


@sa.event.listens_for(model.Session, "after_rollback")
def _forget_noted(session: Any) -> None:
    session.info.pop(_NOTED, None)


def withdraw(resource_ids: list[str]) -> list[str]:
    """Delete the DataStore tables of these resources whose latest scan still blocks
    them (a job: safe to run twice); returns the resources withdrawn."""
    withdrawn = []
    # A worker's session may hold the resources as they were before xloader's
    # load; datastore_delete resets datastore_active only on a fresh one.
    model.Session.expire_all()
    for resource_id in resource_ids:
        resource = _resource(resource_id)
        reason = _scan_refusal(resource) if resource is not None else None
        if reason is not None and _delete_table(resource_id, reason):
            withdrawn.append(resource_id)
    return withdrawn


def withheld_reason(resource_id: str) -> Optional[str]:
    """Why the resource's data is kept out of the DataStore and its previews, or None."""
    resource = model.Resource.get(resource_id)
    if resource is None:
        return None
    return _scan_refusal({"id": resource.id, "package_id": resource.package_id,
                          "last_modified": resource.last_modified.isoformat()
                          if resource.last_modified else None})


def _previewed_resource(endpoint: str, kwargs: dict[str, Any]) -> Optional[str]:
    if "resource_id" in kwargs:
        return kwargs["resource_id"]
    view = model.ResourceView.get(kwargs.get("resource_view_id") or "")
    return view.resource_id if view is not None else None


def _withheld_preview(endpoint: str, view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        resource_id = _previewed_resource(endpoint, kwargs)
        reason = withheld_reason(resource_id) if resource_id else None
        if reason is None:
            return view(*args, **kwargs)
        resource = model.Resource.get(resource_id)
        user = tk.current_user.name if tk.current_user.is_authenticated else ""
        try:
            tk.check_access("package_update", {"user": user},
                            {"id": resource.package_id})
        except tk.NotAuthorized:
            return tk.abort(404, tk._("Resource not found"))
        return tk.render("opendata_governance/datastore/withheld.html",
                         {"reason": reason}), 409
    return guarded


def _table_query_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Core's table queries of the preview let a private view's NotAuthorized, and a
    malformed column number or count, through as a 500."""
    @functools.wraps(view)
    def answered(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except tk.NotAuthorized:
            return json.dumps({"error": tk._("Not authorized")}), 403
        except tk.ObjectNotFound:
            return json.dumps({"error": tk._("Resource view not found")}), 404
        except (ValueError, IndexError) as error:
            return json.dumps({"error": tk._("Invalid table query: {error}").format(
                error=error)}), 409
    return answered


def guard_previews(app: Any) -> Any:
    """Previews, table queries and dumps of a resource withheld by the personal-data
    scan: the reason for its editors, a 404 for everyone else."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint in _PREVIEWS:
            if endpoint.startswith("datatablesview."):
                view = _table_query_errors(view)
            app.view_functions[endpoint] = _withheld_preview(endpoint, view)
    return app
