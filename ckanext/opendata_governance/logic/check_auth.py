"""Auth functions of the automated check actions, one per action and of the same name."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.model import Reviewer

__all__ = ["governance_check_run", "governance_check_result_list"]


def _editor_or_reviewer(context: Context, package_ref: Any) -> AuthResult:
    """Those who may edit the dataset, its organization's reviewers, and sysadmins."""
    msg = tk._("Only the dataset's editors and the organization's reviewers "
               "can see and run its checks")
    user = context.get("user")
    package = model.Package.get(package_ref) if package_ref else None
    if not user or package is None:
        return {"success": False, "msg": msg}
    if authz.is_sysadmin(user):
        return {"success": True}
    try:
        tk.check_access("package_update", {"user": user}, {"id": package.id})
        return {"success": True}
    except tk.NotAuthorized:
        pass
    user_obj = model.User.get(user)
    if user_obj is not None and Reviewer.is_reviewer(package.owner_org, user_obj.id):
        return {"success": True}
    return {"success": False, "msg": msg}


def governance_check_run(context: Context, data_dict: DataDict) -> AuthResult:
    return _editor_or_reviewer(context, data_dict.get("id"))


def governance_check_result_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _editor_or_reviewer(context, data_dict.get("package_id"))
