"""Planned datasets beside the dataset they became: publishing the dataset closes the plan."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.types import Context

from ckanext.opendata_governance.model import PlannedDataset

__all__ = ["close_when_published"]

OPEN_STATES = ("planned", "in_progress")


def close_when_published(context: Context, pkg_dict: dict[str, Any]) -> None:
    """Mark ``published`` the open plans of a dataset that is now public.

    Runs after the publication gate, which refuses a publication by raising first; the
    change is committed with the dataset's own.
    """
    package = model.Package.get(pkg_dict.get("id") or "")
    if package is None or package.private or package.state != "active":
        return
    for planned in model.Session.query(PlannedDataset).filter(
            PlannedDataset.package_id == package.id,
            PlannedDataset.state.in_(OPEN_STATES)):
        planned.state = "published"
