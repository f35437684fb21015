"""Reuse statistics and link health actions."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa

import ckan.authz as authz
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.reuse_tracker.logic import stats_auth
from ckanext.reuse_tracker.model.reuse import REUSE_TYPES, Reuse, ReuseDataset
from ckanext.reuse_tracker.services import service_titles
from ckanext.reuse_tracker.topics import type_label

#: One action per auth function of stats_auth, of the same name.
__all__ = stats_auth.__all__

GROUPINGS = ("type", "month", "dataset", "organization", "service")
MAX_MOST_REUSED = 100
#: Months shown at most by ``group_by=month`` (ten years).
MAX_MONTHS = 120


def _schema() -> dict[str, Any]:
    v = tk.get_validator
    return {
        "organization": [v("ignore_missing"), v("unicode_safe")],
        "dataset": [v("ignore_missing"), v("unicode_safe")],
        "group_by": [v("default")("type"), v("unicode_safe"), v("one_of")(list(GROUPINGS))],
        "months": [v("ignore_missing"), v("natural_number_validator"), _at_most(MAX_MONTHS)],
        "most_reused": [v("default")(10), v("natural_number_validator"),
                        _at_most(MAX_MOST_REUSED)],
    }


def _at_most(limit: int) -> Any:
    def validator(value: Any) -> Any:
        if value is not None and int(value) > limit:
            raise tk.Invalid(tk._("At most {limit}").format(limit=limit))
        return value
    return validator


@tk.side_effect_free
def reuse_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Figures about published reuses, grouped one way, and the most reused datasets.

    Only ``published`` reuses count. A link to a dataset counts only when the caller may
    read the dataset (public and active, or private in one of the caller's organizations,
    or any for sysadmins): private datasets are never named, nor counted, for others.
    Without ``organization`` or ``dataset``, ``type`` and ``month`` count every published
    reuse; with either, the reuses linking a matching dataset the caller may read.

    :param organization: id or name: only the reuses of this organization's datasets
        (``dataset``, ``organization`` and ``service`` groups then stay within it)
    :param dataset: id or name: only the reuses of this dataset
    :param group_by: ``type`` (default, every type listed), ``month`` (of publication,
        ``YYYY-MM``, months without reuses included), ``dataset``, ``organization`` or
        ``service`` (the datasets' owner service, when ``opendata_governance`` is loaded;
        ``key`` null for datasets without one). A reuse linking datasets of two groups
        counts in both.
    :param months: with ``group_by=month``, the last N months up to the current one
        (default: from the month of the first reuse)
    :param most_reused: how many of the most reused datasets to list (default 10, 0 for
        none, at most 100)
    :returns: ``{"total", "group_by", "groups": [{"key", "label", "count", ...}],
        "most_reused": [{"id", "name", "title", "organization_id", "count"}]}``;
        ``dataset`` groups also carry ``name`` and ``organization_id``, ``organization``
        groups ``name``, ``service`` groups ``organization_id`` and ``organization`` (name)
    """
    tk.check_access("reuse_stats", context, data_dict)
    data, errors = tk.navl_validate(data_dict, _schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    if data["group_by"] == "service" and not p.plugin_loaded("opendata_governance"):
        raise tk.ValidationError({"group_by": [tk._(
            "Grouping by service needs the opendata_governance plugin")]})
    scope = _Scope(context, data)
    groups = {
        "type": _by_type, "month": _by_month, "dataset": _by_dataset,
        "organization": _by_organization, "service": _by_service,
    }[data["group_by"]](scope, data)
    most = _by_dataset(scope, data, limit=data["most_reused"]) if data["most_reused"] else []
    return {
        "total": scope.total(),
        "group_by": data["group_by"],
        "groups": groups,
        "most_reused": [{"id": g["key"], "name": g["name"], "title": g["label"],
                         "organization_id": g["organization_id"], "count": g["count"]}
                        for g in most],
    }


class _Scope:
    """The published reuses and the links to datasets the caller may read, filtered."""

    def __init__(self, context: Context, data: dict[str, Any]) -> None:
        self.reuse = Reuse.__table__
        self.link = ReuseDataset.__table__
        self.package = model.package_table
        self.organization_id = _organization_id(data.get("organization"))
        self.package_id = _package_id(data.get("dataset"))
        self.filtered = bool(self.organization_id or self.package_id)
        user = context.get("user")
        self.everything = bool(user) and authz.is_sysadmin(user)
        self.readable_orgs: list[str] = []
        if user and not self.everything:
            orgs = tk.get_action("organization_list_for_user")(
                {"user": user}, {"permission": "read", "include_dataset_count": False})
            self.readable_orgs = [org["id"] for org in orgs]

    def links(self) -> sa.sql.Select:
        """Rows (reuse, package) of published reuses and visible, matching datasets."""
        package = self.package
        conditions = [self.reuse.c.state == "published", package.c.state == "active"]
        if not self.everything:
            conditions.append(sa.or_(package.c.private.is_(False),
                                     package.c.owner_org.in_(self.readable_orgs or ["-"])))
        if self.organization_id:
            conditions.append(package.c.owner_org == self.organization_id)
        if self.package_id:
            conditions.append(package.c.id == self.package_id)
        return (sa.select(self.reuse.c.id.label("reuse_id"),
                          self.reuse.c.type.label("type"),
                          self.reuse.c.published.label("published"),
                          package.c.id.label("package_id"))
                .select_from(self.reuse.join(self.link, self.link.c.reuse_id == self.reuse.c.id)
                             .join(package, package.c.id == self.link.c.package_id))
                .where(*conditions))

    def reuses(self) -> sa.sql.Subquery:
        """One row per counted reuse: its id, type and publication date."""
        if self.filtered:
            links = self.links().subquery("links")
            return (sa.select(links.c.reuse_id, links.c.type, links.c.published)
                    .distinct().subquery("reuses"))
        return (sa.select(self.reuse.c.id.label("reuse_id"), self.reuse.c.type,
                          self.reuse.c.published)
                .where(self.reuse.c.state == "published").subquery("reuses"))

    def total(self) -> int:
        reuses = self.reuses()
        return model.Session.execute(
            sa.select(sa.func.count()).select_from(reuses)).scalar() or 0


def _organization_id(id_or_name: Optional[str]) -> Optional[str]:
    if not id_or_name:
        return None
    group = model.Group.get(id_or_name)
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return group.id


def _package_id(id_or_name: Optional[str]) -> Optional[str]:
    if not id_or_name:
        return None
    package = model.Package.get(id_or_name)
    if package is None or package.state != "active":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package.id


def _by_type(scope: _Scope, data: dict[str, Any]) -> list[dict[str, Any]]:
    reuses = scope.reuses()
    counts = dict(model.Session.execute(
        sa.select(reuses.c.type, sa.func.count()).group_by(reuses.c.type)).all())
    return [{"key": type_, "label": type_label(type_) or type_, "count": counts.get(type_, 0)}
            for type_ in REUSE_TYPES]


def _month_start(day: dt.datetime) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _by_month(scope: _Scope, data: dict[str, Any]) -> list[dict[str, Any]]:
    reuses = scope.reuses()
    month = sa.func.date_trunc("month", reuses.c.published)
    rows = model.Session.execute(
        sa.select(month, sa.func.count()).where(reuses.c.published.isnot(None))
        .group_by(month).order_by(month)).all()
    counts = {_month_start(start): n for start, n in rows}
    last = _month_start(dt.datetime.now(dt.timezone.utc))
    if counts:
        last = max(last, max(counts))
    if data.get("months"):
        first = last
        for _ in range(int(data["months"]) - 1):
            first = dt.date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    elif counts:
        first = min(counts)
    else:
        return []
    groups = []
    current = first
    while current <= last:
        key = current.strftime("%Y-%m")
        groups.append({"key": key, "label": key, "count": counts.get(current, 0)})
        current = _next_month(current)
    return groups[-MAX_MONTHS:]


def _by_dataset(scope: _Scope, data: dict[str, Any],
                limit: Optional[int] = None) -> list[dict[str, Any]]:
    links = scope.links().subquery("links")
    package = model.package_table
    count = sa.func.count(sa.distinct(links.c.reuse_id))
    query = (sa.select(package.c.id, package.c.name, package.c.title, package.c.owner_org,
                       count.label("count"))
             .select_from(links.join(package, package.c.id == links.c.package_id))
             .group_by(package.c.id, package.c.name, package.c.title, package.c.owner_org)
             .order_by(count.desc(), package.c.title, package.c.name))
    if limit:
        query = query.limit(limit)
    return [{"key": row.id, "label": row.title or row.name, "name": row.name,
             "organization_id": row.owner_org, "count": row.count}
            for row in model.Session.execute(query)]


def _by_organization(scope: _Scope, data: dict[str, Any]) -> list[dict[str, Any]]:
    links = scope.links().subquery("links")
    package, group = model.package_table, model.group_table
    count = sa.func.count(sa.distinct(links.c.reuse_id))
    query = (sa.select(group.c.id, group.c.name, group.c.title, count.label("count"))
             .select_from(links.join(package, package.c.id == links.c.package_id)
                          .join(group, group.c.id == package.c.owner_org))
             .group_by(group.c.id, group.c.name, group.c.title)
             .order_by(count.desc(), group.c.title))
    return [{"key": row.id, "label": row.title or row.name, "name": row.name,
             "count": row.count} for row in model.Session.execute(query)]


def _service_column(package: sa.Table) -> tuple[Any, Optional[sa.Table]]:
    """The ``owner_service`` of a dataset: a JSONB key on CKAN 2.12, a row of
    ``package_extra`` on 2.11 (joined by the caller)."""
    if "extras" in package.c:
        return package.c.extras["owner_service"].astext, None
    return model.package_extra_table.c.value, model.package_extra_table


def _by_service(scope: _Scope, data: dict[str, Any]) -> list[dict[str, Any]]:
    links = scope.links().subquery("links")
    package = model.package_table
    service, extra = _service_column(package)
    joined = links.join(package, package.c.id == links.c.package_id)
    if extra is not None:
        joined = joined.outerjoin(extra, sa.and_(extra.c.package_id == package.c.id,
                                                 extra.c.key == "owner_service",
                                                 extra.c.state == "active"))
    group = model.group_table
    joined = joined.outerjoin(group, group.c.id == package.c.owner_org)
    service = sa.func.nullif(service, "")
    count = sa.func.count(sa.distinct(links.c.reuse_id))
    query = (sa.select(package.c.owner_org, group.c.name.label("organization"),
                       service.label("service"), count.label("count"))
             .select_from(joined).group_by(package.c.owner_org, group.c.name, service)
             .order_by(count.desc(), group.c.name, service))
    rows = model.Session.execute(query).all()
    titles = service_titles(row.owner_org for row in rows)
    return [{"key": row.service, "organization_id": row.owner_org,
             "organization": row.organization,
             "label": titles.get((row.owner_org, row.service)) or row.service
             or tk._("No owner service"), "count": row.count} for row in rows]


def reuse_link_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Check a published reuse's link now, or queue the check (moderators only).

    :param id: id or name of the reuse
    :param enqueue: queue a background job instead of checking during the request
        (default false)
    :returns: the check (``reuse_id``, ``name``, ``outcome``, ``status``, ``failures``,
        ``mails``), or ``{"job_id"}`` when queued
    """
    tk.check_access("reuse_link_check", context, data_dict)
    # Imported here: link_health imports the model and the mailer, not needed by stats.
    from ckanext.reuse_tracker import link_health

    reuse = Reuse.get(data_dict.get("id") or "")
    if reuse is None:
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    if reuse.state != "published":
        raise tk.ValidationError({"id": [tk._("Only the links of published reuses are checked")]})
    if tk.asbool(data_dict.get("enqueue", False)):
        job = tk.enqueue_job(link_health.check_reuse, [reuse.id], {"force": True},
                             title="reuse-tracker link check of {}".format(reuse.id))
        return {"job_id": job.id}
    return link_health.check_reuse(reuse.id, force=True)
