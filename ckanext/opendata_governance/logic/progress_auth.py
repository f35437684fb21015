"""Auth function of the organization's progress page."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.opendata_governance.model import OrganizationSetting
from ckanext.suite import auth as suite_auth

__all__ = ["organization_progress_show"]


@tk.auth_allow_anonymous_access
def organization_progress_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone, once the organization made its progress page public; its members before."""
    organization_id = suite_auth.organization_id(data_dict.get("organization_id"))
    setting = model.Session.get(OrganizationSetting, organization_id) \
        if organization_id else None
    if setting is not None and setting.progress_public:
        return {"success": True}
    return suite_auth.organization_permission(
        context, organization_id, "read",
        tk._("This organization has not made its progress page public"))
