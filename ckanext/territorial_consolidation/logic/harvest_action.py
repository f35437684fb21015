"""Harvest actions: preview of a partner portal, job reports, provenance of a dataset."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.territorial_consolidation.harvesters.http import HarvestFetchError
from ckanext.territorial_consolidation.logic import harvest_auth, schema
from ckanext.territorial_consolidation.model.harvest import HarvestRun, Provenance

#: One action per auth function of harvest_auth, of the same name.
__all__ = harvest_auth.__all__


def _harvester(source_type: str) -> Any:
    """The loaded territorial harvester of this source type, or a ValidationError."""
    from ckanext.harvest.interfaces import IHarvester
    from ckanext.territorial_consolidation.harvesters.base import TerritorialHarvester

    for harvester in p.PluginImplementations(IHarvester):
        if isinstance(harvester, TerritorialHarvester) and \
                harvester.info()["name"] == source_type:
            return harvester
    raise tk.ValidationError({"source_type": [
        tk._("No territorial harvester of this type is enabled: {type}").format(
            type=source_type)]})


def _source(value: str) -> Any:
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(value) if value else None
    if source is None and value:
        package = model.Package.get(value)
        source = HarvestSource.get(package.id) if package is not None else None
    if source is None:
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    return source


@tk.side_effect_free
def territorial_harvest_preview(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The first remote datasets of a partner portal as the harvest would write them;
    nothing is written.

    Either ``id`` of an existing harvest source, or ``url``, ``source_type`` and
    ``config`` of a source being configured.

    :param id: harvest source id or name
    :param url: partner portal URL (without ``id``)
    :param source_type: harvester name, e.g. ``territorial_ckan`` (without ``id``)
    :param config: source configuration, JSON text (without ``id``)
    :param owner_org: organization the new source would belong to (without ``id``)
    :param limit: number of datasets (default 10, at most 50)
    :returns: ``{"count": N, "results": [package dicts]}``
    """
    tk.check_access("territorial_harvest_preview", context, data_dict)
    data = schema.validate(data_dict, schema.harvest_preview(), context)
    if data.get("id"):
        source = _source(data["id"])
        url, source_type, config = source.url, source.type, source.config
    else:
        missing = {key: [tk._("Missing value")] for key in ("url", "source_type")
                   if not data.get(key)}
        if missing:
            raise tk.ValidationError(missing)
        url, source_type, config = data["url"], data["source_type"], data.get("config")
    harvester = _harvester(source_type)
    try:
        parsed = harvester.parse_config(config)
    except ValueError as error:
        raise tk.ValidationError({"config": [str(error)]})
    try:
        results = harvester.preview(url, parsed, data["limit"])
    except HarvestFetchError as error:
        raise tk.ValidationError({"url": [str(error)]})
    return {"count": len(results), "results": results}


def _job_counts(job_ids: list[str]) -> dict[str, dict[str, int]]:
    from ckanext.harvest.model import HarvestGatherError, HarvestObject

    counts: dict[str, dict[str, int]] = {
        job_id: {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "errors": 0,
                 "missing": 0} for job_id in job_ids}
    names = {"added": "added", "updated": "updated", "not modified": "unchanged",
             "deleted": "withdrawn", "errored": "errors"}
    rows = (model.Session.query(HarvestObject.harvest_job_id, HarvestObject.report_status,
                                sa.func.count())
            .filter(HarvestObject.harvest_job_id.in_(job_ids))
            .group_by(HarvestObject.harvest_job_id, HarvestObject.report_status))
    for job_id, status, count in rows:
        if status in names:
            counts[job_id][names[status]] += count
    for job_id, count in (model.Session.query(HarvestGatherError.harvest_job_id,
                                              sa.func.count())
                          .filter(HarvestGatherError.harvest_job_id.in_(job_ids))
                          .group_by(HarvestGatherError.harvest_job_id)):
        counts[job_id]["errors"] += count
    for run in model.Session.query(HarvestRun).filter(HarvestRun.harvest_job_id.in_(job_ids)):
        counts[run.harvest_job_id]["unchanged"] += run.unchanged
        counts[run.harvest_job_id]["missing"] = run.missing
    return counts


def _job_errors(job_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError

    errors: dict[str, list[dict[str, Any]]] = {job_id: [] for job_id in job_ids}
    for error in (model.Session.query(HarvestGatherError)
                  .filter(HarvestGatherError.harvest_job_id.in_(job_ids))
                  .order_by(HarvestGatherError.created)):
        errors[error.harvest_job_id].append(
            {"stage": "gather", "remote_id": None, "message": error.message,
             "created": error.created.isoformat()})
    for error, job_id, guid in (
            model.Session.query(HarvestObjectError, HarvestObject.harvest_job_id,
                                HarvestObject.guid)
            .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
            .filter(HarvestObject.harvest_job_id.in_(job_ids))
            .order_by(HarvestObjectError.created)):
        errors[job_id].append({"stage": (error.stage or "").lower(), "remote_id": guid,
                               "message": error.message,
                               "created": error.created.isoformat()})
    return errors


def _iso(value: Optional[Any]) -> Optional[str]:
    return value.isoformat() if value is not None else None


@tk.side_effect_free
def territorial_harvest_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The last jobs of a harvest source, newest first, with their counts and errors.

    :param id: harvest source id or name
    :param limit: jobs per page (default 10, at most 100)
    :param offset: jobs to skip
    :returns: ``{"count": N, "results": [{"id", "status", "created", "gather_started",
        "gather_finished", "finished", "complete", "counts": {"added", "updated",
        "unchanged", "withdrawn", "errors", "missing"}, "errors": [{"stage", "remote_id",
        "message", "created"}]}]}``
    """
    tk.check_access("territorial_harvest_report", context, data_dict)
    data = schema.validate(data_dict, schema.harvest_report(), context)
    from ckanext.harvest.model import HarvestJob

    source = _source(data["id"])
    query = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source.id)
    count = query.count()
    jobs = (query.order_by(HarvestJob.created.desc())
            .offset(data["offset"]).limit(data["limit"]).all())
    job_ids = [job.id for job in jobs]
    counts = _job_counts(job_ids) if job_ids else {}
    errors = _job_errors(job_ids) if job_ids else {}
    runs = {run.harvest_job_id: run for run in
            model.Session.query(HarvestRun).filter(HarvestRun.harvest_job_id.in_(job_ids))} \
        if job_ids else {}
    results = []
    for job in jobs:
        run = runs.get(job.id)
        results.append({
            "id": job.id, "status": job.status, "created": _iso(job.created),
            "gather_started": _iso(job.gather_started),
            "gather_finished": _iso(job.gather_finished), "finished": _iso(job.finished),
            "complete": bool(run and run.complete), "counts": counts[job.id],
            "errors": errors[job.id],
        })
    return {"count": count, "source": {"id": source.id, "url": source.url,
                                       "title": source.title, "type": source.type},
            "results": results}


@tk.side_effect_free
def territorial_provenance_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Where a harvested dataset comes from.

    :param id: dataset id or name
    :returns: ``{"package_id", "harvest_source_id", "portal_kind", "portal_url",
        "remote_id", "remote_url", "identifier", "remote_modified", "territory_code",
        "territorial_level", "harvested", "missing_since", "withdrawn",
        "canonical_package_id", "duplicate_reason"}``
    """
    tk.check_access("territorial_provenance_show", context, data_dict)
    data = schema.validate(data_dict, schema.provenance_show(), context)
    package = model.Package.get(data["id"])
    provenance = Provenance.get(package.id) if package is not None else None
    if provenance is None:
        raise tk.ObjectNotFound(tk._("This dataset was not harvested"))
    return _provenance_dict(provenance)


@tk.side_effect_free
def territorial_provenance_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Where each of these datasets comes from, in one query: the DCAT catalogue's page.

    :param ids: dataset ids (not names), at most 1,000
    :returns: ``{package id: provenance}`` for those harvested, each provenance as
        ``territorial_provenance_show`` gives it; datasets not harvested are left out
    """
    tk.check_access("territorial_provenance_list", context, data_dict)
    data = schema.validate(data_dict, schema.provenance_list(), context)
    if not data["ids"]:
        return {}
    rows = model.Session.query(Provenance).filter(
        Provenance.package_id.in_(data["ids"])).all()
    return {row.package_id: _provenance_dict(row) for row in rows}


def _provenance_dict(provenance: Provenance) -> dict[str, Any]:
    return {
        "package_id": provenance.package_id,
        "harvest_source_id": provenance.harvest_source_id,
        "portal_kind": provenance.portal_kind, "portal_url": provenance.portal_url,
        "remote_id": provenance.remote_id, "remote_url": provenance.remote_url,
        "identifier": provenance.identifier,
        "remote_modified": _iso(provenance.remote_modified),
        "territory_code": provenance.territory_code,
        "territorial_level": provenance.territorial_level,
        "harvested": _iso(provenance.harvested),
        "missing_since": _iso(provenance.missing_since),
        "withdrawn": _iso(provenance.withdrawn),
        "canonical_package_id": provenance.canonical_package_id,
        "duplicate_reason": provenance.duplicate_reason,
    }
