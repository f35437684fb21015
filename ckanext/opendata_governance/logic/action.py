"""Actions of the governance plugin: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.opendata_governance.logic import (
    check_action, checklist_action, dashboard_action, datastore_action, extract_action,
    gate_action, planned_action, progress_action, review_action, reviewer_action,
    service_action, settings_action, suggest_action, table_schema_action, tag_action)
from ckanext.suite.registry import public_members

__all__ = ["get_actions"]


def get_actions() -> dict[str, Any]:
    return public_members(service_action, review_action, reviewer_action, settings_action,
                          checklist_action,
                          gate_action, dashboard_action,
                          check_action, tag_action, datastore_action, extract_action,
                          suggest_action, planned_action, progress_action,
                          table_schema_action)
