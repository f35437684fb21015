"""Consolidation actions: set up, run and read consolidations, and the coverage of a schema."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.territorial_consolidation.consolidation import failures, sources
from ckanext.territorial_consolidation.consolidation import jobs as consolidation_jobs
from ckanext.territorial_consolidation.logic import consolidation_auth, schema
from ckanext.suite.collation import collation_key
from ckanext.territorial_consolidation.model.consolidation import (
    Consolidation, ConsolidationRun)

#: One action per auth function of consolidation_auth, of the same name.
__all__ = consolidation_auth.__all__

#: A run still "running" after this long is taken as dead (a killed worker).
_STALE_RUN = dt.timedelta(hours=6)
COVERAGE_STATUSES = ("valid", "invalid", "unreachable", "unknown", "none")


def _organization(value: str) -> model.Group:
    group = model.Group.get(value)
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ValidationError({"organization_id": [tk._("Organization not found")]})
    return group


def _territory(value: str, field: str) -> dict[str, Any]:
    try:
        return tk.get_action("territory_show")({"ignore_auth": True}, {"id": value})
    except (tk.ObjectNotFound, tk.ValidationError):
        raise tk.ValidationError({field: [tk._("Territory not found")]})


#: Fields of the validated data set as they are.
_PLAIN_FIELDS = ("schema_url", "include", "exclude", "dedup_key", "keep_valid_rows",
                 "notify_owners", "schedule")


def _apply(consolidation: Consolidation, data: dict[str, Any]) -> None:
    """Set the fields of the validated data (all of them when creating, those given when
    updating), after the checks that need the database."""
    if "name" in data:
        other = model.Session.query(Consolidation).filter(
            Consolidation.name == data["name"], Consolidation.id != consolidation.id).first()
        if other is not None:
            raise tk.ValidationError({"name": [tk._("That name is already in use")]})
        consolidation.name = data["name"]
    if "title" in data:
        consolidation.title = data["title"] or consolidation.name
    if "organization_id" in data:
        consolidation.organization_id = _organization(data["organization_id"]).id
    if "scope_territory_id" in data:
        consolidation.scope_territory_id = _territory(
            data["scope_territory_id"], "scope_territory_id")["id"]
    if "schema" in data:
        consolidation.schema_json = data["schema"]
    for key in _PLAIN_FIELDS:
        if key in data:
            setattr(consolidation, key, data[key])
    if consolidation.schema_json and consolidation.dedup_key:
        names = {field.get("name") for field in consolidation.schema_json["fields"]}
        unknown = [name for name in consolidation.dedup_key if name not in names]
        if unknown:
            raise tk.ValidationError({"dedup_key": [tk._(
                "Not fields of the schema: {names}").format(names=", ".join(unknown))]})
    if data.get("package_id"):
        package = model.Package.get(data["package_id"])
        if package is None or package.state != "active":
            raise tk.ValidationError({"package_id": [tk._("Dataset not found")]})
        if package.owner_org != consolidation.organization_id:
            raise tk.ValidationError({"package_id": [tk._(
                "The target dataset must belong to the consolidating organization")]})
        consolidation.package_id = package.id


def _can_read(context: Context, package_id: str) -> bool:
    try:
        tk.check_access("package_show", {"user": context.get("user", "")}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _readable_references(context: Context, references: list[str]) -> list[str]:
    """The include or exclude entries naming a dataset or resource the user may read:
    the others would tell the name or id of a private dataset."""
    kept = []
    for reference in references:
        resource = model.Resource.get(reference)
        package_id = resource.package_id if resource is not None else reference
        if model.Package.get(package_id) is not None and _can_read(context, package_id):
            kept.append(reference)
    return kept


def _may_edit(context: Context, consolidation: Consolidation) -> bool:
    if context.get("ignore_auth"):
        return True
    try:
        tk.check_access("consolidation_update", {"user": context.get("user", "")},
                        {"id": consolidation.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _redact(context: Context, run: dict[str, Any]) -> dict[str, Any]:
    """Hide the sources whose dataset the user cannot read (made private since the run);
    put the reasons of unreadable sources into words (a report stores their codes)."""
    report = run.get("report") or {}
    for source in report.get("sources", []):
        if source.get("verdict") == "unreachable":
            source["reason"] = failures.source_reason(source.get("reason"))
    ids = {source.get("package_id") for source in report.get("sources", [])} - {None, ""}
    if not ids:
        return run
    public = {row.id for row in model.Session.query(model.Package.id).filter(
        model.Package.id.in_(ids), model.Package.private.is_(False),
        model.Package.state == "active")}
    hidden = {package_id for package_id in ids - public
              if not _can_read(context, package_id)}
    if not hidden:
        return run
    masked = tk._("A dataset you cannot see")
    report["sources"] = [
        {"resource_id": "", "package_id": "", "title": masked, "dataset_url": "",
         "territory_code": source.get("territory_code", ""),
         "verdict": source.get("verdict"), "kept": source.get("kept", 0),
         "rejected": source.get("rejected", 0), "rows_in": source.get("rows_in", 0),
         "reason": source.get("reason", "")}
        if source.get("package_id") in hidden else source
        for source in report.get("sources", [])]
    return run


def _dict(consolidation: Consolidation, runs: int = 0,
          context: Optional[Context] = None) -> dict[str, Any]:
    data = consolidation.as_dict()
    if context is not None and not _may_edit(context, consolidation):
        for key in ("include", "exclude"):
            data[key] = _readable_references(context, data[key])
    latest = (model.Session.query(ConsolidationRun)
              .filter(ConsolidationRun.consolidation_id == consolidation.id)
              .order_by(ConsolidationRun.created.desc()))
    last = latest.first()
    data["last_run"] = _redact(context or {}, last.as_dict()) if last else None
    if runs:
        data["runs"] = [run.as_dict(with_report=False) for run in latest.limit(runs)]
    return data


def consolidation_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set up a consolidation of the files following a Table Schema within a territory.

    :param name: unique name (lower-case letters, digits, ``-``, ``_``)
    :param title: title of the consolidation and of its target dataset
    :param organization_id: the consolidating organization (id or name)
    :param schema_url: URL of the Table Schema that sources declare in ``conforms_to``
    :param schema: the Table Schema itself, as JSON, when it is uploaded (optional)
    :param scope_territory_id: territory id (``level:code``); its members are in scope
    :param include: dataset or resource ids/names taken even outside the scope (optional)
    :param exclude: dataset or resource ids/names never taken (optional)
    :param dedup_key: fields identifying a row (default: the schema's primary key)
    :param keep_valid_rows: keep the valid rows of partially invalid files (default true)
    :param notify_owners: e-mail the owners of invalid sources (default false)
    :param schedule: ``manual``, ``daily``, ``weekly`` or ``monthly`` (default manual)
    :param package_id: target dataset in the organization (default: created at first run)
    :returns: the consolidation
    """
    tk.check_access("consolidation_create", context, data_dict)
    data = schema.validate(data_dict, schema.consolidation_create(), context)
    consolidation = Consolidation(id=str(uuid.uuid4()))
    _apply(consolidation, data)
    user = model.User.get(context.get("user") or "")
    consolidation.creator_user_id = user.id if user else None
    model.Session.add(consolidation)
    if not context.get("defer_commit"):
        model.Session.commit()
    else:
        model.Session.flush()
    return _dict(consolidation)


def consolidation_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change the fields given of a consolidation (see ``consolidation_create``).

    :param id: id or name of the consolidation
    :returns: the consolidation
    """
    tk.check_access("consolidation_update", context, data_dict)
    data = schema.validate(data_dict, schema.consolidation_update(), context)
    consolidation = Consolidation.get(data.pop("id"))
    if consolidation is None:
        raise tk.ObjectNotFound(tk._("Consolidation not found"))
    _apply(consolidation, data)
    if not context.get("defer_commit"):
        model.Session.commit()
    return _dict(consolidation)


@tk.side_effect_free
def consolidation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A consolidation, its last run with its report, and its recent runs.

    :param id: id or name of the consolidation
    :param runs: how many recent runs to list (default 10, at most 100)
    :returns: the consolidation with ``last_run`` (with ``report``) and ``runs``
    """
    tk.check_access("consolidation_show", context, data_dict)
    data = schema.validate(data_dict, schema.consolidation_show(), context)
    consolidation = Consolidation.get(data["id"])
    if consolidation is None:
        raise tk.ObjectNotFound(tk._("Consolidation not found"))
    return _dict(consolidation, runs=data["runs"] or 1, context=context)


@tk.side_effect_free
def consolidation_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Consolidations, by title.

    :param organization_id: only this organization's (optional)
    :param schema_url: only those of this schema (optional)
    :param q: words in the name or title (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [consolidation, ...]}``
    """
    tk.check_access("consolidation_list", context, data_dict)
    data = schema.validate(data_dict, schema.consolidation_list(), context)
    query = model.Session.query(Consolidation)
    if data.get("organization_id"):
        query = query.filter(Consolidation.organization_id ==
                             _organization(data["organization_id"]).id)
    if data["schema_url"]:
        query = query.filter(Consolidation.schema_url == data["schema_url"])
    if data["q"]:
        like = f"%{data['q']}%"
        query = query.filter(sa.or_(Consolidation.name.ilike(like),
                                    Consolidation.title.ilike(like)))
    count = query.count()
    results = query.order_by(Consolidation.title, Consolidation.name).limit(data["limit"]) \
        .offset(data["offset"]).all()
    return {"count": count, "results": [_dict(item, context=context) for item in results]}


def consolidation_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Run a consolidation: in a background job, or now.

    :param id: id or name of the consolidation
    :param background: queue a job (default true); false runs it during the request
    :returns: the run (``pending`` when queued; else its final state and report)
    """
    tk.check_access("consolidation_run", context, data_dict)
    data = schema.validate(data_dict, schema.consolidation_run(), context)
    consolidation = Consolidation.get(data["id"])
    if consolidation is None:
        raise tk.ObjectNotFound(tk._("Consolidation not found"))
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    busy = (model.Session.query(ConsolidationRun)
            .filter(ConsolidationRun.consolidation_id == consolidation.id,
                    ConsolidationRun.state.in_(("pending", "running")),
                    ConsolidationRun.created > now - _STALE_RUN).first())
    if busy is not None:
        raise tk.ValidationError({"id": [tk._(
            "A run of this consolidation is already under way")]})
    user = model.User.get(context.get("user") or "")
    run = ConsolidationRun(consolidation_id=consolidation.id, state="pending",
                           user_id=user.id if user else None)
    model.Session.add(run)
    model.Session.commit()
    if data["background"]:
        consolidation_jobs.enqueue(consolidation.id, run.id)
        return run.as_dict()
    # Imported when first run (no import circle): the runner's logger is then created
    # after the logging configuration, which disables loggers made before it unless
    # the configuration names ``ckanext`` (ckan.ini.in does; test.ini does not).
    from ckanext.territorial_consolidation.consolidation import run as runner

    return runner.execute(consolidation.id, run.id)


def _verdicts(schema_url: str) -> dict[str, str]:
    """Per resource, its verdict in the latest run of any consolidation of the schema."""
    verdicts: dict[str, str] = {}
    ids = [row.id for row in model.Session.query(Consolidation.id).filter(
        Consolidation.schema_url == schema_url)]
    if not ids:
        return verdicts
    # A failed run's report counts too: one whose files could not be read says so.
    runs = (model.Session.query(ConsolidationRun)
            .filter(ConsolidationRun.consolidation_id.in_(ids),
                    ConsolidationRun.state.in_(("succeeded", "unchanged", "failed")))
            .order_by(ConsolidationRun.created.asc()))
    for run in runs:
        for source in (run.report or {}).get("sources", []):
            verdicts[source["resource_id"]] = source["verdict"]
    return verdicts


@tk.side_effect_free
def territorial_coverage(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """For every commune of a territory: does it publish a valid file of the schema?

    A commune is ``valid`` when one of its public files passed the latest consolidation
    run that read it, ``invalid`` when it publishes files and none passed,
    ``unreachable`` when none passed nor failed because none could be read (a broken
    link, a file gone from the server), ``unknown`` when its files were never validated
    (no consolidation of the schema read them yet), and ``none`` when it publishes no
    file declaring the schema.

    :param schema: Table Schema URL (as declared in ``conforms_to``)
    :param territory: territory id (``level:code``)
    :param limit: communes per page (default 1000, at most 5000)
    :param offset: (default 0)
    :returns: ``{"schema", "territory", "counts": {status: n}, "count": N,
        "results": [{"id", "code", "name", "status", "resources": [...]}, ...]}``
    """
    tk.check_access("territorial_coverage", context, data_dict)
    data = schema.validate(data_dict, schema.territorial_coverage(), context)
    schema_url, offset = data["schema"], data["offset"]
    territory = _territory(data["territory"], "territory")
    members = sources.member_ids(territory["id"])
    communes = sorted((item for item in members.values() if item["level"] == "commune"),
                      key=lambda item: (collation_key(item["name"]), item["code"]))
    verdicts = _verdicts(schema_url)
    published: dict[str, list[dict[str, Any]]] = {}
    for resource, package, territory_id, _provenance in sources.candidates(
            schema_url, members):
        published.setdefault(territory_id or "", []).append({
            "resource_id": resource.id, "resource_name": resource.name or "",
            "package_id": package.id, "package_name": package.name,
            "package_title": package.title or package.name,
            "verdict": verdicts.get(resource.id, "unknown")})
    rows = []
    for commune in communes:
        files = published.get(commune["id"], [])
        if not files:
            status = "none"
        elif any(item["verdict"] == "valid" for item in files):
            status = "valid"
        elif any(item["verdict"] in ("invalid", "partial") for item in files):
            status = "invalid"
        elif any(item["verdict"] == "unreachable" for item in files):
            # A file that could not be read says nothing of its validity.
            status = "unreachable"
        else:
            status = "unknown"
        rows.append({"id": commune["id"], "code": commune["code"], "name": commune["name"],
                     "population": commune.get("population"), "status": status,
                     "resources": files})
    counts = {status: sum(1 for row in rows if row["status"] == status)
              for status in COVERAGE_STATUSES}
    return {"schema": schema_url, "territory": territory, "counts": counts,
            "count": len(rows), "results": rows[offset:offset + data["limit"]]}
