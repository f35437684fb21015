"""Auth functions of the governance plugin, one per action and of the same name: each
feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.opendata_governance.logic import (
    check_auth, checklist_auth, dashboard_auth, extract_auth, planned_auth, progress_auth,
    review_auth, service_auth, suggest_auth, table_schema_auth)
from ckanext.suite.registry import public_members

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Any]:
    return public_members(service_auth, review_auth, dashboard_auth, check_auth, extract_auth,
                          suggest_auth, planned_auth, progress_auth, checklist_auth,
                          table_schema_auth)
