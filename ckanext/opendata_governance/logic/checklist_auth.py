"""Auth functions of the review checklist, one per action and of the same name."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.model import Reviewer
from ckanext.suite import auth as suite_auth

__all__ = ["governance_checklist_show", "governance_checklist_update"]


def governance_checklist_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who see the review forms read the checklist: the organization's members
    (its editors ask for reviews) and its reviewers, who need not be members."""
    organization_id = suite_auth.organization_id(data_dict.get("organization_id"))
    user = model.User.get(context.get("user") or "") if context.get("user") else None
    if user is not None and Reviewer.is_reviewer(organization_id, user.id):
        return {"success": True}
    return suite_auth.organization_permission(
        context, organization_id, "read",
        tk._("Only the organization's members and reviewers can see its checklist"))


def governance_checklist_update(context: Context, data_dict: DataDict) -> AuthResult:
    """The organization's admins (and sysadmins) write its checklist."""
    return suite_auth.organization_permission(
        context, suite_auth.organization_id(data_dict.get("organization_id")), "admin",
        tk._("Only the organization's admins can change its checklist"))
