"""Actions of the sign-off workflow: reviews, reviewers and per-organization settings."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context, DataDict

from ckanext.opendata_governance import check_runner, checklist, checks, fingerprint, mail
from ckanext.opendata_governance.logic import schema
from ckanext.opendata_governance.model import (
    Event, OrganizationSetting, Review, Reviewer, Service)
from ckanext.suite.site import site_context, user_contact

__all__ = [
    "governance_review_request",
    "governance_review_decide",
    "governance_review_show",
    "governance_review_list",
    "governance_reviewer_create",
    "governance_reviewer_delete",
    "governance_reviewer_list",
    "governance_settings_show",
    "governance_settings_update",
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
    package = _get_package(data["id"])
    if not package.owner_org:
        raise tk.ValidationError(
            {"id": [tk._("Only a dataset of an organization can be reviewed")]})
    if not (package.extras or {}).get("owner_service"):
        raise tk.ValidationError(
            {"owner_service": [tk._("An owner service is required before review")]})

    package_dict = tk.get_action("package_show")(
        {"user": context.get("user", ""), "ignore_auth": True}, {"id": package.id})
    # Heavy checks on big files go to a background job, queued once the review is
    # committed; it adds its results to the review's checks.
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
    fingerprint_, snapshot = fingerprint.current(package)
    actor = _actor(context)

    withdrawn = model.Session.query(Review).filter_by(
        package_id=package.id, state="submitted").all()
    for earlier in withdrawn:
        earlier.state = "withdrawn"
        _record(context, "review_withdrawn", earlier,
                details={"reason": "superseded"})
    review = Review(
        package_id=package.id, organization_id=package.owner_org, state="submitted",
        requested_by=actor.id if actor else None,
        request_comment=data.get("comment") or None,
        fingerprint=fingerprint_, snapshot=snapshot, checks=results)
    model.Session.add(review)
    model.Session.flush()
    blocking = checks.blocking_failures(results)
    _record(context, "review_requested", review, details={
        "comment": review.request_comment,
        "publish": data["publish"],
        "withdrawn": [earlier.id for earlier in withdrawn],
        "blocking_failures": [result["check_id"] for result in blocking],
        "pending_checks": [check.id for check, _resource in planned.later],
    })
    check_runner.store(package.id, executed, "review")
    _commit(context)
    if planned.later:
        job_id = check_runner.enqueue(package.id, planned, "review", review.id)
        check_runner.store_pending(package.id, planned.later, "review", job_id)
        _commit(context)

    _mail_request(review, package, actor, data["publish"], results)
    return _review_dict(review, publish=data["publish"])


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

    Approving needs every checklist item ``ok`` or ``not_applicable``, a
    dataset unchanged since the request, and, when an automated check
    found a blocking failure, ``override`` with a comment. An approved
    request made with ``publish`` makes the dataset public. The requester
    is mailed the decision, as is the owner service's mailbox.

    :param id: the review id
    :param decision: ``approve`` or ``reject``
    :param checklist: an object with the keys ``licence``, ``personal_data``,
        ``schema``, ``open_format`` and ``metadata``, each a verdict (``ok``,
        ``not_ok``, ``not_applicable``) or ``{"verdict": ..., "comment": ...}``
    :param comment: general comment; required to reject, and to override
    :param override: approve despite a blocking check failure (default false)
    :returns: the review, with ``published`` (whether the approval made the
        dataset public) and ``publish_error`` (why it could not)
    """
    tk.check_access("governance_review_decide", context, data_dict)
    review = _get_review(data_dict.get("id"))
    data = schema.validate(data_dict, schema.review_decide(), context)
    actor = _actor(context)
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

    decision = data["decision"]
    given = data["checklist"]
    comment = data.get("comment") or None
    blocking = checks.blocking_failures(review.checks or [])
    errors: dict[str, list[str]] = {}
    if decision == "approve":
        not_ok = [item for item, entry in given.items() if entry["verdict"] == "not_ok"]
        if not_ok:
            errors["checklist"] = [tk._(
                "To approve, every item must be ok or not applicable: {items}").format(
                    items=checklist.labels(not_ok))]
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

    # An override is only recorded when there was a blocking failure to override.
    override = bool(decision == "approve" and blocking and data["override"])
    review.state = "approved" if decision == "approve" else "rejected"
    review.decided_by = actor.id if actor else None
    review.decided = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    review.checklist = given
    review.decision_comment = comment
    review.override = override
    model.Session.flush()
    _record(context, "review_decided", review, details={
        "decision": decision, "checklist": given, "override": override,
        "comment": comment,
        "blocking_failures": [result["check_id"] for result in blocking]})
    # The publication gate reads the approval from the database: it must be
    # there before the dataset is made public.
    _commit(context)

    publish = _publish_intents([review.id]).get(review.id, True)
    published, publish_error = False, None
    if decision == "approve" and publish and package.private:
        published, publish_error = _publish(context, review, package)
    _add_activity(review, package, actor)
    _mail_decision(review, package, actor, published)
    return {**_review_dict(review, publish=publish),
            "published": published, "publish_error": publish_error}


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
        query = query.filter(Review.organization_id.in_(_organizations_of(user) or ["-"]))
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


def governance_reviewer_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Name a user compliance reviewer of an organization.

    The user need not be a member of the organization: a data protection
    officer or a legal department often reviews several organizations'
    datasets without publishing in any.

    :param organization_id: id or name of the organization
    :param user: id or name of an active user
    :returns: the reviewer, with the user's ``name`` and ``display_name``
    """
    tk.check_access("governance_reviewer_create", context, data_dict)
    data = schema.validate(data_dict, schema.reviewer(), context)
    if Reviewer.is_reviewer(data["organization_id"], data["user"]):
        raise tk.ValidationError(
            {"user": [tk._("This user already reviews this organization")]})
    actor = _actor(context)
    reviewer = Reviewer(organization_id=data["organization_id"], user_id=data["user"],
                        created_by=actor.id if actor else None)
    model.Session.add(reviewer)
    model.Session.flush()
    _record_object(context, "reviewer_added", "reviewer", reviewer.id,
                   reviewer.organization_id, details={"user_id": reviewer.user_id})
    _commit(context)
    return _reviewer_dict(reviewer)


def governance_reviewer_delete(context: Context, data_dict: DataDict) -> None:
    """Stop a user reviewing an organization's datasets.

    :param organization_id: id or name of the organization
    :param user: id or name of the user
    """
    tk.check_access("governance_reviewer_delete", context, data_dict)
    data = schema.validate(data_dict, schema.reviewer(), context)
    reviewer = model.Session.query(Reviewer).filter_by(
        organization_id=data["organization_id"], user_id=data["user"]).one_or_none()
    if reviewer is None:
        raise tk.ObjectNotFound(tk._("This user does not review this organization"))
    _record_object(context, "reviewer_removed", "reviewer", reviewer.id,
                   reviewer.organization_id, details={"user_id": reviewer.user_id})
    model.Session.delete(reviewer)
    _commit(context)


@tk.side_effect_free
def governance_reviewer_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The reviewers of an organization, by name.

    :param organization_id: id or name of the organization
    :param limit: page size (default 100, at most 100)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [{"id", "organization_id", "user_id",
        "name", "display_name", "created_by", "created"}, ...]}``
    """
    tk.check_access("governance_reviewer_list", context, data_dict)
    data = schema.validate(data_dict, schema.reviewer_list(), context)
    query = (model.Session.query(Reviewer)
             .join(model.User, model.User.id == Reviewer.user_id)
             .filter(Reviewer.organization_id == data["organization_id"]))
    page = (query.order_by(model.User.name)
            .offset(data["offset"]).limit(data["limit"]).all())
    return {"count": query.count(), "results": [_reviewer_dict(r) for r in page]}


@tk.side_effect_free
def governance_settings_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The governance settings of an organization (defaults when never set).

    :param organization_id: id or name of the organization
    :returns: ``{"organization_id", "gate_enabled", "agent_count", "modified_by",
        "modified"}``
    """
    tk.check_access("governance_settings_show", context, data_dict)
    data = schema.validate(data_dict, schema.settings_show(), context)
    setting = model.Session.get(OrganizationSetting, data["organization_id"])
    if setting is None:
        return {"organization_id": data["organization_id"], "gate_enabled": True,
                "agent_count": None, "modified_by": None, "modified": None}
    return setting.as_dict()


def governance_settings_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change an organization's settings (its admins only); keys left out keep their value.

    :param organization_id: id or name of the organization
    :param gate_enabled: whether a dataset needs an approved sign-off to be public
    :param agent_count: the organization's staff headcount (empty clears it); with its
        territory's population, it decides whether "open by default" applies
    :returns: the settings
    """
    tk.check_access("governance_settings_update", context, data_dict)
    data = schema.validate(data_dict, schema.settings_update(), context)
    if "gate_enabled" not in data and "agent_count" not in data:
        raise tk.ValidationError({"gate_enabled": [tk._("Missing value")]})
    actor = _actor(context)
    setting = model.Session.get(OrganizationSetting, data["organization_id"])
    before = True if setting is None else bool(setting.gate_enabled)
    if setting is None:
        setting = OrganizationSetting(organization_id=data["organization_id"])
        model.Session.add(setting)
    changes: dict[str, Any] = {}
    if "gate_enabled" in data:
        setting.gate_enabled = data["gate_enabled"]
        changes["gate_enabled"] = [before, setting.gate_enabled]
    else:
        setting.gate_enabled = before
    if "agent_count" in data:
        changes["agent_count"] = [setting.agent_count, data["agent_count"]]
        setting.agent_count = data["agent_count"]
    setting.modified_by = actor.id if actor else None
    model.Session.flush()
    _record_object(context, "settings_updated", "organization", setting.organization_id,
                   setting.organization_id, details=changes)
    _commit(context)
    return setting.as_dict()


def _commit(context: Context) -> None:
    if context.get("defer_commit"):
        model.Session.flush()
    else:
        model.Session.commit()


def _actor(context: Context) -> Optional[model.User]:
    name = context.get("user")
    return model.User.get(name) if name else None


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


def _record_object(context: Context, event_type: str, object_type: str,
                   object_id: Optional[str], organization_id: Optional[str],
                   package_id: Optional[str] = None,
                   details: Optional[dict[str, Any]] = None) -> None:
    actor = _actor(context)
    model.Session.add(Event(
        actor_id=actor.id if actor else None, organization_id=organization_id, package_id=package_id,
        object_type=object_type, object_id=object_id, event_type=event_type,
        details=details or {}))


def _record(context: Context, event_type: str, review: Review,
            details: Optional[dict[str, Any]] = None) -> None:
    _record_object(context, event_type, "review", review.id, review.organization_id,
                   package_id=review.package_id, details=details)


def _publish_intents(review_ids: list[str]) -> dict[str, bool]:
    """Whether each review was requested with ``publish``, as its request event says."""
    if not review_ids:
        return {}
    events = model.Session.query(Event.object_id, Event.details).filter(
        Event.object_type == "review", Event.event_type == "review_requested",
        Event.object_id.in_(review_ids))
    return {object_id: bool((details or {}).get("publish", True))
            for object_id, details in events}


def _organizations_of(user: str) -> list[str]:
    """Organizations whose reviews the user may see: reviewed, edited or administered."""
    account = model.User.get(user) if user else None
    if account is None:
        return []
    organizations = tk.get_action("organization_list_for_user")(
        {"user": account.name, "ignore_auth": True}, {"permission": "update_dataset"})
    return sorted({org["id"] for org in organizations} |
                  set(Reviewer.organizations_of(account.id)))


def _review_dict(review: Review, publish: Optional[bool] = None) -> dict[str, Any]:
    package = model.Package.get(review.package_id)
    result = {
        **review.as_dict(),
        "checks": [checks.explained(check) for check in review.checks or []],
        "package_name": package.name if package else None,
        "package_title": package.title if package else None,
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


def _reviewer_dict(reviewer: Reviewer) -> dict[str, Any]:
    user = model.User.get(reviewer.user_id)
    return {**reviewer.as_dict(),
            "name": user.name if user else None,
            "display_name": user.display_name if user else None}


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
    _record_object(context, "published_on_approval", "dataset", package.id,
                   review.organization_id, package_id=package.id,
                   details={"review_id": review.id})
    _commit(context)
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


def _mail_request(review: Review, package: model.Package, actor: Optional[model.User],
                  publish: bool, results: list[dict[str, Any]]) -> None:
    user_ids = [row.user_id for row in model.Session.query(Reviewer.user_id)
                .filter_by(organization_id=review.organization_id)]
    if not user_ids:
        user_ids = [row.table_id for row in model.Session.query(model.Member.table_id)
                    .filter_by(group_id=review.organization_id, table_name="user",
                               capacity="admin", state="active")]
    recipients = [recipient for recipient in
                  (user_contact(user_id) for user_id in user_ids
                   if user_id != review.requested_by)
                  if recipient]
    if not recipients:
        log.warning("nobody to mail about the review of %s", package.name)
        return
    organization = model.Group.get(review.organization_id)
    subject, body = mail.render(
        "review_requested",
        dataset_title=package.title or package.name,
        dataset_url=mail.dataset_governance_url(package.name),
        organization_title=organization.display_name if organization else "",
        actor_name=(actor.display_name if actor else "") or tk._("Someone"),
        comment=review.request_comment or "",
        publish=publish,
        blocking=[_blocking_label(result) for result in checks.blocking_failures(results)],
        warnings=sorted({tk._(result["title"]) for result in results
                         if result["severity"] == "warning"
                         and result["status"] != "passed"}))
    mail.send(recipients, subject, body)


def _blocking_label(result: dict[str, Any]) -> str:
    title = tk._(result["title"])
    if result["status"] == checks.NOT_RUN:
        return tk._("{check} (not run)").format(check=title)
    return title


def _mail_decision(review: Review, package: model.Package, actor: Optional[model.User],
                   published: bool) -> None:
    recipients = []
    requester = user_contact(review.requested_by)
    if requester:
        recipients.append(requester)
    service = Service.by_name(review.organization_id,
                              (package.extras or {}).get("owner_service") or "")
    if service is not None and service.email:
        recipients.append((service.title, service.email))
    if not recipients:
        return
    subject, body = mail.render(
        "review_decided",
        decision="approve" if review.state == "approved" else "reject",
        dataset_title=package.title or package.name,
        dataset_url=mail.dataset_governance_url(package.name),
        actor_name=(actor.display_name if actor else "") or tk._("A reviewer"),
        comment=review.decision_comment or "",
        override=bool(review.override),
        published=published,
        checklist=[{"item": item, **entry} for item, entry in (review.checklist or {}).items()])
    mail.send(recipients, subject, body)
