"""Automatic unpublishing: a public dataset whose checks found what its sign-off did not
cover goes back to private, the event is recorded, and its owner service and reviewers
are told. Used by the gate during an update and by the checks' background job."""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.opendata_governance import checks, fingerprint, mail
from ckanext.opendata_governance.model import Event, OrganizationSetting, Review, Reviewer
from ckanext.suite.site import service_contacts, site_context, user_contact

__all__ = ["is_harvest_source", "is_gated", "event", "not_overridden", "notify",
           "unpublish_for"]

log = logging.getLogger(__name__)


def is_harvest_source(package: model.Package) -> bool:
    """A ckanext-harvest source, which publishes no data and is not gated.

    Only while ckanext-harvest is loaded (its schema keeps resources out of a
    source, and its auth decides who creates one); a ``type=harvest`` package
    without it, or holding resources, is a dataset like any other.
    """
    return (package.type == "harvest" and p.plugin_loaded("harvest")
            and not package.resources)


def is_gated(package: model.Package) -> bool:
    """Whether the dataset's organization has the publication gate on."""
    return OrganizationSetting.gate_enabled_for(package.owner_org)


def event(context: Context, organization_id: Optional[str], package_id: str,
           event_type: str, details: dict[str, Any]) -> Event:
    """An entry of the governance event log about a dataset, by the context's user."""
    user = model.User.get(context.get("user") or "") if context.get("user") else None
    return Event(actor_id=user.id if user else None, organization_id=organization_id,
                 package_id=package_id, object_type="dataset", object_id=package_id,
                 event_type=event_type, details=details)


def _override_key(result: dict[str, Any]) -> tuple[str, Optional[str], str]:
    # Per resource and outcome: overriding a scan that could not read a PDF excuses
    # neither a finding in another resource nor one in the same file read later.
    return (str(result.get("check_id")), result.get("resource_id"), str(result.get("status")))


def _unchanged_resources(package_id: str, review: Optional[Review]) -> set[str]:
    """The resources whose data is still the data the review's reviewer saw."""
    package = model.Package.get(package_id)
    if review is None or package is None:
        return set()
    signed = {item.get("id"): item for item in (review.snapshot or {}).get("resources", [])}
    return {item["id"] for item in fingerprint.snapshot(package)["resources"]
            if signed.get(item["id"]) == item}


def _overridden(review: Optional[Review]) -> set[tuple[str, Optional[str], str]]:
    """The blocking results the approving reviewer explicitly overrode."""
    if review is None or not review.override:
        return set()
    return {_override_key(result)
            for result in checks.blocking_failures(list(review.checks or []))}


def not_overridden(package_id: str, results: list[dict[str, Any]]
                    ) -> tuple[list[dict[str, Any]], Optional[Review]]:
    """The blocking failures among ``results`` the approved sign-off did not override."""
    review = Review.latest_for(package_id, state="approved")
    overridden = _overridden(review)
    unchanged = _unchanged_resources(package_id, review) if overridden else set()
    return [result for result in checks.blocking_failures(results)
            if _override_key(result) not in overridden
            or (result.get("resource_id") and result["resource_id"] not in unchanged)
            ], review


def _recipients(dataset: dict[str, Any]) -> list[tuple[str, str]]:
    organization_id = dataset.get("owner_org")
    found: list[Optional[tuple[str, str]]] = list(service_contacts(
        dataset.get("owner_service"), organization_id, ("mailbox", "referent")))
    reviewers = [row.user_id for row in
                 model.Session.query(Reviewer).filter_by(organization_id=organization_id)]
    if not reviewers and organization_id:
        members = tk.get_action("member_list")(site_context(), {
            "id": organization_id, "object_type": "user", "capacity": "admin"})
        reviewers = [user_id for user_id, _type, _capacity in members]
    found.extend(user_contact(user_id) for user_id in reviewers)
    unique: dict[str, tuple[str, str]] = {}
    for item in found:
        if item:
            unique.setdefault(item[1].lower(), item)
    return list(unique.values())


def _service(dataset: dict[str, Any]) -> Optional[dict[str, Any]]:
    if not dataset.get("owner_service") or not dataset.get("owner_org"):
        return None
    try:
        return tk.get_action("governance_service_show")(site_context(), {
            "id": dataset["owner_service"], "organization_id": dataset["owner_org"]})
    except tk.ObjectNotFound:
        return None


def notify(package_id: str, findings: list[dict[str, Any]]) -> None:
    """Mail the owner service, its referent and the reviewers (else the organization's
    admins) that the dataset was unpublished, with what the checks found."""
    dataset = tk.get_action("package_show")(site_context(), {"id": package_id})
    recipients = _recipients(dataset)
    if not recipients:
        log.warning("no one to tell that %s was unpublished", dataset["name"])
        return
    organization = dataset.get("organization") or {}
    service = _service(dataset)
    subject, body = mail.render(
        "unpublished",
        dataset_title=dataset.get("title") or dataset["name"],
        dataset_url="{}/dataset/{}".format(
            (tk.config.get("ckan.site_url") or "").rstrip("/"), dataset["name"]),
        organization_title=mail.one_line(organization.get("title")),
        service_title=mail.one_line(service["title"] if service else ""),
        findings=[mail.one_line(finding.get("message"))
                  for result in findings for finding in result.get("findings") or []
                  ] or [mail.one_line(tk._(result["title"])) for result in findings])
    mail.send(recipients, subject, body)


def unpublish_for(package_id: str, results: list[dict[str, Any]], trigger: str) -> bool:
    """Make a public dataset of a governed organization private when ``results`` hold a
    blocking failure its sign-off did not override; record it and tell the people concerned.

    For checks that ran outside ``package_update`` (a background job).
    Returns whether the dataset was unpublished.
    """
    package = model.Package.get(package_id)
    if (package is None or package.state != "active" or package.private
            or is_harvest_source(package) or not is_gated(package)):
        return False
    findings, review = not_overridden(package.id, results)
    if not findings:
        return False
    context = site_context()
    # A patch, so that search and activity see the change as any other.
    tk.get_action("package_patch")(dict(context), {"id": package.id, "private": True})
    model.Session.add(event(context, package.owner_org, package.id, "auto_unpublished", {
        "findings": findings, "trigger": trigger,
        "resources": sorted({str(result["resource_id"]) for result in findings
                             if result.get("resource_id")}),
        "review_id": review.id if review else None}))
    model.Session.commit()
    try:
        notify(package.id, findings)
    except Exception:  # the dataset is already private and the event recorded
        log.exception("could not notify the unpublishing of %s", package.id)
    return True
