"""What the suite's auth functions share: organizations named by id or name, and core's
answer to "does this user hold this permission in this organization"."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
from ckan import model
from ckan.types import AuthResult, Context

__all__ = ["organization_id", "organization_permission"]


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
