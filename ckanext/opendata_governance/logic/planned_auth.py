"""Auth functions of the planned dataset actions."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.model import PlannedDataset

__all__ = ["planned_dataset_create", "planned_dataset_update", "planned_dataset_delete",
           "planned_dataset_show", "planned_dataset_list"]


def _organization_id(value: Any) -> Optional[str]:
    group = model.Group.get(value) if value else None
    return group.id if group is not None and group.is_organization else None


def _of_plan(data_dict: DataDict) -> Optional[str]:
    planned = model.Session.get(PlannedDataset, str(data_dict.get("id") or "")) \
        if data_dict.get("id") else None
    return planned.organization_id if planned else None


def _allowed(context: Context, organization_id: Optional[str], permission: str,
             msg: str) -> AuthResult:
    if organization_id and authz.has_user_permission_for_group_or_org(
            organization_id, context.get("user"), permission):
        return {"success": True}
    return {"success": False, "msg": msg}


def _edit(context: Context, organization_id: Optional[str]) -> AuthResult:
    return _allowed(context, organization_id, "update_dataset",
                    tk._("Only the organization's editors and admins can plan datasets"))


def _read(context: Context, organization_id: Optional[str]) -> AuthResult:
    return _allowed(context, organization_id, "read",
                    tk._("Only members of the organization can see its planned datasets"))


def planned_dataset_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, _organization_id(data_dict.get("organization_id")))


def planned_dataset_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, _of_plan(data_dict))


def planned_dataset_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, _of_plan(data_dict))


def planned_dataset_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _read(context, _of_plan(data_dict))


def planned_dataset_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _read(context, _organization_id(data_dict.get("organization_id")))
