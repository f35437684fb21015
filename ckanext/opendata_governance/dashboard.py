"""Figures of the governance dashboard and rows of the data inventory, from aggregate SQL."""
from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from typing import Any, Iterable, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import cadence, freshness
from ckanext.opendata_governance.suggest import plans
from ckanext.opendata_governance.model import Review, Service

__all__ = [
    "COMPLETE_METADATA",
    "DatasetRow",
    "INVENTORY_COLUMNS",
    "NO_SERVICE",
    "dataset_rows",
    "count_datasets",
    "figures",
    "inventory_rows",
    "is_metadata_complete",
]

#: The governance fields read from a dataset's extras.
_EXTRA_KEYS = ("owner_service", "update_frequency", "last_data_update",
               "data_steward", "contains_personal_data")

#: What "complete metadata" means, in one place: every one of these is filled.
#: ``tags`` needs at least one tag; ``contact`` is the data steward or, for
#: datasets from before the governance schema, the maintainer's email.
COMPLETE_METADATA = ("title", "notes", "license_id", "tags", "owner_service",
                     "update_frequency", "contact")

#: Key of the bucket of datasets that have no owner service.
NO_SERVICE = None

#: Columns of the inventory, in the order of the CSV export.
INVENTORY_COLUMNS = (
    "id", "name", "title", "organization", "organization_title",
    "owner_service", "owner_service_title", "private", "update_frequency",
    "last_data_update", "next_update_due", "update_status",
    "contains_personal_data", "license_id", "last_review_state",
    "last_review_decided", "last_review_decided_by", "num_resources",
    "metadata_modified", *plans.COLUMNS,
)

#: Buckets of the age of pending reviews, in days: (upper bound exclusive, key).
AGE_BUCKETS = ((7, "under_7_days"), (30, "7_to_30_days"), (None, "over_30_days"))


@dataclasses.dataclass
class DatasetRow:
    """What the dashboard and the inventory need of one dataset, read in one query."""

    id: str
    name: str
    title: str
    notes: str
    license_id: str
    maintainer_email: str
    organization_id: str
    private: bool
    metadata_created: Optional[dt.datetime]
    metadata_modified: Optional[dt.datetime]
    owner_service: str
    update_frequency: str
    last_data_update: str
    data_steward: str
    contains_personal_data: str
    num_tags: int
    num_resources: int

    def cadence(self, cache: Optional[dict[tuple[Any, ...], dict[str, Any]]] = None
                ) -> dict[str, Any]:
        """Next due date, status and days late today, as the dataset page computes them.

        :param cache: shared by the rows of one call: many datasets have the
            same frequency and reference date, computed once
        """
        key = (self.update_frequency, self.last_data_update,
               None if self.last_data_update else self.metadata_created)
        if cache is not None and key in cache:
            return cache[key]
        computed = freshness.dataset_cadence({
            "update_frequency": self.update_frequency,
            "last_data_update": self.last_data_update,
            "metadata_created": self.metadata_created.isoformat()
            if self.metadata_created else None,
        })
        if cache is not None:
            cache[key] = computed
        return computed


def is_metadata_complete(row: DatasetRow) -> bool:
    """Whether every field of ``COMPLETE_METADATA`` is filled in."""
    values = {
        "title": row.title, "notes": row.notes, "license_id": row.license_id,
        "tags": row.num_tags, "owner_service": row.owner_service,
        "update_frequency": row.update_frequency,
        "contact": row.data_steward or row.maintainer_email,
    }
    return all(bool(values[key] and str(values[key]).strip()) for key in COMPLETE_METADATA)


def _extras() -> tuple[dict[str, Any], Optional[sa.sql.Subquery]]:
    """SQL expressions of the governance extras, and the subquery to join for them.

    CKAN 2.12 keeps extras in a JSONB column of ``package``; 2.11 in the
    ``package_extra`` table, pivoted here in one pass rather than one
    subquery per key and dataset.
    """
    package = model.package_table
    if "extras" in package.c:
        return {key: package.c.extras[key].astext for key in _EXTRA_KEYS}, None
    extra = model.package_extra_table
    pivot = (sa.select(extra.c.package_id.label("package_id"),
                       *[sa.func.max(extra.c.value).filter(extra.c.key == key).label(key)
                         for key in _EXTRA_KEYS])
             .where(extra.c.key.in_(_EXTRA_KEYS), extra.c.state == "active")
             .group_by(extra.c.package_id)
             .subquery("governance_extras"))
    return {key: pivot.c[key] for key in _EXTRA_KEYS}, pivot


def _counts(table: sa.Table, label: str) -> sa.sql.Subquery:
    return (sa.select(table.c.package_id.label("package_id"),
                      sa.func.count().label(label))
            .where(table.c.state == "active")
            .group_by(table.c.package_id)
            .subquery(f"governance_{label}"))


def _base_query(organization_ids: Optional[list[str]]) -> sa.sql.Select:
    package = model.package_table
    group = model.group_table
    extras, pivot = _extras()
    tags = _counts(model.package_tag_table, "num_tags")
    resources = _counts(model.resource_table, "num_resources")
    source = (package
              .join(group, group.c.id == package.c.owner_org)
              .outerjoin(tags, tags.c.package_id == package.c.id)
              .outerjoin(resources, resources.c.package_id == package.c.id))
    if pivot is not None:
        source = source.outerjoin(pivot, pivot.c.package_id == package.c.id)
    query = (sa.select(
        package.c.id, package.c.name, package.c.title, package.c.notes,
        package.c.license_id, package.c.maintainer_email,
        package.c.owner_org.label("organization_id"), package.c.private,
        package.c.metadata_created, package.c.metadata_modified,
        *[extras[key].label(key) for key in _EXTRA_KEYS],
        sa.func.coalesce(tags.c.num_tags, 0).label("num_tags"),
        sa.func.coalesce(resources.c.num_resources, 0).label("num_resources"),
    ).select_from(source)
        # Drafts are unfinished creations and deleted datasets are gone: neither
        # is part of what the authority publishes or must inventory. Harvest
        # sources and other package types are not datasets.
        .where(package.c.state == "active", package.c.type == "dataset",
               group.c.is_organization.is_(True), group.c.state == "active"))
    if organization_ids is not None:
        query = query.where(package.c.owner_org.in_(organization_ids or ["-"]))
    return query


def _row(record: Any) -> DatasetRow:
    values = dict(record._mapping)
    for key in ("title", "notes", "license_id", "maintainer_email", *_EXTRA_KEYS):
        values[key] = values.get(key) or ""
    values["private"] = bool(values["private"])
    return DatasetRow(**values)


def dataset_rows(organization_ids: Optional[list[str]], *, limit: Optional[int] = None,
                 offset: int = 0) -> list[DatasetRow]:
    """The datasets of these organizations (None: all), by organization then name."""
    query = _base_query(organization_ids).order_by(
        model.group_table.c.name, model.package_table.c.name)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_row(record) for record in model.Session.execute(query)]


def count_datasets(organization_ids: Optional[list[str]]) -> int:
    """How many datasets ``dataset_rows`` would return without a limit."""
    query = sa.select(sa.func.count()).select_from(_base_query(organization_ids).subquery())
    return int(model.Session.execute(query).scalar() or 0)


def _reviews(organization_ids: Optional[list[str]], states: Iterable[str]) -> list[Any]:
    query = (sa.select(Review.package_id, Review.created, Review.decided)
             .where(Review.state.in_(list(states))))
    if organization_ids is not None:
        # Through the dataset's current organization, not the one stored
        # with the review: a dataset may have moved since.
        package = model.package_table
        query = query.join(package, package.c.id == Review.package_id).where(
            package.c.owner_org.in_(organization_ids or ["-"]))
    return list(model.Session.execute(query))


def _median(values: list[float]) -> Optional[float]:
    return round(statistics.median(values), 1) if values else None


def _new_bucket() -> dict[str, Any]:
    return {"datasets": 0, "public": 0, "private": 0, "overdue": 0,
            "complete_metadata": 0, "pending_review_ages": [], "decision_hours": []}


def _finish(bucket: dict[str, Any]) -> dict[str, Any]:
    """Turn collected samples into the published figures of one bucket."""
    ages = bucket.pop("pending_review_ages")
    hours = bucket.pop("decision_hours")
    by_age = {key: 0 for _bound, key in AGE_BUCKETS}
    for age in ages:
        for bound, key in AGE_BUCKETS:
            if bound is None or age < bound:
                by_age[key] += 1
                break
    datasets = bucket["datasets"]
    return {
        **bucket,
        "complete_metadata_share": round(bucket["complete_metadata"] / datasets, 3)
        if datasets else None,
        "pending_reviews": len(ages),
        "pending_review_age_days": {
            "oldest": round(max(ages), 1) if ages else None,
            "median": _median(ages),
            "buckets": by_age,
        },
        "decided_reviews": len(hours),
        "median_decision_hours": _median(hours),
    }


def figures(organizations: list[dict[str, Any]], all_organizations: bool,
            now: Optional[dt.datetime] = None) -> dict[str, Any]:
    """The dashboard figures of these organizations, per organization and owner service.

    :param organizations: dicts with ``id``, ``name`` and ``title``
    :param all_organizations: the caller sees every organization (no SQL filter)
    :param now: naive UTC time the ages are counted to (default: now)
    """
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    ids = [org["id"] for org in organizations]
    rows = dataset_rows(None if all_organizations else ids)
    cadences: dict[tuple[Any, ...], dict[str, Any]] = {}

    per_org: dict[str, dict[Any, dict[str, Any]]] = {org_id: {} for org_id in ids}
    totals = _new_bucket()
    located: dict[str, tuple[str, Any]] = {}
    for row in rows:
        services = per_org.setdefault(row.organization_id, {})
        key = row.owner_service or NO_SERVICE
        located[row.id] = (row.organization_id, key)
        overdue = row.cadence(cadences)["update_status"] == cadence.OVERDUE
        complete = is_metadata_complete(row)
        for bucket in (services.setdefault(key, _new_bucket()), totals):
            bucket["datasets"] += 1
            bucket["private" if row.private else "public"] += 1
            bucket["overdue"] += int(overdue)
            bucket["complete_metadata"] += int(complete)

    # Reviews are attached to where their dataset is now, so a dataset moved
    # to another service takes its history along.
    scope = None if all_organizations else ids
    for review in _reviews(scope, ["submitted"]):
        if review.package_id not in located:
            continue
        org_id, key = located[review.package_id]
        age = (now - review.created).total_seconds() / 86400
        for bucket in (per_org[org_id].setdefault(key, _new_bucket()), totals):
            bucket["pending_review_ages"].append(max(age, 0.0))
    for review in _reviews(scope, ["approved", "rejected"]):
        if review.package_id not in located or review.decided is None:
            continue
        org_id, key = located[review.package_id]
        hours = (review.decided - review.created).total_seconds() / 3600
        for bucket in (per_org[org_id].setdefault(key, _new_bucket()), totals):
            bucket["decision_hours"].append(max(hours, 0.0))

    known = {org["id"]: org for org in organizations}
    declared: dict[str, dict[str, Service]] = {}
    for service in model.Session.query(Service).filter(Service.organization_id.in_(ids)):
        declared.setdefault(service.organization_id, {})[service.name] = service
    result = []
    for org_id, services in per_org.items():
        if org_id not in known:
            continue
        result.append(_organization_figures(known[org_id], services,
                                            declared.get(org_id, {})))
    result.sort(key=lambda org: (org["title"] or org["name"]).lower())
    planned = plans.figures([org["id"] for org in result])
    for org in result:
        org["plans"] = planned.get(org["id"]) or plans.empty_figures()
    return {
        "generated": now.isoformat(timespec="seconds"),
        "complete_metadata_fields": list(COMPLETE_METADATA),
        "totals": {**_finish(totals), "plans": plans.total(
            [org["plans"] for org in result])},
        "organizations": result,
    }


def _organization_figures(organization: dict[str, Any], services: dict[Any, dict[str, Any]],
                          declared: dict[str, Service]) -> dict[str, Any]:
    org_bucket = _new_bucket()
    for bucket in services.values():
        for key in ("datasets", "public", "private", "overdue", "complete_metadata"):
            org_bucket[key] += bucket[key]
        org_bucket["pending_review_ages"] += bucket["pending_review_ages"]
        org_bucket["decision_hours"] += bucket["decision_hours"]
    # Every declared service shows, even without datasets yet.
    for name in declared:
        services.setdefault(name, _new_bucket())
    listed = []
    for name, bucket in services.items():
        service = declared.get(name) if name else None
        listed.append({
            "name": name,
            "title": service.title if service else (name or tk._("No owner service")),
            "declared": service is not None,
            "active": bool(service.active) if service else None,
            **_finish(bucket),
        })
    # Services by title, the "no service" bucket last where it stands out.
    listed.sort(key=lambda item: (item["name"] is None, item["title"].lower()))
    return {"id": organization["id"], "name": organization["name"],
            "title": organization.get("title") or organization["name"],
            **_finish(org_bucket), "services": listed}


def inventory_rows(organization_ids: Optional[list[str]], limit: Optional[int],
                   offset: int) -> list[dict[str, Any]]:
    """Rows of the data inventory, keys as in ``INVENTORY_COLUMNS``."""
    rows = dataset_rows(organization_ids, limit=limit, offset=offset)
    if not rows:
        return []
    org_ids = sorted({row.organization_id for row in rows})
    group = model.group_table
    orgs = {record.id: record for record in model.Session.execute(
        sa.select(group.c.id, group.c.name, group.c.title).where(group.c.id.in_(org_ids)))}
    services = {(service.organization_id, service.name): service.title
                for service in model.Session.query(Service).filter(
                    Service.organization_id.in_(org_ids))}
    reviews = _latest_reviews([row.id for row in rows])
    planned = plans.columns_by_package([row.id for row in rows])
    cadences: dict[tuple[Any, ...], dict[str, Any]] = {}
    results = []
    for row in rows:
        computed = row.cadence(cadences)
        due = computed["next_update_due"]
        review = reviews.get(row.id)
        org = orgs.get(row.organization_id)
        results.append({
            "id": row.id,
            "name": row.name,
            "title": row.title,
            "organization": org.name if org else None,
            "organization_title": org.title if org else None,
            "owner_service": row.owner_service or None,
            "owner_service_title": services.get((row.organization_id, row.owner_service))
            if row.owner_service else None,
            "private": row.private,
            "update_frequency": row.update_frequency or None,
            "last_data_update": row.last_data_update or None,
            "next_update_due": due.isoformat() if due else None,
            "update_status": computed["update_status"],
            "contains_personal_data": row.contains_personal_data or None,
            "license_id": row.license_id or None,
            "last_review_state": review["state"] if review else None,
            "last_review_decided": review["decided"] if review else None,
            "last_review_decided_by": review["decided_by"] if review else None,
            "num_resources": row.num_resources,
            "metadata_modified": row.metadata_modified.isoformat()
            if row.metadata_modified else None,
            **planned.get(row.id, dict.fromkeys(plans.COLUMNS)),
        })
    return results


def _latest_reviews(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The latest review of each dataset, with the name of who decided it."""
    user = model.user_table
    # ``decided_by`` holds a user id; an unknown one is shown as stored.
    query = (sa.select(Review.package_id, Review.state, Review.decided,
                       sa.func.coalesce(user.c.name, Review.decided_by).label("decided_by"))
             .outerjoin(user, user.c.id == Review.decided_by)
             .where(Review.package_id.in_(package_ids))
             .order_by(Review.package_id, Review.created.desc())
             .distinct(Review.package_id))
    return {record.package_id: {
        "state": record.state,
        "decided": record.decided.isoformat(timespec="seconds") if record.decided else None,
        "decided_by": record.decided_by,
    } for record in model.Session.execute(query)}
