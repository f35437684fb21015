"""Auth functions of the sign-off workflow, one per action and of the same name."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.logic.validators import governance_boolean
from ckanext.opendata_governance.model import Review, Reviewer
from ckanext.suite import auth as suite_auth

__all__ = [
    "governance_review_request",
    "governance_review_decide",
    "governance_review_show",
    "governance_review_list",
    "governance_reviewer_create",
    "governance_reviewer_delete",
    "governance_reviewer_list",
    "governance_settings_show",
    "governance_settings_update",
]


def _can_update_dataset(context: Context, package_id: Any) -> bool:
    """Core's own answer to "may this user edit this dataset"."""
    if not package_id or not context.get("user"):
        return False
    try:
        tk.check_access("package_update", {"user": context["user"]}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _is_reviewer(context: Context, organization_id: Optional[str]) -> bool:
    user = suite_auth.context_user(context)
    return user is not None and Reviewer.is_reviewer(organization_id, user.id)


def _has_permission(context: Context, organization_id: Optional[str],
                    permission: str) -> bool:
    return bool(organization_id) and authz.has_user_permission_for_group_or_org(
        organization_id, context.get("user"), permission)


def _review_of(data_dict: DataDict) -> Optional[Review]:
    review_id = data_dict.get("id")
    return Review.get(review_id) if review_id else None


def governance_review_request(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may edit the dataset may ask for its sign-off."""
    if _can_update_dataset(context, data_dict.get("id")):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the dataset's editors can ask for its sign-off")}


@tk.auth_sysadmins_check
def governance_review_decide(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins and the organization's reviewers decide; never the requester."""
    user = suite_auth.context_user(context)
    review = _review_of(data_dict)
    if review is None:
        # Sysadmins learn that the review does not exist from the action.
        return {"success": bool(user and user.sysadmin),
                "msg": tk._("Only reviewers can decide on a sign-off")}
    if user is not None and user.id == review.requested_by:
        return {"success": False, "msg": tk._("You cannot decide on your own request")}
    if user is not None and (user.sysadmin or
                             Reviewer.is_reviewer(review.organization_id, user.id)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only reviewers can decide on a sign-off")}


def governance_review_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's editors and the organization's reviewers see its reviews."""
    review = _review_of(data_dict)
    if review is not None:
        package_id, organization_id = review.package_id, review.organization_id
    else:
        package = model.Package.get(data_dict.get("package_id") or "") \
            if data_dict.get("package_id") else None
        package_id = package.id if package else None
        organization_id = package.owner_org if package else None
    if _can_update_dataset(context, package_id) or _is_reviewer(context, organization_id):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the dataset's editors and reviewers can see its reviews")}


def governance_review_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Reviewers, editors and admins of some organization see its queue."""
    user = suite_auth.context_user(context)
    if user is not None and (
            Reviewer.organizations_of(user.id) or
            authz.has_user_permission_for_some_org(user.name, "update_dataset")):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only reviewers and editors can see the reviews")}


def governance_reviewer_create(context: Context, data_dict: DataDict) -> AuthResult:
    return suite_auth.organization_permission(
        context, suite_auth.organization_id(data_dict.get("organization_id")), "admin",
        tk._("Only the organization's admins can name its reviewers"))


def governance_reviewer_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return governance_reviewer_create(context, data_dict)


def governance_reviewer_list(context: Context, data_dict: DataDict) -> AuthResult:
    organization_id = suite_auth.organization_id(data_dict.get("organization_id"))
    if _has_permission(context, organization_id, "read") or \
            _is_reviewer(context, organization_id):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only members of the organization can see its reviewers")}


def governance_settings_show(context: Context, data_dict: DataDict) -> AuthResult:
    return suite_auth.organization_permission(
        context, suite_auth.organization_id(data_dict.get("organization_id")), "read",
        tk._("Only members of the organization can see its settings"))


def governance_settings_update(context: Context, data_dict: DataDict) -> AuthResult:
    """An organization's admins switch its gate on; switching it off is the sysadmins'
    decision unless ``admins_can_switch_gate_off`` gives it to the admins too."""
    if not _has_permission(context, suite_auth.organization_id(data_dict.get("organization_id")),
                           "admin"):
        return {"success": False,
                "msg": tk._("Only the organization's admins can change its settings")}
    if _switches_gate_off(data_dict) and \
            not tk.config["ckanext.opendata_governance.admins_can_switch_gate_off"]:
        return {"success": False,
                "msg": tk._("Only the portal's sysadmins can switch the publication gate off")}
    return {"success": True}


def _switches_gate_off(data_dict: DataDict) -> bool:
    # A value that is not a boolean at all is left to the action's validation error.
    try:
        return governance_boolean(data_dict.get("gate_enabled"), {}) is False
    except tk.Invalid:
        return False
