"""Auth functions of the harvest actions, one per action and of the same name."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "territorial_harvest_preview",
    "territorial_harvest_report",
    "territorial_provenance_show",
    "territorial_provenance_list",
]


def _can_manage_source(context: Context, source_id: str) -> bool:
    """ckanext-harvest's own answer: may this user edit the harvest source."""
    if not source_id or not context.get("user"):
        return False
    package = model.Package.get(source_id)
    if package is None or package.type != "harvest":
        return False
    try:
        tk.check_access("harvest_source_update", {"user": context["user"]},
                        {"id": package.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def territorial_harvest_preview(context: Context, data_dict: DataDict) -> AuthResult:
    """Editors of a source preview it; a new source is previewed by those who may create
    datasets in its organization (``owner_org``), or by sysadmins."""
    user = context.get("user")
    if not user:
        return {"success": False, "msg": tk._("Log in to preview a harvest source")}
    if data_dict.get("id"):
        if _can_manage_source(context, str(data_dict["id"])):
            return {"success": True}
        return {"success": False, "msg": tk._("You cannot edit this harvest source")}
    owner_org = data_dict.get("owner_org")
    group = model.Group.get(owner_org) if owner_org else None
    if group is not None and group.is_organization and \
            authz.has_user_permission_for_group_or_org(group.id, user, "create_dataset"):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only editors of the organization can preview a new harvest source")}


def territorial_harvest_report(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may edit the harvest source read its job reports and errors."""
    if _can_manage_source(context, str(data_dict.get("id") or "")):
        return {"success": True}
    return {"success": False, "msg": tk._("You cannot see the reports of this harvest source")}


@tk.auth_allow_anonymous_access
def territorial_provenance_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset sees where it comes from."""
    try:
        tk.check_access("package_show", {"user": context.get("user")},
                        {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("You cannot see this dataset")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def territorial_provenance_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see every one of the datasets sees where they come from."""
    ids = data_dict.get("ids")
    for package_id in ids if isinstance(ids, list) else []:
        try:
            tk.check_access("package_show", {"user": context.get("user")}, {"id": package_id})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            return {"success": False, "msg": tk._("You cannot see this dataset")}
    return {"success": True}
