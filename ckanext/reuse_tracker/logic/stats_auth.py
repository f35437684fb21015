"""Auth functions of the statistics and link health actions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["reuse_stats", "reuse_link_check"]


@tk.auth_allow_anonymous_access
def reuse_stats(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may read the figures; the action counts only the datasets the caller may read.

    Figures about one dataset need the right to see it (``package_show``).
    """
    dataset = data_dict.get("dataset")
    if dataset:
        try:
            tk.check_access("package_show", context, {"id": dataset})
        except tk.NotAuthorized:
            return {"success": False,
                    "msg": tk._("You are not allowed to see this dataset's reuses")}
        except tk.ObjectNotFound:
            pass  # the action answers "not found"
    return {"success": True}


def reuse_link_check(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may moderate a reuse may check its link now (``reuse_moderate``)."""
    try:
        tk.check_access("reuse_moderate", context, {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False,
                "msg": tk._("Only the reuse's moderators may check its link")}
    except tk.ObjectNotFound:
        return {"success": False, "msg": tk._("Reuse not found")}
    return {"success": True}
