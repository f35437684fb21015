"""Who may list the Table Schemas offered in the resource form."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["governance_table_schema_list"]


@tk.auth_allow_anonymous_access
def governance_table_schema_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone: the list only holds what the caller may already read."""
    return {"success": True}
