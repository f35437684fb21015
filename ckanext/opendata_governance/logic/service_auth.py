"""Auth functions of the owner service, event log and overdue actions, one per action."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.model import Reviewer, Service
from ckanext.suite import auth as suite_auth

__all__ = [
    "governance_service_create",
    "governance_service_update",
    "governance_service_delete",
    "governance_service_show",
    "governance_service_contacts",
    "governance_service_list",
    "governance_service_reassign",
    "governance_event_list",
    "governance_overdue_list",
]


def _organization_of_service(data_dict: DataDict) -> Optional[str]:
    service = Service.lookup(data_dict.get("id"), data_dict.get("organization_id"))
    return service.organization_id if service else None


def _manage(context: Context, organization_id: Optional[str]) -> AuthResult:
    # "admin" is the permission only an organization's admins hold.
    return suite_auth.organization_permission(context, organization_id, "admin",
                    tk._("Only the organization's admins can manage its services"))


def _read(context: Context, organization_id: Optional[str]) -> AuthResult:
    return suite_auth.organization_permission(context, organization_id, "read",
                    tk._("Only members of the organization can see its services"))


def governance_service_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("organization_id"))


def governance_service_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, _organization_of_service(data_dict))


def governance_service_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, _organization_of_service(data_dict))


def governance_service_reassign(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, _organization_of_service(data_dict))


def governance_service_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _read(context, _organization_of_service(data_dict))


def governance_service_contacts(context: Context, data_dict: DataDict) -> AuthResult:
    # The referents' own addresses: for those who manage the service, and for jobs.
    return _manage(context, _organization_of_service(data_dict))


def governance_service_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _read(context, data_dict.get("organization_id"))


def governance_event_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins see every event; an organization's admins see that organization's.

    A dataset's events (``package_id``) are also shown to those who may edit
    the dataset and to the organization's reviewers: its "Governance" tab.
    """
    organization_id: Any = data_dict.get("organization_id")
    package_id = data_dict.get("package_id")
    if package_id:
        package = model.Package.get(package_id)
        if package is None or (organization_id and
                               model.Group.get(organization_id) is not None and
                               model.Group.get(organization_id).id != package.owner_org):
            return {"success": False,
                    "msg": tk._("Only the organization's admins can see its events")}
        organization_id = package.owner_org
        if _dataset_editor_or_reviewer(context, package):
            return {"success": True}
    return suite_auth.organization_permission(context, organization_id, "admin",
                    tk._("Only the organization's admins can see its events"))


def _dataset_editor_or_reviewer(context: Context, package: model.Package) -> bool:
    user = context.get("user")
    if not user:
        return False
    try:
        tk.check_access("package_update", {"user": user}, {"id": package.id})
        return True
    except tk.NotAuthorized:
        user_obj = model.User.get(user)
        return user_obj is not None and Reviewer.is_reviewer(package.owner_org, user_obj.id)


def governance_overdue_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins see every organization; editors and admins see theirs."""
    msg = tk._("Only the organization's editors and admins can see its overdue datasets")
    organization = data_dict.get("organization")
    if organization:
        group = model.Group.get(organization)
        return suite_auth.organization_permission(
            context, group.id if group else None, "update_dataset", msg)
    user = context.get("user")
    if user and authz.has_user_permission_for_some_org(user, "update_dataset"):
        return {"success": True}
    return {"success": False, "msg": msg}
