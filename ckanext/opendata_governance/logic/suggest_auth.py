"""Auth functions of the opening suggestion actions."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

__all__ = ["opening_suggestion_list", "opening_suggestion_dismiss"]


def _organization_id(value: Any) -> Optional[str]:
    group = model.Group.get(value) if value else None
    return group.id if group is not None and group.is_organization else None


def _allowed(context: Context, data_dict: DataDict, permission: str, msg: str) -> AuthResult:
    organization_id = _organization_id(data_dict.get("organization_id"))
    if organization_id and authz.has_user_permission_for_group_or_org(
            organization_id, context.get("user"), permission):
        return {"success": True}
    return {"success": False, "msg": msg}


def opening_suggestion_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The organization's members see what it could open next."""
    return _allowed(context, data_dict, "read",
                    tk._("Only members of the organization can see its opening suggestions"))


def opening_suggestion_dismiss(context: Context, data_dict: DataDict) -> AuthResult:
    """Its editors and admins, the producers, dismiss a suggestion."""
    return _allowed(context, data_dict, "update_dataset",
                    tk._("Only the organization's editors and admins can dismiss a "
                         "suggestion"))
