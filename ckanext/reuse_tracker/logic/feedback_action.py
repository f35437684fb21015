"""Feedback actions: post, list, show, answer publicly, move through states, notes, figures."""
from __future__ import annotations

import datetime as dt
import statistics
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from flask import has_request_context, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.reuse_tracker import antispam, datastore_refs, feedback_mail, feedback_spam
from ckanext.reuse_tracker.logic import feedback_auth, feedback_schema as schema
from ckanext.reuse_tracker.logic.feedback_auth import (
    can_manage_dataset, managed_organizations)
from ckanext.reuse_tracker.model.datarequest import DATAREQUEST_OPEN_STATES, DataRequest
from ckanext.reuse_tracker.model.feedback import (
    FEEDBACK_OPEN_STATES, Feedback, FeedbackNote, FeedbackRating)
from ckanext.reuse_tracker.services import service_titles
from ckanext.suite import auth as suite_auth
from ckanext.suite.actions import commit
from ckanext.suite.collation import collation_key
from ckanext.suite.rows import utcnow

#: One action per auth function of feedback_auth, of the same name.
__all__ = feedback_auth.__all__


def _target_days() -> int:
    return tk.config["ckanext.reuse_tracker.feedback_response_days"]


def _package(id_or_name: Any, field: str = "package_id") -> model.Package:
    package = model.Package.get(id_or_name) if id_or_name else None
    if package is None or package.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def _get(data_dict: DataDict) -> Feedback:
    feedback = Feedback.get(data_dict.get("id"))
    if feedback is None:
        raise tk.ObjectNotFound(tk._("Feedback not found"))
    return feedback


def _client_ip(context: Context) -> str:
    if context.get("client_ip"):
        return str(context["client_ip"])
    if has_request_context():
        return request.remote_addr or "unknown"
    return "unknown"


def _overdue(feedback: Feedback, now: dt.datetime) -> bool:
    return (feedback.first_response is None and feedback.state != "spam"
            and now - feedback.created > dt.timedelta(days=_target_days()))


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def _author(feedback: Feedback, users: dict[str, model.User]) -> str:
    user = users.get(feedback.author_id or "")
    if user is not None:
        return user.display_name
    return feedback.author_name or tk._("Anonymous visitor")


def _users(ids: set[Optional[str]]) -> dict[str, model.User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {user.id: user for user in
            model.Session.query(model.User).filter(model.User.id.in_(ids))}


def _dictize(feedback: Feedback, users: dict[str, model.User], manager: bool,
             now: dt.datetime, packages: Optional[dict[str, model.Package]] = None
             ) -> dict[str, Any]:
    """The public view of a feedback item; its handling details only for managers."""
    package = (packages or {}).get(feedback.package_id)
    result = {
        "id": feedback.id,
        "package_id": feedback.package_id,
        "package_name": package.name if package else None,
        "package_title": (package.title or package.name) if package else None,
        "organization_id": feedback.organization_id,
        "service": feedback.service,
        "resource_id": feedback.resource_id,
        "reference": feedback.reference,
        "row_id": feedback.row_id,
        "kind": feedback.kind,
        "body": feedback.body,
        "rating": feedback.rating,
        "author": _author(feedback, users),
        "state": feedback.state,
        "answer": feedback.answer,
        "answered": _iso(feedback.answered),
        "created": _iso(feedback.created),
        "modified": _iso(feedback.modified),
    }
    if manager:
        answerer = users.get(feedback.answered_by or "")
        result.update({
            "author_id": feedback.author_id,
            "spam_reason": feedback.spam_reason,
            "answered_by": answerer.display_name if answerer else None,
            "first_response": _iso(feedback.first_response),
            "overdue": _overdue(feedback, now),
            # The quoted row's values: for those who handle the feedback.
            "row": datastore_refs.row_for(feedback.row_id, feedback.row_values),
        })
    return result


def _notes(feedback: Feedback) -> list[dict[str, Any]]:
    notes = model.Session.query(FeedbackNote).filter_by(
        feedback_id=feedback.id).order_by(FeedbackNote.created).all()
    users = _users({note.author_id for note in notes})
    return [{"id": note.id, "body": note.body, "state_change": note.state_change,
             "author": users[note.author_id].display_name if note.author_id in users else None,
             "created": _iso(note.created)} for note in notes]


def _manager_dict(feedback: Feedback, context: Context) -> dict[str, Any]:
    users = _users({feedback.author_id, feedback.answered_by})
    packages = {feedback.package_id: model.Package.get(feedback.package_id)}
    return {**_dictize(feedback, users, True, utcnow(), packages), "notes": _notes(feedback)}


def _spam_reason(data: dict[str, Any], data_dict: DataDict, manager: bool
                 ) -> Optional[str]:
    if antispam.honeypot_filled(data_dict):
        return "honeypot"
    if manager:
        return None
    return feedback_spam.spam_reason(data["body"], data.get("reference"),
                                     data.get("author_name"))


def feedback_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Give feedback on a dataset; its owner service (or organization admins) is mailed.

    Feedback from visitors who are not logged in (when allowed) is rate limited
    per address; feedback that trips the honeypot or the spam heuristics is kept
    in the ``spam`` state, unpublished and unannounced.

    :param package_id: the dataset (id or name)
    :param kind: ``question``, ``problem``, ``update_request`` or ``thanks``
    :param body: the message
    :param rating: 1 to 5 (optional; logged-in users only; one per user and dataset,
        a new one replaces the previous)
    :param resource_id: a resource of the dataset (optional)
    :param reference: a row or column reference in the data (optional)
    :param row_id: the ``_id`` of a row of ``resource_id``'s DataStore table, quoted
        (optional): the row must exist and the author must be able to read the
        resource; its values are kept with the feedback and shown to its handlers
    :param author_name: how an anonymous visitor signs (optional)
    :returns: the feedback (with its handling details for the dataset's editors)
    """
    tk.check_access("feedback_create", context, data_dict)
    data = schema.validate(data_dict, schema.feedback_create(), context)
    package = _package(data["package_id"])
    user = suite_auth.context_user(context)
    errors: dict[str, list[str]] = {}
    resource_id = data.get("resource_id")
    if resource_id:
        resource = model.Resource.get(resource_id)
        if resource is None or resource.package_id != package.id or resource.state != "active":
            errors["resource_id"] = [tk._("This resource does not belong to the dataset")]
    if data.get("rating") is not None and user is None:
        errors["rating"] = [tk._("Log in to rate the dataset")]
    if errors:
        raise tk.ValidationError(errors)
    row_values = (datastore_refs.check_row(context, resource_id, data["row_id"])
                  if data.get("row_id") is not None else None)
    if user is None and not context.get("ignore_auth") and antispam.rate_limited(
            "feedback", _client_ip(context),
            tk.config["ckanext.reuse_tracker.feedback_rate_limit"],
            tk.config["ckanext.reuse_tracker.feedback_rate_window"]):
        raise tk.ValidationError({"rate_limit": [
            tk._("Too much feedback from your address: please try again later")]})
    manager = can_manage_dataset(context, package.id)
    spam_reason = _spam_reason(data, data_dict, manager)
    feedback = Feedback(
        package_id=package.id, organization_id=package.owner_org,
        service=package.extras.get("owner_service") or None,
        resource_id=resource_id or None, reference=data.get("reference") or None,
        row_id=data.get("row_id") if row_values is not None else None,
        row_values=row_values,
        kind=data["kind"], body=data["body"], rating=data.get("rating"),
        author_id=user.id if user else None,
        author_name=None if user else (data.get("author_name") or None),
        state="spam" if spam_reason else "new", spam_reason=spam_reason)
    model.Session.add(feedback)
    if user is not None and data.get("rating") is not None and not spam_reason:
        _rate(package.id, user.id, data["rating"])
    commit(context)
    users, packages = ({user.id: user} if user else {}), {package.id: package}
    if not spam_reason:
        feedback_mail.notify_received(_dictize(feedback, users, True, utcnow(), packages),
                                      package)
    # The author sees the public view: why a post went to spam is not told.
    return _dictize(feedback, users, manager, utcnow(), packages)


def _rate(package_id: str, user_id: str, rating: int) -> None:
    # One rating per user and dataset: an upsert, so that concurrent posts cannot
    # leave two rows.
    table = FeedbackRating.__table__
    statement = insert(table).values(
        package_id=package_id, user_id=user_id, rating=rating, modified=utcnow())
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.package_id, table.c.user_id],
        set_={"rating": rating, "modified": utcnow()}))


def _rating_summary(package_id: str) -> tuple[Optional[float], int]:
    average, count = model.Session.query(
        sa.func.avg(FeedbackRating.rating), sa.func.count(FeedbackRating.user_id)
    ).filter(FeedbackRating.package_id == package_id).one()
    return (round(float(average), 2) if average is not None else None), int(count)


@tk.side_effect_free
def feedback_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Feedback, newest first: a dataset's (for those who see it), or an inbox.

    Without ``package_id`` the list covers the organizations whose datasets
    the user edits (sysadmins: every one). Spam and handling details (author
    id, internal state) only show to those who edit the dataset.

    :param package_id: a dataset (id or name)
    :param organization: an organization (id or name)
    :param service: an owner service name
    :param kind: a kind of feedback
    :param state: a state
    :param overdue: only feedback past the response target without a response
    :param limit: page size (default 25)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [...]}``; for a dataset also
        ``rating_average`` and ``rating_count``
    """
    tk.check_access("feedback_list", context, data_dict)
    data = schema.validate(data_dict, schema.feedback_list(), context)
    query = model.Session.query(Feedback)
    package = None
    if data.get("package_id"):
        package = _package(data["package_id"])
        query = query.filter(Feedback.package_id == package.id)
        manager = can_manage_dataset(context, package.id)
        if not manager:
            query = query.filter(Feedback.state != "spam")
    else:
        manager = True
        managed = managed_organizations(context)
        if managed is not None:
            query = query.filter(Feedback.organization_id.in_(managed))
    if data.get("organization"):
        group = model.Group.get(data["organization"])
        query = query.filter(Feedback.organization_id == (group.id if group else None))
    if data.get("service"):
        query = query.filter(Feedback.service == data["service"])
    if data.get("kind"):
        query = query.filter(Feedback.kind == data["kind"])
    if data.get("state"):
        query = query.filter(Feedback.state == data["state"])
    now = utcnow()
    if data["overdue"]:
        query = query.filter(
            Feedback.first_response.is_(None), Feedback.state != "spam",
            Feedback.created < now - dt.timedelta(days=_target_days()))
    count = query.count()
    rows = query.order_by(Feedback.created.desc(), Feedback.id).offset(
        data["offset"]).limit(data["limit"]).all()
    users = _users({row.author_id for row in rows} | {row.answered_by for row in rows})
    package_ids = {row.package_id for row in rows}
    packages = {package.id: package for package in model.Session.query(model.Package).filter(
        model.Package.id.in_(package_ids))} if package_ids else {}
    result: dict[str, Any] = {
        "count": count,
        "results": [_dictize(row, users, manager, now, packages) for row in rows],
    }
    if package is not None:
        result["rating_average"], result["rating_count"] = _rating_summary(package.id)
    return result


@tk.side_effect_free
def feedback_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One feedback item; with its internal notes for those who edit the dataset.

    :param id: the feedback id
    :returns: the feedback
    """
    tk.check_access("feedback_show", context, data_dict)
    feedback = _get(data_dict)
    if can_manage_dataset(context, feedback.package_id):
        return _manager_dict(feedback, context)
    package = model.Package.get(feedback.package_id)
    return _dictize(feedback, _users({feedback.author_id}), False, utcnow(),
                    {feedback.package_id: package})


def _change_state(feedback: Feedback, state: Optional[str], user: Optional[model.User],
                  note: Optional[str]) -> None:
    """Move to ``state`` (recorded as an internal note); the first change is a response."""
    old = feedback.state
    changed = bool(state) and state != old
    if changed:
        feedback.state = state
        if feedback.first_response is None and state not in ("new", "spam"):
            feedback.first_response = utcnow()
    if changed or note:
        model.Session.add(FeedbackNote(
            feedback_id=feedback.id, author_id=user.id if user else None,
            body=note or "", state_change=f"{old}>{state}" if changed else None))


def feedback_respond(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Answer feedback publicly (shown under it on the dataset page); its author is mailed.

    The first answer or status change ends the response time.

    :param id: the feedback id
    :param body: the public answer (replaces a previous one)
    :param state: a new state (optional)
    :returns: the feedback, with its notes
    """
    tk.check_access("feedback_respond", context, data_dict)
    data = schema.validate(data_dict, schema.feedback_respond(), context)
    feedback = _get(data)
    user = suite_auth.context_user(context)
    now = utcnow()
    feedback.answer = data["body"]
    feedback.answered = now
    feedback.answered_by = user.id if user else None
    if feedback.first_response is None:
        feedback.first_response = now
    _change_state(feedback, data.get("state"), user, None)
    commit(context)
    result = _manager_dict(feedback, context)
    package = model.Package.get(feedback.package_id)
    if package is not None and feedback.state != "spam":
        feedback_mail.notify_answered(result, package, feedback.author_id)
    return result


def feedback_update_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move feedback to another state, with an optional internal note.

    :param id: the feedback id
    :param state: ``new``, ``acknowledged``, ``in_progress``, ``resolved``,
        ``rejected`` or ``spam``
    :param note: an internal note (never public)
    :returns: the feedback, with its notes
    """
    tk.check_access("feedback_update_status", context, data_dict)
    data = schema.validate(data_dict, schema.feedback_update_status(), context)
    feedback = _get(data)
    _change_state(feedback, data["state"], suite_auth.context_user(context), data.get("note"))
    commit(context)
    return _manager_dict(feedback, context)


def feedback_note_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add an internal note to feedback: seen by the dataset's editors only, never public.

    :param id: the feedback id
    :param body: the note
    :returns: the feedback, with its notes
    """
    tk.check_access("feedback_note_create", context, data_dict)
    data = schema.validate(data_dict, schema.feedback_note_create(), context)
    feedback = _get(data)
    _change_state(feedback, None, suite_auth.context_user(context), data["body"])
    commit(context)
    return _manager_dict(feedback, context)


def _figures(rows: list[Any], now: dt.datetime, target: dt.timedelta) -> dict[str, Any]:
    delays = [row.first_response - row.created for row in rows if row.first_response]
    in_time = sum(1 for delay in delays if delay <= target)
    overdue = sum(1 for row in rows if row.first_response is None
                  and now - row.created > target)
    decided = len(delays) + overdue
    return {
        "received": len(rows),
        "answered": len(delays),
        "answered_in_time": in_time,
        "overdue": overdue,
        "open": sum(1 for row in rows if row.state in FEEDBACK_OPEN_STATES),
        # Among items whose outcome is known (answered, or already late).
        "share_in_time": round(in_time / decided, 4) if decided else None,
        "median_response_days": round(statistics.median(
            delay.total_seconds() / 86400 for delay in delays), 2) if delays else None,
    }


@tk.side_effect_free
def feedback_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Figures per organization and per owner service: feedback received (spam aside),
    median first-response time in days, share answered within the target, overdue.

    ``share_in_time`` is the share of answered-in-time items among those answered or
    already overdue; items still within the target are left out.

    Each organization also counts the data requests still waiting for it
    (``datarequests_open``) and their votes (``datarequests_votes``); an organization
    with data requests but no feedback is listed too. ``datarequests`` lists the ten
    most voted requests still waiting, in the same scope.

    :param organization: an organization (id or name); default: those whose datasets
        the user edits (sysadmins: every one)
    :returns: ``{"target_days", "organizations": [...], "services": [...],
        "datarequests": [...]}``; each service row has the service's ``service_title``
        when the governance plugin knows it
    """
    tk.check_access("feedback_stats", context, data_dict)
    data = schema.validate(data_dict, schema.feedback_stats(), context)
    query = model.Session.query(
        Feedback.organization_id, Feedback.service, Feedback.state, Feedback.created,
        Feedback.first_response).filter(Feedback.state != "spam")
    requests = model.Session.query(DataRequest).filter(
        DataRequest.state.in_(DATAREQUEST_OPEN_STATES))
    managed = managed_organizations(context)
    if managed is not None:
        query = query.filter(Feedback.organization_id.in_(managed))
        requests = requests.filter(DataRequest.organization_id.in_(managed))
    if data.get("organization"):
        group = model.Group.get(data["organization"])
        query = query.filter(Feedback.organization_id == (group.id if group else None))
        requests = requests.filter(
            DataRequest.organization_id == (group.id if group else None))
    rows = query.all()
    now, target = utcnow(), dt.timedelta(days=_target_days())
    by_org: dict[Optional[str], list[Any]] = {}
    by_service: dict[tuple[Optional[str], Optional[str]], list[Any]] = {}
    for row in rows:
        by_org.setdefault(row.organization_id, []).append(row)
        by_service.setdefault((row.organization_id, row.service), []).append(row)
    waiting: dict[str, tuple[int, int]] = {
        org_id: (int(count), int(votes or 0)) for org_id, count, votes in
        requests.filter(DataRequest.organization_id.isnot(None)).with_entities(
            DataRequest.organization_id, sa.func.count(DataRequest.id),
            sa.func.sum(DataRequest.vote_count)).group_by(DataRequest.organization_id)}
    for org_id in waiting:
        by_org.setdefault(org_id, [])
    top = requests.order_by(DataRequest.vote_count.desc(), DataRequest.created.desc(),
                            DataRequest.id).limit(10).all()
    group_ids = {key for key in by_org if key} | {
        request.organization_id for request in top if request.organization_id}
    groups = {group.id: group for group in model.Session.query(model.Group).filter(
        model.Group.id.in_(group_ids))} if group_ids else {}

    def _org(org_id: Optional[str]) -> dict[str, Any]:
        group = groups.get(org_id or "")
        return {"organization_id": org_id,
                "organization_name": group.name if group else None,
                "organization_title": (group.title or group.name) if group else None}

    organizations = sorted(
        ({**_org(org_id), **_figures(items, now, target),
          "datarequests_open": waiting.get(org_id or "", (0, 0))[0],
          "datarequests_votes": waiting.get(org_id or "", (0, 0))[1]}
         for org_id, items in by_org.items()),
        key=lambda item: (item["organization_title"] or "").lower())
    titles = service_titles(org_id for org_id, _service in by_service)
    services = sorted(
        ({**_org(org_id), "service": service,
          "service_title": titles.get((org_id, service)) if service else None,
          **_figures(items, now, target)}
         for (org_id, service), items in by_service.items()),
        key=lambda item: (collation_key(item["organization_title"]),
                          collation_key(item["service_title"] or item["service"])))
    datarequests = [{"id": request.id, "title": request.title,
                     "organization_title": _org(request.organization_id)["organization_title"],
                     "vote_count": request.vote_count, "state": request.state}
                    for request in top]
    return {"target_days": _target_days(), "organizations": organizations,
            "services": services, "datarequests": datarequests}
