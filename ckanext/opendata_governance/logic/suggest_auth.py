"""Auth functions of the opening suggestion actions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.suite import auth as suite_auth

__all__ = ["opening_suggestion_list", "opening_suggestion_dismiss"]


def _allowed(context: Context, data_dict: DataDict, permission: str, msg: str) -> AuthResult:
    return suite_auth.organization_permission(
        context, suite_auth.organization_id(data_dict.get("organization_id")), permission, msg)


def opening_suggestion_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The organization's members see what it could open next."""
    return _allowed(context, data_dict, "read",
                    tk._("Only members of the organization can see its opening suggestions"))


def opening_suggestion_dismiss(context: Context, data_dict: DataDict) -> AuthResult:
    """Its editors and admins, the producers, dismiss a suggestion."""
    return _allowed(context, data_dict, "update_dataset",
                    tk._("Only the organization's editors and admins can dismiss a "
                         "suggestion"))
