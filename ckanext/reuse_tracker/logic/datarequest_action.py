"""Data request actions: ask for data, vote, follow, comment, move through states."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.reuse_tracker import antispam, datarequest_mail, feedback_spam
from ckanext.reuse_tracker.logic import datarequest_auth, datarequest_schema as schema
from ckanext.reuse_tracker.logic.datarequest_auth import (
    comment_deletable, is_moderator, moderated_organizations, visible_request)
from ckanext.reuse_tracker.logic.feedback_auth import can_read_dataset
from ckanext.reuse_tracker.logic.feedback_schema import validate
from ckanext.reuse_tracker.model.datarequest import (
    DATAREQUEST_OPEN_STATES, DataRequest, DataRequestComment, DataRequestFollower,
    DataRequestVote)
from ckanext.suite.actions import commit
from ckanext.suite.rows import utcnow
from ckanext.suite.validate import validate_all

#: One action per auth function of datarequest_auth, of the same name.
__all__ = datarequest_auth.__all__


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def _user(context: Context) -> Optional[model.User]:
    name = context.get("user")
    user = model.User.get(name) if name else None
    return user if user is not None and user.state == "active" else None


def _participant(context: Context) -> model.User:
    """The logged-in user taking part (voting, following, commenting); the auth function
    refused visitors, but a call with ``ignore_auth`` may still come without a user."""
    user = _user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to take part in data requests"))
    return user


def _users(ids: Iterable[Optional[str]]) -> dict[str, model.User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {user.id: user for user in
            model.Session.query(model.User).filter(model.User.id.in_(ids))}


def _by_id(table: Any, ids: Iterable[Optional[str]]) -> dict[str, Any]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: row for row in model.Session.query(table).filter(table.id.in_(ids))}


def _organization(value: Any) -> Optional[model.Group]:
    group = model.Group.get(value) if value else None
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def _readable(context: Context, package: Optional[model.Package]) -> bool:
    if package is None or package.state != "active":
        return False
    if not package.private:
        return True
    return can_read_dataset({"user": context.get("user") or ""}, package.id)


def _rate_limited(kind: str, user: Optional[model.User], context: Context) -> bool:
    if user is None or user.sysadmin or context.get("ignore_auth"):
        return False
    return antispam.rate_limited(
        kind, user.id, tk.config["ckanext.reuse_tracker.datarequest_rate_limit"],
        tk.config["ckanext.reuse_tracker.datarequest_rate_window"])


class _Viewer:
    """What the current user may see and has done, gathered once for a page of requests."""

    def __init__(self, context: Context, requests: list[DataRequest]):
        self.context = context
        self.user = _user(context)
        ids = [request.id for request in requests]
        self.users = _users({request.author_id for request in requests}
                            | {request.closed_by for request in requests})
        self.groups = _by_id(model.Group, {request.organization_id for request in requests})
        self.packages = _by_id(model.Package, {request.package_id for request in requests})
        self.moderates: dict[Optional[str], bool] = {}
        self.followers: dict[str, int] = {}
        self.voted: set[str] = set()
        self.following: set[str] = set()
        if not ids:
            return
        self.followers = dict(model.Session.query(
            DataRequestFollower.datarequest_id, sa.func.count(DataRequestFollower.user_id)
        ).filter(DataRequestFollower.datarequest_id.in_(ids)).group_by(
            DataRequestFollower.datarequest_id).all())
        if self.user is not None:
            self.voted = {row[0] for row in model.Session.query(
                DataRequestVote.datarequest_id).filter(
                DataRequestVote.datarequest_id.in_(ids),
                DataRequestVote.user_id == self.user.id)}
            self.following = {row[0] for row in model.Session.query(
                DataRequestFollower.datarequest_id).filter(
                DataRequestFollower.datarequest_id.in_(ids),
                DataRequestFollower.user_id == self.user.id)}

    def moderator(self, organization_id: Optional[str]) -> bool:
        if organization_id not in self.moderates:
            self.moderates[organization_id] = is_moderator(self.context, organization_id)
        return self.moderates[organization_id]

    def dictize(self, request: DataRequest) -> dict[str, Any]:
        group = self.groups.get(request.organization_id or "")
        package = self.packages.get(request.package_id or "")
        if not _readable(self.context, package):
            package = None
        author = self.users.get(request.author_id)
        closer = self.users.get(request.closed_by or "")
        moderator = self.moderator(request.organization_id)
        authored = self.user is not None and self.user.id == request.author_id
        result = {
            "id": request.id,
            "title": request.title,
            "description": request.description,
            "organization_id": request.organization_id,
            "organization_name": group.name if group else None,
            "organization_title": (group.title or group.name) if group else None,
            "theme": request.theme,
            "author": author.display_name if author else None,
            "author_name": author.name if author else None,
            "state": request.state,
            "reason": request.reason,
            "package_id": package.id if package else None,
            "package_name": package.name if package else None,
            "package_title": (package.title or package.name) if package else None,
            "closed": _iso(request.closed),
            "closed_by": closer.display_name if closer else None,
            "vote_count": request.vote_count,
            "comment_count": request.comment_count,
            "follower_count": self.followers.get(request.id, 0),
            "voted": request.id in self.voted,
            "following": request.id in self.following,
            "can_edit": self.user is not None and (
                moderator or (authored and request.state == "open")),
            "can_moderate": self.user is not None and moderator,
            "created": _iso(request.created),
            "modified": _iso(request.modified),
        }
        if moderator:
            result.update({"author_id": request.author_id, "spam_reason": request.spam_reason})
        return result


def _dictize(context: Context, request: DataRequest) -> dict[str, Any]:
    return _Viewer(context, [request]).dictize(request)


def _comment_dict(context: Context, request: DataRequest, comment: DataRequestComment,
                  users: dict[str, model.User]) -> dict[str, Any]:
    author = users.get(comment.author_id or "")
    return {
        "id": comment.id,
        "author": author.display_name if author else None,
        "author_name": author.name if author else None,
        "body": comment.body,
        "state_change": comment.state_change,
        "state": comment.state,
        "created": _iso(comment.created),
        "can_delete": (comment.state == "active" and _user(context) is not None
                       and comment_deletable(context, request, comment)),
    }


def _show_dict(context: Context, request: DataRequest) -> dict[str, Any]:
    query = model.Session.query(DataRequestComment).filter(
        DataRequestComment.datarequest_id == request.id)
    if not is_moderator(context, request.organization_id):
        query = query.filter(DataRequestComment.state == "active")
    comments = query.order_by(DataRequestComment.created, DataRequestComment.id).all()
    users = _users({comment.author_id for comment in comments})
    return {**_dictize(context, request),
            "comments": [_comment_dict(context, request, comment, users)
                         for comment in comments]}


def _follow(request_id: str, user_id: str) -> None:
    table = DataRequestFollower.__table__
    model.Session.execute(insert(table).values(
        datarequest_id=request_id, user_id=user_id, created=utcnow()
    ).on_conflict_do_nothing(index_elements=[table.c.datarequest_id, table.c.user_id]))


def _count_comments(request: DataRequest) -> None:
    request.comment_count = model.Session.query(sa.func.count(DataRequestComment.id)).filter(
        DataRequestComment.datarequest_id == request.id,
        DataRequestComment.state == "active", DataRequestComment.body != "").scalar()


def _audience(request: DataRequest, actor: Optional[model.User]) -> set[str]:
    """Followers and voters of the request, the one who acted aside."""
    followers = model.Session.query(DataRequestFollower.user_id).filter(
        DataRequestFollower.datarequest_id == request.id)
    voters = model.Session.query(DataRequestVote.user_id).filter(
        DataRequestVote.datarequest_id == request.id)
    ids = {row[0] for row in followers} | {row[0] for row in voters}
    ids.discard(actor.id if actor else None)
    return ids


def _record_state(request: DataRequest, old: str, user: Optional[model.User],
                  comment: Optional[str]) -> None:
    model.Session.add(DataRequestComment(
        datarequest_id=request.id, author_id=user.id if user else None,
        body=comment or "", state_change=f"{old}>{request.state}"))
    model.Session.flush()
    _count_comments(request)


def _announce(context: Context, request: DataRequest, old: str, user: Optional[model.User],
              comment: Optional[str]) -> None:
    if request.state == "spam":
        return
    # The mail shows the dataset only to those who may see it: as a rule, the public.
    datarequest_mail.notify_status(_dictize({"user": ""}, request), _audience(request, user),
                                   old, comment)


def datarequest_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for a dataset that the portal does not publish yet; the target organization's
    admins are mailed, and the author follows the request.

    Requests that trip the honeypot or the spam heuristics (from anyone but sysadmins)
    are kept in the ``spam`` state, unpublished and unannounced. Each user may post
    ``datarequest_rate_limit`` requests per ``datarequest_rate_window`` seconds.

    :param title: what is asked for (3 to 200 characters)
    :param description: why, and what the data should contain
    :param organization_id: the organization asked (id or name; optional)
    :param theme: a reuse topic key (optional)
    :returns: the request
    """
    tk.check_access("datarequest_create", context, data_dict)
    user = _user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to request data"))
    # Every field's error at once: the schema's and the organization's.
    data, errors = validate_all(data_dict, schema.datarequest_create(), context)
    organization = None
    if data.get("organization_id") and "organization_id" not in errors:
        organization = _organization(data["organization_id"])
        if organization is None:
            errors["organization_id"] = [tk._("Organization not found")]
    if errors:
        raise tk.ValidationError(errors)
    if _rate_limited("datarequest", user, context):
        raise tk.ValidationError({"rate_limit": [
            tk._("You have asked for data too often: please try again later")]})
    spam_reason = None
    if not user.sysadmin:
        spam_reason = ("honeypot" if antispam.honeypot_filled(data_dict)
                       else feedback_spam.spam_reason(data["title"], data["description"]))
    request = DataRequest(
        title=data["title"], description=data["description"],
        organization_id=organization.id if organization else None,
        theme=data.get("theme") or None, author_id=user.id,
        state="spam" if spam_reason else "open", spam_reason=spam_reason)
    model.Session.add(request)
    model.Session.flush()
    _follow(request.id, user.id)
    commit(context)
    if not spam_reason:
        datarequest_mail.notify_created(_dictize({"user": ""}, request))
    return _dictize(context, request)


@tk.side_effect_free
def datarequest_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One data request, with its comments (moderators also see deleted and spam ones).

    :param id: the request id
    :returns: the request, with ``comments``
    """
    tk.check_access("datarequest_show", context, data_dict)
    return _show_dict(context, visible_request(context, data_dict))


_SORTS = {
    "votes": (DataRequest.vote_count.desc(), DataRequest.created.desc()),
    "newest": (DataRequest.created.desc(),),
    "comments": (DataRequest.comment_count.desc(), DataRequest.created.desc()),
    "updated": (DataRequest.modified.desc(),),
}


@tk.side_effect_free
def datarequest_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Data requests, the most voted first by default. Spam is listed only with
    ``state=spam``, to the requests' moderators.

    :param q: words searched in titles and descriptions (case-insensitive)
    :param state: a state, or ``pending`` for any state still waiting for its dataset
        (open, under_review, planned)
    :param organization: the target organization (id or name)
    :param theme: a reuse topic key
    :param package_id: requests answered by this dataset (id or name)
    :param author: requests by this user (id or name)
    :param mine: only the logged-in user's requests
    :param followed: only the requests the logged-in user follows
    :param sort: ``votes`` (default), ``newest``, ``comments`` or ``updated``
    :param limit: page size (default ``datarequest_per_page``, at most 100)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [...]}``
    """
    tk.check_access("datarequest_list", context, data_dict)
    data = validate(data_dict, schema.datarequest_list(), context)
    user = _user(context)
    query = model.Session.query(DataRequest)
    state = data.get("state")
    if state == "spam":
        moderated = moderated_organizations(context)
        query = query.filter(DataRequest.state == "spam")
        if moderated is not None:
            query = query.filter(DataRequest.organization_id.in_(moderated))
    elif state == "pending":
        query = query.filter(DataRequest.state.in_(DATAREQUEST_OPEN_STATES))
    elif state:
        query = query.filter(DataRequest.state == state)
    else:
        query = query.filter(DataRequest.state != "spam")
    if data.get("q"):
        pattern = "%{}%".format(data["q"].replace("\\", "\\\\").replace(
            "%", "\\%").replace("_", "\\_"))
        query = query.filter(sa.or_(DataRequest.title.ilike(pattern, escape="\\"),
                                    DataRequest.description.ilike(pattern, escape="\\")))
    if data.get("organization"):
        group = _organization(data["organization"])
        query = query.filter(DataRequest.organization_id == (group.id if group else None))
    if data.get("theme"):
        query = query.filter(DataRequest.theme == data["theme"])
    if data.get("package_id"):
        # A dataset the user cannot see answers nothing, as far as they know.
        package = model.Package.get(data["package_id"])
        query = query.filter(DataRequest.package_id == (
            package.id if _readable(context, package) else None))
    if data.get("author"):
        author = model.User.get(data["author"])
        query = query.filter(DataRequest.author_id == (author.id if author else None))
    if data["mine"]:
        query = query.filter(DataRequest.author_id == (user.id if user else None))
    if data["followed"]:
        query = query.filter(DataRequest.id.in_(
            model.Session.query(DataRequestFollower.datarequest_id).filter(
                DataRequestFollower.user_id == (user.id if user else None))))
    count = query.count()
    rows = query.order_by(*_SORTS[data["sort"]], DataRequest.id).offset(
        data["offset"]).limit(data["limit"]).all()
    viewer = _Viewer(context, rows)
    return {"count": count, "results": [viewer.dictize(row) for row in rows]}


def _reopen(request: DataRequest) -> None:
    request.closed = request.closed_by = request.package_id = request.reason = None


def datarequest_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Edit a data request (its author while it is open, its moderators at any time);
    moderators also move it through ``open``, ``under_review``, ``planned`` and ``spam``.

    A status change is recorded as a comment and mailed to the request's followers and
    voters. Publishing or declining goes through ``datarequest_close``.

    :param id: the request id
    :param title: (optional)
    :param description: (optional)
    :param organization_id: the organization asked (id or name; empty: none)
    :param theme: a reuse topic key (empty: none)
    :param state: ``open``, ``under_review``, ``planned`` or ``spam`` (moderators)
    :param comment: shown with the status change (optional)
    :returns: the request, with ``comments``
    """
    tk.check_access("datarequest_update", context, data_dict)
    data = validate(data_dict, schema.datarequest_update(), context)
    request = visible_request(context, data)
    user = _user(context)
    errors: dict[str, list[str]] = {}
    organization_id = request.organization_id
    if "organization_id" in data:
        organization = _organization(data["organization_id"]) if data[
            "organization_id"] else None
        if data["organization_id"] and organization is None:
            errors["organization_id"] = [tk._("Organization not found")]
        organization_id = organization.id if organization else None
    if data.get("theme") and data["theme"] not in schema.TOPICS:
        errors["theme"] = [tk._("Unknown theme: choose one of {themes}").format(
            themes=", ".join(schema.TOPICS))]
    if errors:
        raise tk.ValidationError(errors)
    for key in ("title", "description"):
        if key in data:
            setattr(request, key, data[key])
    if "theme" in data:
        request.theme = data["theme"] or None
    request.organization_id = organization_id
    old = request.state
    changed = bool(data.get("state")) and data["state"] != old
    if changed:
        request.state = data["state"]
        if old in ("published", "declined"):
            _reopen(request)
        if old == "spam":
            request.spam_reason = None
        _record_state(request, old, user, data.get("comment"))
    request.modified = utcnow()
    commit(context)
    if changed:
        _announce(context, request, old, user, data.get("comment"))
    return _show_dict(context, request)


def datarequest_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish (answer with a dataset) or decline a data request; moderators only.
    The change is recorded as a comment and mailed to the followers and voters.

    :param id: the request id
    :param state: ``published`` or ``declined``
    :param package_id: the dataset that answers it (id or name; required to publish)
    :param reason: why it is declined (public; required to decline)
    :param comment: shown with the status change (optional)
    :returns: the request, with ``comments``
    """
    tk.check_access("datarequest_close", context, data_dict)
    data = validate(data_dict, schema.datarequest_close(), context)
    request = visible_request(context, data)
    user = _user(context)
    package = None
    if data["state"] == "published":
        if not data.get("package_id"):
            raise tk.ValidationError({"package_id": [
                tk._("Name the dataset that answers the request")]})
        package = model.Package.get(data["package_id"])
        if package is None or package.state != "active" or not can_read_dataset(
                {"user": context.get("user") or "",
                 "ignore_auth": context.get("ignore_auth", False)}, package.id):
            raise tk.ValidationError({"package_id": [tk._("Dataset not found")]})
    elif not data.get("reason"):
        raise tk.ValidationError({"reason": [tk._("Say why the request is declined")]})
    old = request.state
    request.state = data["state"]
    request.package_id = package.id if package else None
    request.reason = data.get("reason") if data["state"] == "declined" else None
    request.closed = request.modified = utcnow()
    request.closed_by = user.id if user else None
    _record_state(request, old, user, data.get("comment"))
    commit(context)
    _announce(context, request, old, user, data.get("comment"))
    return _show_dict(context, request)


def _open_or_error(request: DataRequest, field: str) -> None:
    if request.state not in DATAREQUEST_OPEN_STATES:
        raise tk.ValidationError({field: [tk._("This request is closed")]})


def _lock(request: DataRequest) -> None:
    # Votes of one request count one after the other: each count then sees the others.
    model.Session.execute(sa.select(DataRequest.id).where(
        DataRequest.id == request.id).with_for_update())


def datarequest_vote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Vote for a data request (+1, once per user) or withdraw the vote, while it is open.

    :param id: the request id
    :param vote: true (default) to vote, false to withdraw the vote
    :returns: ``{"id", "vote_count", "voted"}``
    """
    tk.check_access("datarequest_vote", context, data_dict)
    data = validate(data_dict, schema.datarequest_vote(), context)
    request = visible_request(context, data)
    user = _participant(context)
    _open_or_error(request, "vote")
    _lock(request)
    table = DataRequestVote.__table__
    if data["vote"]:
        model.Session.execute(insert(table).values(
            datarequest_id=request.id, user_id=user.id, created=utcnow()
        ).on_conflict_do_nothing(index_elements=[table.c.datarequest_id, table.c.user_id]))
    else:
        model.Session.execute(table.delete().where(
            table.c.datarequest_id == request.id, table.c.user_id == user.id))
    count = model.Session.execute(sa.select(sa.func.count()).select_from(table).where(
        table.c.datarequest_id == request.id)).scalar()
    model.Session.execute(sa.update(DataRequest.__table__).where(
        DataRequest.__table__.c.id == request.id).values(vote_count=count))
    commit(context)
    model.Session.refresh(request)
    return {"id": request.id, "vote_count": request.vote_count, "voted": bool(data["vote"])}


def datarequest_follow(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Follow a data request (be mailed on its status changes), or stop following it.

    :param id: the request id
    :param follow: true (default) to follow, false to stop
    :returns: ``{"id", "following", "follower_count"}``
    """
    tk.check_access("datarequest_follow", context, data_dict)
    data = validate(data_dict, schema.datarequest_follow(), context)
    request = visible_request(context, data)
    user = _participant(context)
    if data["follow"]:
        _follow(request.id, user.id)
    else:
        table = DataRequestFollower.__table__
        model.Session.execute(table.delete().where(
            table.c.datarequest_id == request.id, table.c.user_id == user.id))
    commit(context)
    count = model.Session.query(sa.func.count(DataRequestFollower.user_id)).filter(
        DataRequestFollower.datarequest_id == request.id).scalar()
    return {"id": request.id, "following": bool(data["follow"]), "follower_count": count}


def datarequest_comment_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Comment on a data request; the commenter follows it.

    Comments by anyone but the request's moderators that trip the spam heuristics are
    kept in the ``spam`` state (hidden, not counted); each user may post
    ``datarequest_rate_limit`` comments per ``datarequest_rate_window`` seconds.

    :param id: the request id
    :param body: the comment
    :returns: the comment
    """
    tk.check_access("datarequest_comment_create", context, data_dict)
    data = validate(data_dict, schema.datarequest_comment_create(), context)
    request = visible_request(context, data)
    user = _participant(context)
    if request.state == "spam":
        raise tk.ValidationError({"body": [tk._("This request takes no comments")]})
    moderator = is_moderator(context, request.organization_id)
    if not moderator and _rate_limited("datarequest_comment", user, context):
        raise tk.ValidationError({"rate_limit": [
            tk._("You have commented too often: please try again later")]})
    spam_reason = None
    if not moderator:
        spam_reason = ("honeypot" if antispam.honeypot_filled(data_dict)
                       else feedback_spam.spam_reason(data["body"]))
    comment = DataRequestComment(
        datarequest_id=request.id, author_id=user.id, body=data["body"],
        state="spam" if spam_reason else "active", spam_reason=spam_reason)
    model.Session.add(comment)
    model.Session.flush()
    _count_comments(request)
    request.modified = utcnow()
    _follow(request.id, user.id)
    commit(context)
    return _comment_dict(context, request, comment, _users({user.id}))


def datarequest_comment_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Delete a comment (its author, or the request's moderators).

    :param id: the request id
    :param comment_id: the comment id
    :returns: the request, with ``comments``
    """
    tk.check_access("datarequest_comment_delete", context, data_dict)
    data = validate(data_dict, schema.datarequest_comment_delete(), context)
    request = visible_request(context, data)
    comment = model.Session.get(DataRequestComment, data["comment_id"])
    if comment is None or comment.datarequest_id != request.id:
        raise tk.ObjectNotFound(tk._("Comment not found"))
    comment.state = "deleted"
    model.Session.flush()
    _count_comments(request)
    commit(context)
    return _show_dict(context, request)
