"""Actions of the sign-off workflow: request a review, decide it, read reviews."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context, DataDict

from ckanext.opendata_governance import (
    check_runner, checklist, checks, events, fingerprint, jobs, review_mail)
from ckanext.opendata_governance.logic import schema
from ckanext.opendata_governance.model import Event, Review, Reviewer
from ckanext.suite.actions import acting_user, commit
from ckanext.suite.site import site_context

__all__ = [
    "governance_review_request",
    "governance_review_decide",
    "governance_review_show",
    "governance_review_list",
]

log = logging.getLogger(__name__)

#: The activity type of a decision in the dataset's activity stream; its
#: snippet is templates/snippets/activities/reviewed_package.html. Core
#: filters activities by dataset permission labels only for types ending in
#: "package": a decision on a private dataset must stay hidden from outsiders.
ACTIVITY_TYPE = "reviewed package"


def governance_review_request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask the organization's reviewers to sign a dataset off.

    Runs every registered automated check and stores the results, with the
    fingerprint of what the sign-off will cover. An earlier request of the
    same dataset still waiting for a decision is withdrawn. The
    organization's reviewers (or, when it has none, its admins) are mailed.

    :param id: id or name of the dataset; it must belong to an organization
        and have an owner service
    :param comment: a note for the reviewers (optional)
    :param publish: make the dataset public when the request is approved
        (default true)
    :returns: the review, with ``package_name`` and ``package_title``
    """
    tk.check_access("governance_review_request", context, data_dict)
    data = schema.validate(data_dict, schema.review_request(), context)
    package = _reviewable_package(data["id"])
    package_dict = tk.get_action("package_show")(
        {"user": context.get("user", ""), "ignore_auth": True}, {"id": package.id})
    planned, executed, results = _request_checks(package_dict)
    fingerprint_, snapshot = fingerprint.current(package)
    actor = acting_user(context)
    withdrawn = _withdraw_waiting(context, package.id)
    review = Review(
        package_id=package.id, organization_id=package.owner_org, state="submitted",
        requested_by=actor.id if actor else None,
        request_comment=data.get("comment") or None,
        fingerprint=fingerprint_, snapshot=snapshot, checks=results)
    model.Session.add(review)
    model.Session.flush()
    _record(context, "review_requested", review, details={
        "comment": review.request_comment,
        "publish": data["publish"],
        "withdrawn": [earlier.id for earlier in withdrawn],
        "blocking_failures": [result["check_id"]
                              for result in checks.blocking_failures(results)],
        "pending_checks": [check.id for check, _resource in planned.later],
    })
    check_runner.store(package.id, executed, "review")
    # The job adds its results to the review: queued once the review and its pending
    # rows are committed, under the id they name.
    job_id = str(uuid.uuid4()) if planned.later else None
    if job_id:
        check_runner.store_pending(package.id, planned.later, "review", job_id)
    commit(context)
    if job_id:
        jobs.enqueue_checks(package.id, planned, "review", review.id, job_id=job_id)

    review_mail.mail_request(review, package, actor, data["publish"], results)
    return _review_dict(review, publish=data["publish"])


def _reviewable_package(id_or_name: str) -> model.Package:
    """The dataset to review; it must belong to an organization and have an owner
    service."""
    package = _get_package(id_or_name)
    if not package.owner_org:
        raise tk.ValidationError(
            {"id": [tk._("Only a dataset of an organization can be reviewed")]})
    if not (package.extras or {}).get("owner_service"):
        raise tk.ValidationError(
            {"owner_service": [tk._("An owner service is required before review")]})
    return package


def _request_checks(package_dict: dict[str, Any]
                    ) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the checks a review request runs now: the plan (heavy checks on big files
    go to a background job, queued once the review is committed, which adds its results
    to the review's checks), the results executed, and the review's list of results."""
    planned = check_runner.plan(package_dict)
    executed = check_runner.execute(package_dict, planned.now)
    results = [{key: value for key, value in result.items() if key != "duration_ms"}
               for result in executed]
    # Queued checks show as pending in the review until the job replaces them; a
    # pending blocking check counts as a failure, so nobody approves before the
    # scanner has spoken (or without an explicit override).
    results += [{"check_id": check.id, "title": check.title, "severity": check.severity,
                 "scope": check.scope, "resource_id": resource["id"] if resource else None,
                 "status": check_runner.PENDING, "findings": [], "version": check.version,
                 "run_at": None} for check, resource in planned.later]
    return planned, executed, results


def _withdraw_waiting(context: Context, package_id: str) -> list[Review]:
    """Withdraw the dataset's requests still waiting for a decision (superseded)."""
    withdrawn = model.Session.query(Review).filter_by(
        package_id=package_id, state="submitted").all()
    for earlier in withdrawn:
        earlier.state = "withdrawn"
        _record(context, "review_withdrawn", earlier, details={"reason": "superseded"})
    return withdrawn


def _override_needed(blocking: list[dict[str, Any]]) -> list[str]:
    """Why approving needs an override: the blocking checks that failed, those that did
    not run (a file nobody read, which the reviewer must check by hand), and those
    still running in a background job; each named by its translated title."""
    def titles(statuses: tuple[str, ...], keep: bool) -> str:
        return ", ".join(sorted({checks.explained(result)["title"] for result in blocking
                                 if (result["status"] in statuses) == keep}))

    failed = titles((checks.NOT_RUN, check_runner.PENDING), False)
    not_run = titles((checks.NOT_RUN,), True)
    pending = titles((check_runner.PENDING,), True)
    messages = []
    if failed:
        messages.append(tk._("A blocking check failed ({checks}): approving needs an "
                             "override and a comment that explains it").format(
                                 checks=failed))
    if not_run:
        messages.append(tk._("A blocking check did not run ({checks}): approving needs an "
                             "override and a comment that says what was checked by "
                             "hand").format(checks=not_run))
    if pending:
        messages.append(tk._("Blocking checks are still running ({checks}): wait for their "
                             "results before approving, or approve with an override and a "
                             "comment that says what was checked by hand").format(
                                 checks=pending))
    return messages


def governance_review_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve or reject a submitted review, item by item.

    The checklist is the organization's (``governance_checklist_show``); the
    decision keeps its items as they are now. Approving needs every required
    item ``ok`` or ``not_applicable``, a dataset unchanged since the request,
    and, when an automated check found a blocking failure, ``override`` with a
    comment. An approved request made with ``publish`` makes the dataset
    public. The requester is mailed the decision, as is the owner service's
    mailbox.

    :param id: the review id
    :param decision: ``approve`` or ``reject``
    :param checklist: an object with the keys of the organization's checklist
        items (by default ``licence``, ``personal_data``, ``schema``,
        ``open_format`` and ``metadata``), each a verdict (``ok``, ``not_ok``,
        ``not_applicable``) or ``{"verdict": ..., "comment": ...}``; an optional
        item may be left out
    :param comment: general comment; required to reject, and to override
    :param override: approve despite a blocking check failure (default false)
    :returns: the review, with ``published`` (whether the approval made the
        dataset public) and ``publish_error`` (why it could not)
    """
    tk.check_access("governance_review_decide", context, data_dict)
    review = _get_review(data_dict.get("id"))
    data = schema.validate(data_dict, schema.review_decide(), context)
    items = checklist.for_organization(review.organization_id)
    given = checklist.verdicts(data["checklist"], items)
    actor = acting_user(context)
    package = _decidable(review, actor)
    decision = data["decision"]
    comment = data.get("comment") or None
    blocking = checks.blocking_failures(review.checks or [])
    _check_decision(data, review, package, items, given, blocking)

    # An override is only recorded when there was a blocking failure to override.
    override = bool(decision == "approve" and blocking and data["override"])
    review.state = "approved" if decision == "approve" else "rejected"
    review.decided_by = actor.id if actor else None
    review.decided = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    review.checklist, review.checklist_items = given, items
    review.decision_comment, review.override = comment, override
    model.Session.flush()
    _record(context, "review_decided", review, details={
        "decision": decision, "checklist": given, "override": override,
        "comment": comment,
        "blocking_failures": [result["check_id"] for result in blocking]})
    # The publication gate reads the approval from the database: it must be
    # there before the dataset is made public.
    commit(context)

    publish = _publish_intents([review.id]).get(review.id, True)
    published, publish_error = False, None
    if decision == "approve" and publish and package.private:
        published, publish_error = _publish(context, review, package)
    _add_activity(review, package, actor)
    review_mail.mail_decision(review, package, actor, published)
    return {**_review_dict(review, publish=publish),
            "published": published, "publish_error": publish_error}


def _decidable(review: Review, actor: Optional[model.User]) -> model.Package:
    """The dataset of a review that ``actor`` may decide now: not their own request, a
    request still submitted, a dataset still there."""
    # The auth function refuses this too; ignore_auth callers get it here.
    if actor is not None and actor.id == review.requested_by:
        raise tk.NotAuthorized(tk._("You cannot decide on your own request"))
    if review.state != "submitted":
        raise tk.ValidationError({"id": [tk._(
            "This review is {state}: only a submitted review can be decided").format(
                state=review.state)]})
    package = model.Package.get(review.package_id)
    if package is None or package.state == "deleted":
        raise tk.ValidationError({"id": [tk._("The dataset of this review no longer exists")]})
    return package


def _check_decision(data: dict[str, Any], review: Review, package: model.Package,
                    items: list[dict[str, Any]], given: dict[str, Any],
                    blocking: list[dict[str, Any]]) -> None:
    """Refuse a decision that may not be taken, each reason under its field: an
    approval with a required item not ok, a blocking check not overridden with a
    comment, or a dataset changed since the request; a rejection without a comment."""
    comment = data.get("comment") or None
    errors: dict[str, list[str]] = {}
    if data["decision"] == "approve":
        not_ok = [item["key"] for item in items if item["required"]
                  and given.get(item["key"], {}).get("verdict") == "not_ok"]
        if not_ok:
            errors["checklist"] = [tk._(
                "To approve, every required item must be ok or not applicable: {items}"
            ).format(items=checklist.labels(not_ok, items))]
        if blocking and not (data["override"] and comment):
            errors["override"] = _override_needed(blocking)
        if fingerprint.current(package)[0] != review.fingerprint:
            errors.setdefault("id", []).append(tk._(
                "The dataset changed since the review was requested: "
                "a new request is needed"))
    elif not comment:
        errors["comment"] = [tk._("Say why the request is rejected")]
    if errors:
        raise tk.ValidationError(errors)


@tk.side_effect_free
def governance_review_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One review, with its check results; or the latest review of a dataset.

    :param id: the review id
    :param package_id: id or name of a dataset, for its latest review
        (instead of ``id``)
    :returns: the review, with ``package_name`` and ``package_title``; each of
        its ``checks`` with ``title``, ``explanation``, ``why`` and ``fix`` in
        the request's language
    """
    tk.check_access("governance_review_show", context, data_dict)
    data = schema.validate(data_dict, schema.review_show(), context)
    if data.get("id"):
        review = _get_review(data["id"])
    else:
        package = _get_package(data["package_id"])
        review = Review.latest_for(package.id)
        if review is None:
            raise tk.ObjectNotFound(tk._("This dataset has no review"))
    return _review_dict(review)


@tk.side_effect_free
def governance_review_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The reviewers' queue: reviews newest first, of the organizations the user
    reviews, edits or administers (every organization for sysadmins).

    :param organization_id: id or name of an organization (optional)
    :param package_id: id or name of a dataset (optional)
    :param state: ``submitted`` (default), ``approved``, ``rejected``,
        ``withdrawn`` or ``all``
    :param limit: page size (default 20, at most 100)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [review, ...]}``; submitted reviews
        have their ``age_days``
    """
    tk.check_access("governance_review_list", context, data_dict)
    data = schema.validate(data_dict, schema.review_list(), context)
    query = model.Session.query(Review)
    user = context.get("user") or ""
    if not authz.is_sysadmin(user):
        query = query.filter(Review.organization_id.in_(organizations_of(user) or ["-"]))
    if data.get("organization_id"):
        query = query.filter(Review.organization_id == data["organization_id"])
    if data.get("package_id"):
        package = model.Package.get(data["package_id"])
        query = query.filter(Review.package_id == (package.id if package else None))
    if data["state"] != "all":
        query = query.filter(Review.state == data["state"])
    page = (query.order_by(Review.created.desc(), Review.id)
            .offset(data["offset"]).limit(data["limit"]).all())
    intents = _publish_intents([review.id for review in page])
    return {"count": query.count(),
            "results": [_review_dict(review, publish=intents.get(review.id, True))
                        for review in page]}


def _get_package(id_or_name: Any) -> model.Package:
    package = model.Package.get(id_or_name) if id_or_name else None
    if package is None or package.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def _get_review(review_id: Any) -> Review:
    review = Review.get(review_id) if review_id else None
    if review is None:
        raise tk.ObjectNotFound(tk._("Review not found"))
    return review


def _record(context: Context, event_type: str, review: Review,
            details: Optional[dict[str, Any]] = None) -> None:
    events.record(context, event_type, "review", review.id, review.organization_id,
                   package_id=review.package_id, details=details)


def _publish_intents(review_ids: list[str]) -> dict[str, bool]:
    """Whether each review was requested with ``publish``, as its request event says."""
    if not review_ids:
        return {}
    requests = model.Session.query(Event.object_id, Event.details).filter(
        Event.object_type == "review", Event.event_type == "review_requested",
        Event.object_id.in_(review_ids))
    return {object_id: bool((details or {}).get("publish", True))
            for object_id, details in requests}


def organizations_of(user: str) -> list[str]:
    """Organizations whose reviews the user may see: reviewed, edited or administered
    (not an action: the queue's filter lists them too)."""
    account = model.User.get(user) if user else None
    if account is None:
        return []
    organizations = tk.get_action("organization_list_for_user")(
        {"user": account.name, "ignore_auth": True}, {"permission": "update_dataset"})
    return sorted({org["id"] for org in organizations} |
                  set(Reviewer.organizations_of(account.id)))


def _organization_names(organization_id: Optional[str]) -> dict[str, Optional[str]]:
    group = model.Group.get(organization_id) if organization_id else None
    return {"organization_name": group.name if group else None,
            "organization_title": (group.title or group.name) if group else None}


def _review_dict(review: Review, publish: Optional[bool] = None) -> dict[str, Any]:
    package = model.Package.get(review.package_id)
    result = {
        **review.as_dict(),
        "checks": [checks.explained(check) for check in review.checks or []],
        # A decided review keeps the items it was decided on; a pending one is decided
        # on the organization's current list.
        "checklist_items": (checklist.shown(review.checklist_items)
                            if review.checklist is not None
                            else checklist.for_organization(review.organization_id)),
        "package_name": package.name if package else None,
        "package_title": package.title if package else None,
        **_organization_names(review.organization_id),
        "publish": (_publish_intents([review.id]).get(review.id, True)
                    if publish is None else publish),
        "blocking_failures": [result["check_id"] for result in
                              checks.blocking_failures(review.checks or [])],
        "age_days": None,
    }
    if review.state == "submitted" and review.created:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        result["age_days"] = (now - review.created).days
    return result


def _publish(context: Context, review: Review, package: model.Package
             ) -> tuple[bool, Optional[str]]:
    """Make the approved dataset public; a refusal leaves the approval standing."""
    try:
        tk.get_action("package_patch")(site_context(),
                                       {"id": package.id, "private": False})
    except tk.ValidationError as error:
        log.warning("approved dataset %s could not be published: %s",
                    package.name, error.error_dict)
        return False, str(error.error_dict)
    events.record(context, "published_on_approval", "dataset", package.id,
                   review.organization_id, package_id=package.id,
                   details={"review_id": review.id})
    commit(context)
    return True, None


def _add_activity(review: Review, package: model.Package,
                  actor: Optional[model.User]) -> None:
    """An entry in the dataset's activity stream, when the activity plugin is on."""
    if not p.plugin_loaded("activity"):
        return
    # The stream hides the site user's activities: a decision without a
    # known actor would be invisible, so it is left out.
    if actor is None:
        return
    package = model.Package.get(review.package_id) or package
    tk.get_action("activity_create")(
        {"user": actor.name, "ignore_auth": True, "schema": schema.review_activity()},
        {
            "user_id": actor.id,
            "object_id": package.id,
            "activity_type": ACTIVITY_TYPE,
            "data": {
                "package": {"id": package.id, "name": package.name,
                            "title": package.title, "type": package.type},
                "actor": actor.name,
                # The comments may be internal: only the outcome goes to the stream.
                "review": {"id": review.id, "decision": review.state,
                           "override": bool(review.override)},
            },
            "permission_labels": get_permission_labels().get_dataset_labels(package),
        })


