"""Auth functions of the data request actions, one per action and of the same name."""
from __future__ import annotations

import functools
from typing import Callable, Optional

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.types import AuthResult, Context, DataDict

from ckanext.reuse_tracker.logic.feedback_auth import managed_organizations
from ckanext.reuse_tracker.model.datarequest import DataRequest, DataRequestComment
from ckanext.suite import auth as suite_auth

__all__ = [
    "datarequest_create",
    "datarequest_show",
    "datarequest_list",
    "datarequest_update",
    "datarequest_close",
    "datarequest_vote",
    "datarequest_follow",
    "datarequest_comment_create",
    "datarequest_comment_delete",
]


def is_moderator(context: Context, organization_id: Optional[str]) -> bool:
    """Sysadmins moderate every request; an organization's admins those targeting it."""
    if context.get("ignore_auth"):
        return True
    user = suite_auth.context_user(context)
    if user is None or user.state != "active":
        return False
    if user.sysadmin:
        return True
    return bool(organization_id) and authz.users_role_for_group_or_org(
        organization_id, user.name) == "admin"


def moderated_organizations(context: Context) -> Optional[list[str]]:
    """Ids of the organizations whose requests the user moderates; None means every one."""
    return managed_organizations(context, "admin")


def visible_request(context: Context, data_dict: DataDict) -> DataRequest:
    """The request of ``data_dict["id"]``; a spam request does not exist for non-moderators."""
    request = DataRequest.get(data_dict.get("id"))
    if request is None or (request.state == "spam"
                           and not is_moderator(context, request.organization_id)):
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return request


def can_edit(context: Context, request: DataRequest) -> bool:
    """Its author while it is open, its moderators at any time."""
    if is_moderator(context, request.organization_id):
        return True
    user = suite_auth.context_user(context)
    return user is not None and user.id == request.author_id and request.state == "open"


def _participants(check: Callable[[Context, DataDict, DataRequest], AuthResult]
                  ) -> Callable[[Context, DataDict], AuthResult]:
    """The auth function of an action taking part in a request: visitors are asked to log
    in, a request the user may not see is not found, then ``check`` decides on it."""
    @tk.auth_allow_anonymous_access
    @functools.wraps(check)
    def auth_function(context: Context, data_dict: DataDict) -> AuthResult:
        if suite_auth.context_user(context) is None:
            return {"success": False, "msg": tk._("Log in to take part in data requests")}
        return check(context, data_dict, visible_request(context, data_dict))
    return auth_function


@tk.auth_allow_anonymous_access
def datarequest_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users ask for data."""
    if suite_auth.context_user(context) is None:
        return {"success": False, "msg": tk._("Log in to request data")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def datarequest_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone sees a request; a spam one only its moderators."""
    visible_request(context, data_dict)
    return {"success": True}


#: Anyone lists requests (spam ones only for their moderators, filtered by the action).
datarequest_list = suite_auth.public


@_participants
def datarequest_update(context: Context, data_dict: DataDict, request: DataRequest) -> AuthResult:
    """The author edits the request while it is open; its moderators edit it and move it
    through its states at any time."""
    if data_dict.get("state") and not is_moderator(context, request.organization_id):
        return {"success": False,
                "msg": tk._("Only the request's moderators change its status")}
    if can_edit(context, request):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only its author, while it is open, and its moderators edit a data request")}


@_participants
def datarequest_close(context: Context, data_dict: DataDict, request: DataRequest) -> AuthResult:
    """The request's moderators publish (answer) or decline it."""
    if is_moderator(context, request.organization_id):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the request's moderators publish or decline it")}


@_participants
def datarequest_vote(context: Context, data_dict: DataDict, request: DataRequest) -> AuthResult:
    """Logged-in users vote for (or withdraw their vote from) a request they can see."""
    return {"success": True}


@_participants
def datarequest_follow(context: Context, data_dict: DataDict,
                       request: DataRequest) -> AuthResult:
    """Logged-in users follow (or stop following) a request they can see."""
    return {"success": True}


@_participants
def datarequest_comment_create(context: Context, data_dict: DataDict,
                               request: DataRequest) -> AuthResult:
    """Logged-in users comment on a request that is not spam."""
    if request.state == "spam":
        return {"success": False, "msg": tk._("This request takes no comments")}
    return {"success": True}


def comment_deletable(context: Context, request: DataRequest,
                      comment: DataRequestComment) -> bool:
    """Its author or the request's moderators delete a comment."""
    if is_moderator(context, request.organization_id):
        return True
    user = suite_auth.context_user(context)
    return user is not None and comment.author_id == user.id


@_participants
def datarequest_comment_delete(context: Context, data_dict: DataDict,
                               request: DataRequest) -> AuthResult:
    """A comment's author, or the request's moderators, delete it."""
    comment = model.Session.get(DataRequestComment, data_dict.get("comment_id") or "")
    if comment is None or comment.datarequest_id != request.id:
        raise tk.ObjectNotFound(tk._("Comment not found"))
    if comment_deletable(context, request, comment):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only its author and the request's moderators delete a comment")}
