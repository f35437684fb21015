"""Auth functions of the reuse actions, and who moderates a reuse."""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.reuse_tracker.model import Reuse, ReuseDataset
from ckanext.suite import auth as suite_auth

__all__ = [
    "reuse_create",
    "reuse_update",
    "reuse_delete",
    "reuse_show",
    "reuse_list",
    "reuse_moderate",
]


def admin_organization_ids(user: Optional[model.User]) -> list[str]:
    """Ids of the organizations the user is an admin of."""
    if user is None:
        return []
    rows = (model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                    model.Member.state == "active", model.Member.capacity == "admin",
                    model.Group.is_organization.is_(True), model.Group.state == "active"))
    return [row[0] for row in rows]


def moderated_reuse_ids(user: Optional[model.User], reuse_ids: list[str]) -> set[str]:
    """Those of the reuses the user moderates (see :func:`can_moderate`)."""
    if user is None or not reuse_ids:
        return set()
    if user.sysadmin:
        return set(reuse_ids)
    organizations = admin_organization_ids(user)
    if not organizations:
        return set()
    rows = (model.Session.query(ReuseDataset.reuse_id).distinct()
            .join(model.Package, model.Package.id == ReuseDataset.package_id)
            .filter(ReuseDataset.reuse_id.in_(reuse_ids),
                    model.Package.owner_org.in_(organizations),
                    model.Package.state != "deleted"))
    return {row[0] for row in rows}


def can_moderate(user_name: Optional[str], reuse_id: str) -> bool:
    """Whether the user moderates the reuse: a sysadmin, or an admin of an organization
    that owns one of the datasets the reuse links (private ones included)."""
    user = model.User.get(user_name) if user_name else None
    reuse = Reuse.get(reuse_id)
    if user is None or reuse is None or user.state != "active":
        return False
    return bool(moderated_reuse_ids(user, [reuse.id]))


def is_submitter(user_name: Optional[str], reuse: Reuse) -> bool:
    """Whether the (logged-in) user submitted the reuse."""
    user = model.User.get(user_name) if user_name else None
    return bool(user is not None and reuse.submitter_id and user.id == reuse.submitter_id)


def _reuse(data_dict: DataDict) -> Optional[Reuse]:
    return Reuse.get(str(data_dict.get("id") or ""))


@tk.auth_allow_anonymous_access
def reuse_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users propose reuses; visitors too when anonymous submission is on."""
    if context.get("user") and model.User.get(context["user"]) is not None:
        return {"success": True}
    if tk.config["ckanext.reuse_tracker.anonymous_submission"]:
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to propose a reuse")}


def reuse_update(context: Context, data_dict: DataDict) -> AuthResult:
    """The submitter and the reuse's moderators edit it; only sysadmins change ``featured``
    (sysadmins pass every auth function)."""
    reuse = _reuse(data_dict)
    user = context.get("user")
    if reuse is None:
        return {"success": False, "msg": tk._("Reuse not found")}
    if "featured" in data_dict and tk.asbool(data_dict["featured"]) != reuse.featured:
        return {"success": False, "msg": tk._("Only sysadmins can feature a reuse")}
    if is_submitter(user, reuse) or can_moderate(user, reuse.id):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the submitter and the moderators can edit this reuse")}


def reuse_delete(context: Context, data_dict: DataDict) -> AuthResult:
    """The submitter and the reuse's moderators delete it."""
    reuse = _reuse(data_dict)
    user = context.get("user")
    if reuse is not None and (is_submitter(user, reuse) or can_moderate(user, reuse.id)):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the submitter and the moderators can delete this reuse")}


#: Anyone may ask; a reuse the caller may not see is reported as not found.
reuse_show = suite_auth.public


#: Anyone may list; each caller gets only the reuses and datasets they may see.
reuse_list = suite_auth.public


def reuse_moderate(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins, and admins of the organizations owning a dataset the reuse links."""
    if can_moderate(context.get("user"), str(data_dict.get("id") or "")):
        return {"success": True}
    return {"success": False, "msg": tk._("You cannot moderate this reuse")}
