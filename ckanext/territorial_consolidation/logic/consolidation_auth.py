"""Auth functions of the consolidation actions: organization admins manage, anyone reads."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.territorial_consolidation.model.consolidation import Consolidation
from ckanext.suite import auth as suite_auth

__all__ = ["consolidation_create", "consolidation_update", "consolidation_show",
           "consolidation_list", "consolidation_run", "territorial_coverage"]


def _admin_of(context: Context, organization_id: Any) -> AuthResult:
    """Admins of the organization (and sysadmins), as core decides for organization_update."""
    if not organization_id:
        return {"success": False, "msg": tk._("An organization is required")}
    try:
        tk.check_access("organization_update", context, {"id": organization_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return {"success": False,
                "msg": tk._("Only the organization's admins can manage its consolidations")}
    return {"success": True}


def consolidation_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _admin_of(context, (data_dict or {}).get("organization_id"))


def _existing(context: Context, data_dict: DataDict) -> AuthResult:
    consolidation = Consolidation.get(str((data_dict or {}).get("id") or ""))
    if consolidation is None:
        return {"success": False, "msg": tk._("Consolidation not found")}
    return _admin_of(context, consolidation.organization_id)


def consolidation_update(context: Context, data_dict: DataDict) -> AuthResult:
    result = _existing(context, data_dict)
    moved_to = (data_dict or {}).get("organization_id")
    if result["success"] and moved_to:
        return _admin_of(context, moved_to)
    return result


def consolidation_run(context: Context, data_dict: DataDict) -> AuthResult:
    return _existing(context, data_dict)


#: Only public datasets are consolidated: settings and reports are public too.
consolidation_show = suite_auth.public


consolidation_list = suite_auth.public


territorial_coverage = suite_auth.public
