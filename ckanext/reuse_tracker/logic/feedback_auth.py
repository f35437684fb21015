"""Auth functions of the feedback actions, one per action and of the same name."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.reuse_tracker.model.feedback import Feedback
from ckanext.suite import auth as suite_auth

__all__ = [
    "feedback_create",
    "feedback_list",
    "feedback_show",
    "feedback_respond",
    "feedback_update_status",
    "feedback_note_create",
    "feedback_stats",
]


def _allowed(action: str, context: Context, package_id: Any) -> bool:
    if not package_id:
        return False
    # A context of its own (core's auth functions keep objects in theirs), with the user
    # object the caller's check already loaded, if any.
    auth_context: Context = {"user": context.get("user") or ""}
    user = context.get("auth_user_obj")
    if isinstance(user, model.User) and auth_context["user"] in (user.name, user.id):
        auth_context["auth_user_obj"] = user
    try:
        tk.check_access(action, auth_context, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def can_read_dataset(context: Context, package_id: Any) -> bool:
    """Core's answer to "may this user see this dataset" (private ones included)."""
    return bool(context.get("ignore_auth")) or _allowed("package_show", context, package_id)


def can_manage_dataset(context: Context, package_id: Any) -> bool:
    """Those who may edit the dataset handle its feedback: core's ``package_update``."""
    return bool(context.get("ignore_auth")) or (
        bool(context.get("user")) and _allowed("package_update", context, package_id))


def managed_organizations(context: Context, permission: str = "update_dataset"
                          ) -> Optional[list[str]]:
    """Ids of the organizations where the user has ``permission`` (by default: edits the
    datasets); None means every one."""
    if context.get("ignore_auth"):
        return None
    user = suite_auth.context_user(context)
    if user is None:
        return []
    if user.sysadmin:
        return None
    organizations = tk.get_action("organization_list_for_user")(
        {"user": user.name, "ignore_auth": True},
        {"id": user.id, "permission": permission, "include_dataset_count": False})
    return [organization["id"] for organization in organizations]


def _feedback(data_dict: DataDict) -> Optional[Feedback]:
    return Feedback.get(data_dict.get("id"))


@tk.auth_allow_anonymous_access
def feedback_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the dataset post; anonymous visitors only if allowed."""
    if not context.get("user") and not tk.config["ckanext.reuse_tracker.feedback_anonymous"]:
        return {"success": False, "msg": tk._("Log in to give feedback")}
    package_id = data_dict.get("package_id")
    # Without a dataset the action's validation names the missing field.
    if package_id and not can_read_dataset(context, package_id):
        return {"success": False, "msg": tk._("You cannot give feedback on this dataset")}
    return {"success": True}


def _managed_organization(context: Context, data_dict: DataDict, msg: str) -> AuthResult:
    """Allowed for ``data_dict["organization"]`` when the user edits its datasets, and
    without one for those who edit some organization's datasets (sysadmins: all)."""
    managed = managed_organizations(context)
    organization = data_dict.get("organization")
    if managed is None or (managed and not organization) or (
            organization and suite_auth.organization_id(organization) in (managed or [])):
        return {"success": True}
    return {"success": False, "msg": msg}


@tk.auth_allow_anonymous_access
def feedback_list(context: Context, data_dict: DataDict) -> AuthResult:
    """A dataset's feedback for those who see the dataset; an inbox for those who edit datasets."""
    package_id = data_dict.get("package_id")
    if package_id:
        if can_read_dataset(context, package_id):
            return {"success": True}
        return {"success": False, "msg": tk._("You cannot see this dataset's feedback")}
    return _managed_organization(context, data_dict, tk._(
        "Only the editors of an organization's datasets see its feedback"))


@tk.auth_allow_anonymous_access
def feedback_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Published feedback for those who see the dataset; spam only for its editors."""
    feedback = _feedback(data_dict)
    if feedback is None:
        # Sysadmins learn from the action that it does not exist.
        user = suite_auth.context_user(context)
        return {"success": bool(user and user.sysadmin), "msg": tk._("Feedback not found")}
    if feedback.state == "spam":
        allowed = can_manage_dataset(context, feedback.package_id)
    else:
        allowed = can_read_dataset(context, feedback.package_id)
    return {"success": allowed, "msg": tk._("You cannot see this feedback")}


def _manage(context: Context, data_dict: DataDict) -> AuthResult:
    feedback = _feedback(data_dict)
    if feedback is None:
        user = suite_auth.context_user(context)
        return {"success": bool(user and user.sysadmin), "msg": tk._("Feedback not found")}
    if can_manage_dataset(context, feedback.package_id):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the dataset's editors can handle its feedback")}


def feedback_respond(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's editors (its organization's editors and admins) answer publicly."""
    return _manage(context, data_dict)


def feedback_update_status(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's editors move feedback through its states."""
    return _manage(context, data_dict)


def feedback_note_create(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's editors add internal notes."""
    return _manage(context, data_dict)


def feedback_stats(context: Context, data_dict: DataDict) -> AuthResult:
    """Figures of the organizations whose datasets the user edits (sysadmins: all)."""
    return _managed_organization(context, data_dict, tk._(
        "Only the editors of an organization's datasets see its figures"))
