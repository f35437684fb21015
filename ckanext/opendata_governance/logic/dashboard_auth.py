"""Auth functions of the governance dashboard actions, one per action and of the same name."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

__all__ = ["governance_dashboard", "governance_inventory"]


def _administers(context: Context, data_dict: DataDict, msg: str) -> AuthResult:
    """Sysadmins see every organization; an organization's admins see theirs only."""
    user = context.get("user")
    wanted = data_dict.get("organization_id")
    if wanted:
        group = model.Group.get(str(wanted))
        # A sysadmin asking for an unknown organization gets the action's
        # ValidationError; anybody else learns nothing about it.
        if group is None:
            allowed = authz.is_sysadmin(user)
        else:
            allowed = authz.has_user_permission_for_group_or_org(group.id, user, "admin")
    else:
        allowed = bool(user) and authz.has_user_permission_for_some_org(user, "admin")
    return {"success": True} if allowed else {"success": False, "msg": msg}


def governance_dashboard(context: Context, data_dict: DataDict) -> AuthResult:
    return _administers(context, data_dict, tk._(
        "Only sysadmins and the organization's admins can see the governance dashboard"))


def governance_inventory(context: Context, data_dict: DataDict) -> AuthResult:
    return _administers(context, data_dict, tk._(
        "Only sysadmins and the organization's admins can see the data inventory"))
