"""Planned datasets beside the dataset they became (publishing the dataset closes the plan)
and beside the others in the inventory and the dashboard."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa

from ckan import model
from ckan.types import Context

from ckanext.opendata_governance.model import PLANNED_STATES, PlannedDataset, Service

__all__ = ["close_when_published", "columns_by_package", "count_unstarted",
           "unstarted_rows", "figures", "empty_figures", "total", "COLUMNS"]

OPEN_STATES = ("planned", "in_progress")
#: The inventory's columns about plans.
COLUMNS = ("planned_state", "planned_target_date", "planned_late")


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


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _is_late(plan: PlannedDataset, today: dt.date) -> bool:
    return bool(plan.target_date and plan.target_date < today and plan.state in OPEN_STATES)


def _plan_columns(plan: PlannedDataset, today: dt.date) -> dict[str, Any]:
    return {"planned_state": plan.state,
            "planned_target_date": plan.target_date.isoformat() if plan.target_date else None,
            "planned_late": _is_late(plan, today)}


def columns_by_package(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The inventory's plan columns of the datasets that plans became (the latest plan of
    each dataset)."""
    if not package_ids:
        return {}
    today, found = _today(), {}
    for plan in model.Session.query(PlannedDataset).filter(
            PlannedDataset.package_id.in_(package_ids)).order_by(PlannedDataset.created):
        found[plan.package_id] = _plan_columns(plan, today)
    return found


def _unstarted(organization_ids: Optional[list[str]]) -> Any:
    """Plans that no live dataset stands for yet: the inventory lists them on rows of
    their own."""
    package = model.package_table
    live = sa.select(package.c.id).where(package.c.id == PlannedDataset.package_id,
                                         package.c.state != "deleted").exists()
    query = model.Session.query(PlannedDataset).filter(
        sa.or_(PlannedDataset.package_id.is_(None), ~live))
    if organization_ids is not None:
        query = query.filter(PlannedDataset.organization_id.in_(organization_ids or ["-"]))
    return query


def count_unstarted(organization_ids: Optional[list[str]]) -> int:
    return _unstarted(organization_ids).count()


def unstarted_rows(organization_ids: Optional[list[str]], limit: int, offset: int,
                   columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Inventory rows of the plans no dataset stands for, by organization then target date;
    the columns a dataset would fill and a plan cannot are empty."""
    group = model.group_table
    plans = (_unstarted(organization_ids)
             .order_by(PlannedDataset.organization_id,
                       PlannedDataset.target_date.asc().nulls_last(), PlannedDataset.title)
             .offset(offset).limit(limit).all())
    org_ids = sorted({plan.organization_id for plan in plans})
    orgs = {record.id: record for record in model.Session.execute(
        sa.select(group.c.id, group.c.name, group.c.title).where(group.c.id.in_(org_ids)))}
    services = {(service.organization_id, service.name): service.title
                for service in model.Session.query(Service).filter(
                    Service.organization_id.in_(org_ids))} if org_ids else {}
    today, rows = _today(), []
    for plan in plans:
        org = orgs.get(plan.organization_id)
        row = dict.fromkeys(columns)
        row.update({
            "id": plan.id, "title": plan.title,
            "organization": org.name if org else None,
            "organization_title": org.title if org else None,
            "owner_service": plan.owner_service,
            "owner_service_title": services.get((plan.organization_id, plan.owner_service)),
            "update_frequency": plan.update_frequency, "num_resources": 0,
            **_plan_columns(plan, today)})
        rows.append(row)
    return rows


def empty_figures() -> dict[str, Any]:
    """The plan figures of an organization without plans."""
    return {**dict.fromkeys(PLANNED_STATES, 0), "late": 0, "late_plans": []}


def total(buckets: list[dict[str, Any]]) -> dict[str, int]:
    """The plan figures of several organizations added up (without the late list)."""
    keys = (*PLANNED_STATES, "late")
    return {key: sum(bucket[key] for bucket in buckets) for key in keys}


def figures(organization_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per organization: plans by state, late plans and the late ones listed (soonest
    first), for the governance dashboard."""
    today = _today()
    found: dict[str, dict[str, Any]] = {}
    for plan in model.Session.query(PlannedDataset).filter(
            PlannedDataset.organization_id.in_(organization_ids or ["-"])).order_by(
                PlannedDataset.target_date.asc().nulls_last(), PlannedDataset.title):
        bucket = found.setdefault(plan.organization_id, empty_figures())
        bucket[plan.state] = bucket.get(plan.state, 0) + 1
        if _is_late(plan, today):
            bucket["late"] += 1
            bucket["late_plans"].append({
                "id": plan.id, "title": plan.title,
                "target_date": plan.target_date.isoformat()})
    return found
