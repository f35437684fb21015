"""Auth functions of the planned dataset actions."""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.model import PlannedDataset
from ckanext.suite import auth as suite_auth

__all__ = ["planned_dataset_create", "planned_dataset_update", "planned_dataset_delete",
           "planned_dataset_show", "planned_dataset_list", "planned_dataset_start"]


def _of_plan(data_dict: DataDict) -> Optional[str]:
    planned = model.Session.get(PlannedDataset, str(data_dict.get("id") or "")) \
        if data_dict.get("id") else None
    return planned.organization_id if planned else None


def _edit(context: Context, organization_id: Optional[str]) -> AuthResult:
    return suite_auth.organization_permission(context, organization_id, "update_dataset",
                    tk._("Only the organization's editors and admins can plan datasets"))


def _read(context: Context, organization_id: Optional[str]) -> AuthResult:
    return suite_auth.organization_permission(context, organization_id, "read",
                    tk._("Only members of the organization can see its planned datasets"))


def planned_dataset_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, suite_auth.organization_id(data_dict.get("organization_id")))


def planned_dataset_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, _of_plan(data_dict))


def planned_dataset_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, _of_plan(data_dict))


def planned_dataset_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _read(context, _of_plan(data_dict))


def planned_dataset_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _read(context, suite_auth.organization_id(data_dict.get("organization_id")))


def planned_dataset_start(context: Context, data_dict: DataDict) -> AuthResult:
    """The producers start a plan; creating its dataset checks ``package_create`` too."""
    return _edit(context, _of_plan(data_dict))
