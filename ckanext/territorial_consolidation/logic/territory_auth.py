"""Auth functions of the territory actions, one per action and of the same name."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.suite import auth as suite_auth

__all__ = [
    "territory_show",
    "territory_list",
    "territory_create",
    "territory_organization_set",
    "territory_dataset_list",
    "responsibility_rule_create",
    "responsibility_rule_list",
    "responsibility_rule_delete",
    "territorial_duplicate_list",
]


#: Territories are public reference data.
territory_show = suite_auth.public


territory_list = suite_auth.public


def territory_create(context: Context, data_dict: DataDict) -> AuthResult:
    # Sysadmins only: core's default for an auth function that does not say otherwise.
    return {"success": False, "msg": tk._("Only sysadmins can create territories")}


def territory_organization_set(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the organization (its admins) may set its territory."""
    group = model.Group.get(data_dict.get("organization_id") or "")
    if group is None:
        # The action answers "not found" to whoever could ask.
        return {"success": bool(context.get("user"))}
    try:
        tk.check_access("organization_update", {"user": context.get("user")},
                        {"id": group.id})
    except tk.NotAuthorized:
        return {"success": False,
                "msg": tk._("Only the organization's admins can set its territory")}
    return {"success": True}


#: Anyone; the action lists only the datasets the caller can read.
territory_dataset_list = suite_auth.public


def responsibility_rule_create(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins can manage responsibility rules")}


responsibility_rule_list = suite_auth.public


def responsibility_rule_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins can manage responsibility rules")}


#: Anyone; the action lists only the datasets the caller can read.
territorial_duplicate_list = suite_auth.public
