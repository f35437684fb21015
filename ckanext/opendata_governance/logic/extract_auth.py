"""Who may extract tables from a resource: those who may edit its dataset."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.extract import jobs

__all__ = ["resource_table_preview", "resource_table_extract", "resource_table_extract_status"]


def _editors_only(context: Context, data_dict: DataDict) -> AuthResult:
    resource = model.Resource.get(str(data_dict.get("id") or ""))
    if resource is None or resource.state == "deleted":
        return {"success": False, "msg": tk._("Resource not found")}
    try:
        # The new CSV resource joins the dataset: core's rule for adding one decides.
        tk.check_access("package_update", context, {"id": resource.package_id})
    except tk.NotAuthorized:
        return {"success": False,
                "msg": tk._("Only editors of the dataset may extract its tables")}
    return {"success": True}


def resource_table_preview(context: Context, data_dict: DataDict) -> AuthResult:
    return _editors_only(context, data_dict)


def resource_table_extract(context: Context, data_dict: DataDict) -> AuthResult:
    return _editors_only(context, data_dict)


def resource_table_extract_status(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may extract from the job's resource may follow the job."""
    resource_id = jobs.resource_of(data_dict.get("id"))
    if resource_id is None:
        return {"success": False, "msg": tk._("Extraction job not found")}
    return _editors_only(context, {"id": resource_id})
