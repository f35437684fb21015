"""An organization's progress in opening its data: published and planned, by kind of data
(the reference list's entries) and by owner service, for its public progress page."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa

from ckan import model

from ckanext.opendata_governance import dashboard
from ckanext.opendata_governance.model import PlannedDataset, Service
from ckanext.opendata_governance.suggest import published, reference
from ckanext.opendata_governance.suggest.plans import OPEN_STATES
from ckanext.suite.collation import collation_key

__all__ = ["OTHER", "figures"]

#: The bucket of datasets and plans that no reference entry describes.
OTHER = ""
#: How many recent publications and upcoming plans the page lists.
LISTED = 10


def _entry_of_plan(plan: PlannedDataset, catalogue: list[reference.Entry]) -> str:
    for entry in catalogue:
        if plan.suggestion_key == entry.key or entry.matches_schema(plan.conforms_to):
            return entry.key
    return OTHER


def _entries_of_datasets(organization_id: str, catalogue: list[reference.Entry]
                         ) -> dict[str, set[str]]:
    """The reference entries each public dataset of the organization is of, by dataset id
    (its schemas first, then its tags, as suggestions read them)."""
    package = model.Package.__table__
    # One "territory" per dataset: the entries it covers come back by dataset id.
    scope = (sa.select(package.c.id, package.c.name, package.c.id.label("code"))
             .where(package.c.owner_org == organization_id, package.c.state == "active",
                    package.c.private.is_(False), package.c.type == "dataset")
             .subquery())
    found: dict[str, set[str]] = {}
    for hit in published.hits(scope, catalogue):
        found.setdefault(hit.code, set()).add(hit.key)
    return found


def _bucket() -> dict[str, int]:
    return {"published": 0, "planned": 0}


def figures(organization_id: str, show_planned_titles: bool,
            today: Optional[dt.date] = None) -> dict[str, Any]:
    """What the progress page shows: nothing of a private dataset, and the titles of
    planned datasets only when ``show_planned_titles``.

    :returns: ``{"published", "planned", "late", "published_plans", "themes",
        "services", "recent", "next"}``; themes and services are lists of
        ``{"key"/"name", "title", "published", "planned"}``
    """
    today = today or dt.datetime.now(dt.timezone.utc).date()
    catalogue = reference.entries()
    rows = [row for row in dashboard.dataset_rows([organization_id]) if not row.private]
    kinds = _entries_of_datasets(organization_id, catalogue)
    plans = model.Session.query(PlannedDataset).filter(
        PlannedDataset.organization_id == organization_id).all()
    open_plans = [plan for plan in plans if plan.state in OPEN_STATES]

    themes: dict[str, dict[str, int]] = {}
    services: dict[str, dict[str, int]] = {}
    for row in rows:
        for key in kinds.get(row.id) or {OTHER}:
            themes.setdefault(key, _bucket())["published"] += 1
        services.setdefault(row.owner_service or "", _bucket())["published"] += 1
    for plan in open_plans:
        themes.setdefault(_entry_of_plan(plan, catalogue), _bucket())["planned"] += 1
        services.setdefault(plan.owner_service or "", _bucket())["planned"] += 1

    service_titles = {service.name: service.title for service in model.Session.query(
        Service).filter(Service.organization_id == organization_id)}
    entry_titles = {entry.key: entry.title for entry in catalogue}
    upcoming = sorted(open_plans, key=lambda plan: (plan.target_date or dt.date.max,
                                                   plan.title))[:LISTED]
    recent = sorted(rows, key=lambda row: row.metadata_created or dt.datetime.min,
                    reverse=True)[:LISTED]
    return {
        "published": len(rows),
        "planned": len(open_plans),
        "late": sum(1 for plan in open_plans
                    if plan.target_date and plan.target_date < today),
        "published_plans": sum(1 for plan in plans if plan.state == "published"),
        "themes": _listed(themes, entry_titles, "key"),
        "services": _listed(services, service_titles, "name"),
        "recent": [{"name": row.name, "title": row.title or row.name,
                    "created": row.metadata_created.isoformat()
                    if row.metadata_created else None} for row in recent],
        "next": [{
            "title": plan.title if show_planned_titles else None,
            "theme": entry_titles.get(_entry_of_plan(plan, catalogue)),
            "service": service_titles.get(plan.owner_service or ""),
            "target_date": plan.target_date.isoformat() if plan.target_date else None,
            "late": bool(plan.target_date and plan.target_date < today),
            "state": plan.state,
        } for plan in upcoming],
    }


def _listed(buckets: dict[str, dict[str, int]], titles: dict[str, str],
            id_key: str) -> list[dict[str, Any]]:
    """Named buckets by title, the unnamed one ("other", "no service") last."""
    listed = [{id_key: key, "title": titles.get(key) if key else None, **counts}
              for key, counts in buckets.items()]
    listed.sort(key=lambda item: (not item[id_key],
                                  collation_key(item["title"] or item[id_key])))
    return listed
