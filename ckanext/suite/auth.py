"""What the suite's auth functions share: organizations named by id or name, and core's
answer to "does this user hold this permission in this organization"."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

__all__ = ["context_user", "organization_id", "organization_permission", "public"]


def context_user(context: Context) -> Optional[model.User]:
    """The context's user; the object core's ``check_access`` already loaded when there
    is one (a query less)."""
    name = context.get("user")
    if not name:
        return None
    user = context.get("auth_user_obj")
    if isinstance(user, model.User) and name in (user.name, user.id):
        return user
    return model.User.get(name)


def organization_id(value: Any) -> Optional[str]:
    """The id of the organization named by ``value`` (id or name), or None; a value that
    is not text names none (the database cannot compare an object to an id)."""
    group = model.Group.get(value) if value and isinstance(value, str) else None
    return group.id if group is not None and group.is_organization else None


def organization_permission(context: Context, organization_id: Optional[str],
                            permission: str, msg: str) -> AuthResult:
    """Allowed when the context's user holds ``permission`` ("read", "update_dataset",
    "admin"...) in the organization; else refused with ``msg``."""
    if organization_id and authz.has_user_permission_for_group_or_org(
            organization_id, context.get("user"), permission):
        return {"success": True}
    return {"success": False, "msg": msg}


@tk.auth_allow_anonymous_access
def public(context: Context, data_dict: DataDict) -> AuthResult:
    """Allowed to everyone, visitors included: the auth function of an action that reads
    public data, or that returns only what its caller may already see."""
    return {"success": True}
