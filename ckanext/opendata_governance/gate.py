"""The publication gate: public only with a matching sign-off; automatic unpublishing."""
from __future__ import annotations

import dataclasses
import functools
import logging
from typing import Any, Callable, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.opendata_governance import check_runner, checks, fingerprint, jobs
from ckanext.opendata_governance.model import OrganizationSetting, Review
from ckanext.opendata_governance.unpublish import (
    event, is_gated, is_harvest_source, not_overridden, notify)

__all__ = [
    "remember_prior",
    "check_created",
    "check_updated",
    "check_owner_org_move",
    "check_bulk_public",
    "refusal_message",
    "send_notifications",
    "guard_bulk_process",
]

log = logging.getLogger(__name__)

#: Context key of the gate's state during one update (an :class:`_UpdateState`).
_STATE = "opendata_governance_gate"


@dataclasses.dataclass
class _UpdateState:
    """What the gate carries from ``package_update``'s start to its end: each dataset's
    state before the update, the heavy checks to queue and the unpublishings to mail
    once the update is committed."""

    priors: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    later: list[tuple[str, check_runner.Plan]] = dataclasses.field(default_factory=list)
    notices: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def _state(context: Context) -> _UpdateState:
    return context.setdefault(_STATE, _UpdateState())  # type: ignore[misc, return-value]


#: Resource columns whose change means the published data changed.
_DATA_FIELDS = ("url", "url_type", "size", "hash", "last_modified")


def _resource_data(package: model.Package) -> dict[str, tuple[Any, ...]]:
    return {resource.id: tuple(getattr(resource, field, None) for field in _DATA_FIELDS)
            for resource in package.resources}


def remember_prior(context: Context, data_dict: dict[str, Any]) -> None:
    """Record, before ``package_update`` runs, whether the dataset is public and where."""
    package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if package is None:
        return
    _state(context).priors[package.id] = {
        "private": bool(package.private),
        "owner_org": package.owner_org,
        "resources": _resource_data(package),
        "metadata": _signed_metadata(package),
    }


def _signed_metadata(package: model.Package) -> dict[str, Any]:
    """The metadata a sign-off covers (licence, personal-data declaration...), no resources."""
    snap = fingerprint.snapshot(package)
    return {"fields": snap["fields"], "extras": snap["extras"]}


def check_created(context: Context, data: dict[str, Any]) -> None:
    """Gate a dataset created public (``after_dataset_create``)."""
    package = model.Package.get(data.get("id") or "")
    if package is not None:
        _enforce(context, package, None, "package_create")


def check_updated(context: Context, data: dict[str, Any]) -> None:
    """Gate a dataset made public, or moved public into a governed organization;
    recheck a public dataset whose data changed (``after_dataset_update``)."""
    package = model.Package.get(data.get("id") or "")
    if package is None:
        return
    prior = _state(context).priors.pop(package.id, None)
    _enforce(context, package, prior, "package_update")


def check_owner_org_move(context: Context, package: model.Package, organization_id: str
                         ) -> None:
    """Refuse, before anything changes, to move a public dataset into a governed
    organization without a sign-off covering it there.

    Checked beforehand because core's ``package_owner_org_update`` may commit
    part of its work itself (CKAN 2.11 saves the old membership on its own).
    """
    if (package.private or is_harvest_source(package)
            or not OrganizationSetting.gate_enabled_for(organization_id)):
        return
    moved = fingerprint.snapshot(package)
    moved["fields"]["owner_org"] = organization_id
    approved = Review.latest_for(package.id, state="approved")
    if approved is not None and approved.fingerprint == fingerprint.fingerprint_of(moved):
        return
    reason = refusal_message(package, moved)
    package_id, name = package.id, package.name
    model.Session.rollback()
    _record_refusal(context, organization_id, package_id, name,
                    "package_owner_org_update", reason)
    raise tk.ValidationError({"private": [reason]})


def _enforce(context: Context, package: model.Package, prior: Optional[dict[str, Any]],
             path: str) -> None:
    if package.private or is_harvest_source(package) or not is_gated(package):
        return
    if prior is not None and not prior["private"] and prior["owner_org"] == package.owner_org:
        # Published: new data, or an edit of what the sign-off covered (a closed
        # licence, declared personal data), reruns the checks; a blocking finding
        # makes the dataset private again, as a scanner finding does.
        changed = _changed_resources(prior["resources"], package)
        edited = fingerprint.changes(prior["metadata"], _signed_metadata(package))
        if changed or edited:
            _recheck(context, package, changed, edited)
        return
    if fingerprint.matching_approval(package) is not None:
        return
    reason = refusal_message(package)
    if _harvested(package.id):
        # A harvest run must not lose the partner's dataset: keep it, privately.
        package.private = True
        model.Session.add(event(context, package.owner_org, package.id, "gate_refused", {
            "path": "harvest", "kept_private": True, "reason": reason,
            "name": package.name}))
        log.info("harvested dataset %s kept private: %s", package.name, reason)
        return
    organization_id, package_id, name = package.owner_org, package.id, package.name
    model.Session.rollback()
    _record_refusal(context, organization_id, package_id, name, path, reason)
    raise tk.ValidationError({"private": [reason]})


def _record_refusal(context: Context, organization_id: Optional[str], package_id: str,
                    name: str, path: str, reason: str) -> None:
    # Committed on its own: the refused change is gone, the attempt is kept.
    model.Session.add(event(context, organization_id, package_id, "gate_refused", {
        "path": path, "kept_private": False, "reason": reason, "name": name}))
    model.Session.commit()


def _harvested(package_id: str) -> bool:
    """Whether a harvest object currently holds the dataset (harvest_object_show's test,
    without building the object's dict on every harvested import)."""
    if not p.plugin_loaded("harvest"):
        return False
    from ckanext.harvest.model import HarvestObject
    return model.Session.query(HarvestObject.id).filter(
        HarvestObject.package_id == package_id,
        HarvestObject.current.is_(True)).first() is not None


def _date(value: Any) -> str:
    return value.date().isoformat() if value is not None else ""


def _change_labels(package: model.Package, changed: list[str]) -> list[str]:
    labels = {
        "title": tk._("title"),
        "notes": tk._("description"),
        "license_id": tk._("licence"),
        "owner_org": tk._("organization"),
        "owner_service": tk._("owner service"),
        "contains_personal_data": tk._("personal data declaration"),
    }
    names = {resource.id: resource.name or resource.id for resource in package.resources}
    readable = []
    for key in changed:
        if key.startswith("resource:"):
            resource_id = key.split(":", 1)[1]
            readable.append(tk._("resource {name}").format(
                name=names.get(resource_id, resource_id)))
        else:
            readable.append(labels.get(key, key))
    return readable


def refusal_message(package: model.Package, snap: Optional[dict[str, Any]] = None) -> str:
    """Why the dataset cannot be public now: no sign-off, a pending one, or what changed
    (since the sign-off, to the dataset as it is or as ``snap`` shows it)."""
    latest = Review.latest_for(package.id)
    if latest is not None and latest.state == "submitted":
        return tk._("The dataset cannot be made public: its review, requested on {date}, "
                    "is still pending.").format(date=_date(latest.created))
    approved = Review.latest_for(package.id, state="approved")
    if approved is not None:
        changed = fingerprint.changes(approved.snapshot or {},
                                      snap or fingerprint.current(package)[1])
        return tk._("The dataset cannot be made public: the sign-off of {date} no longer "
                    "matches it. Changed since: {changes}. Request a new review.").format(
            date=_date(approved.decided or approved.created),
            changes=", ".join(_change_labels(package, changed)) or tk._("unknown"))
    return tk._("The dataset cannot be made public: it has no approved compliance sign-off. "
                "Keep it private and ask for the sign-off on its Governance tab, where the "
                "publication tracker shows the next step.")


def _changed_resources(before: dict[str, tuple[Any, ...]], package: model.Package
                       ) -> list[str]:
    after = _resource_data(package)
    return [resource_id for resource_id, data in after.items()
            if before.get(resource_id) != data]


def _recheck(context: Context, package: model.Package, changed: list[str],
             edited: list[str]) -> None:
    dataset = tk.get_action("package_show")(
        {"ignore_auth": True, "use_cache": False}, {"id": package.id})
    # Heavy checks read files: only the changed ones, and big files in a job
    # queued once the update is committed (send_notifications).
    planned = check_runner.plan(dataset, costs=("light",))
    heavy = check_runner.plan(dataset, changed, costs=("heavy",)) if changed else \
        check_runner.Plan(now=[], later=[])
    planned.now += heavy.now
    results = check_runner.execute(dataset, planned.now)
    check_runner.store(package.id, results, "resource_change" if changed else "metadata_change")
    if heavy.later:
        _state(context).later.append((package.id, heavy))
    # A check still waiting for a job (ckanext-validation's) found nothing yet: its
    # job's report unpublishes if it fails, like a check queued here.
    findings, review = not_overridden(
        package.id, [result for result in results if result["status"] != checks.PENDING])
    if not findings:
        return
    package.private = True
    model.Session.add(event(context, package.owner_org, package.id, "auto_unpublished", {
        "findings": findings, "resources": changed, "fields": edited,
        "review_id": review.id if review else None}))
    _state(context).notices.append({"package_id": package.id, "findings": findings})


def send_notifications(context: Context) -> None:
    """Mail the owner service and the reviewers about datasets unpublished by this update;
    queue the heavy checks of its big files."""
    state = context.get(_STATE)
    if state is None:
        return
    # The priors stay: an update nested in this one (same context) must not take an
    # outer dataset's prior state away.
    later, state.later = state.later, []
    notices, state.notices = state.notices, []
    for package_id, later_plan in later:
        job_id = jobs.enqueue_checks(package_id, later_plan, "resource_change")
        check_runner.store_pending(package_id, later_plan.later, "resource_change", job_id)
        model.Session.commit()
    for notice in notices:
        try:
            notify(notice["package_id"], notice["findings"])
        except Exception:  # the dataset is already private and the event recorded
            log.exception("could not notify the unpublishing of %s", notice["package_id"])


def check_bulk_public(context: Context, data_dict: dict[str, Any]) -> None:
    """Refuse ``bulk_update_public`` when a dataset has no matching sign-off."""
    organization = model.Group.get(data_dict.get("org_id") or "")
    if organization is None or not OrganizationSetting.gate_enabled_for(organization.id):
        return
    refused: list[tuple[model.Package, str]] = []
    for package_id in data_dict.get("datasets") or []:
        package = model.Package.get(package_id)
        # Core's bulk update only touches the organization's datasets.
        if (package is None or package.owner_org != organization.id
                or not package.private or is_harvest_source(package)):
            continue
        if fingerprint.matching_approval(package) is None:
            refused.append((package, refusal_message(package)))
    if not refused:
        return
    for package, reason in refused:
        model.Session.add(event(context, organization.id, package.id, "gate_refused", {
            "path": "bulk_update_public", "kept_private": True, "reason": reason,
            "name": package.name}))
    names = ", ".join(package.name for package, _reason in refused)
    model.Session.commit()
    raise tk.ValidationError({"datasets": [tk.ungettext(
        "This dataset cannot be made public without a matching approved sign-off: {names}",
        "These datasets cannot be made public without a matching approved sign-off: {names}",
        len(refused)).format(names=names)]})


def guard_bulk_process(app: Any) -> Any:
    """Make core's organization bulk page show a gate refusal instead of failing.

    Core's view lets a ValidationError through (a 500); the wrapped view
    flashes it and goes back to the page.
    """
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.endswith(".bulk_process"):
            app.view_functions[endpoint] = _flash_validation_errors(view, endpoint)
    return app


def _flash_validation_errors(view: Callable[..., Any], endpoint: str) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except tk.ValidationError as error:
            for messages in error.error_dict.values():
                for message in messages if isinstance(messages, list) else [messages]:
                    tk.h.flash_error(message)
            return tk.redirect_to(endpoint, id=kwargs.get("id"))
    return guarded


