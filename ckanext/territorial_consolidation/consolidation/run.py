"""One consolidation run, from the schema to the published file, recorded with its report."""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite import safe_http
from ckanext.suite.rows import utcnow
from ckanext.territorial_consolidation.consolidation import (engine, failures, publisher,
                                                            sources)
from ckanext.territorial_consolidation.consolidation.schema import SchemaError, load_schema
from ckanext.territorial_consolidation.model.consolidation import (
    Consolidation, ConsolidationRun)

__all__ = ["load", "workdir", "previous_state", "execute", "ALLOWLIST_OPTION"]

log = logging.getLogger(__name__)

ALLOWLIST_OPTION = "ckanext.territorial_consolidation.consolidation_allowlist"


def workdir(consolidation_id: str) -> str:
    """Where a consolidation keeps its per-source caches and builds its new file."""
    root = tk.config.get("ckan.storage_path") or "/tmp"
    path = os.path.join(root, "territorial_consolidation", consolidation_id)
    os.makedirs(path, exist_ok=True)
    return path


def load(consolidation: Consolidation):  # type: ignore[no-untyped-def]
    """The consolidation's schema: uploaded, else fetched from its URL."""
    return load_schema(consolidation.schema_url, consolidation.schema_json,
                       allowlist=safe_http.allowlist_from_config(ALLOWLIST_OPTION),
                       timeout=tk.config["ckanext.territorial_consolidation.consolidation_timeout"])


def previous_state(consolidation_id: str) -> dict[str, Any]:
    """The source state of the last run that published or confirmed the file."""
    run = (model.Session.query(ConsolidationRun)
           .filter(ConsolidationRun.consolidation_id == consolidation_id,
                   ConsolidationRun.state.in_(("succeeded", "unchanged")))
           .order_by(ConsolidationRun.created.desc()).first())
    return dict(run.sources_state or {}) if run else {}


def _prune(consolidation_id: str) -> None:
    keep = tk.config["ckanext.territorial_consolidation.consolidation_history"]
    old = (model.Session.query(ConsolidationRun.id)
           .filter(ConsolidationRun.consolidation_id == consolidation_id)
           .order_by(ConsolidationRun.created.desc()).offset(keep).all())
    if old:
        model.Session.query(ConsolidationRun).filter(
            ConsolidationRun.id.in_([row.id for row in old])).delete(synchronize_session=False)


def _failed(run: ConsolidationRun, error: Exception,
            result: Optional[engine.Result]) -> ConsolidationRun:
    """The run marked failed, its new file removed, with a reason visitors may read: the
    detail (paths, errors' texts) goes to the log only."""
    if result is not None and result.output and os.path.exists(result.output):
        os.unlink(result.output)
    run.state = "failed"
    if isinstance(error, SchemaError):
        log.warning("consolidation %s: schema unavailable: %s", run.consolidation_id, error)
        run.error = tk._("Schema unavailable: it could not be fetched or is not a "
                         "valid Table Schema.")
    elif isinstance(error, failures.NothingRead) and result is not None:
        run.error = failures.run_error(error, result.report["sources_found"])
    else:
        log.exception("consolidation %s failed", run.consolidation_id)
        run.error = failures.run_error(error)
    if result is not None:
        run.report = result.report
    return run


def execute(consolidation_id: str, run_id: Optional[str] = None,
            progress: Optional[Callable[[int, int], None]] = None) -> dict[str, Any]:
    """Run a consolidation now; returns the run. A failure is recorded, never half-published."""
    consolidation = Consolidation.get(consolidation_id)
    if consolidation is None:
        raise tk.ObjectNotFound(tk._("Consolidation not found"))
    run = model.Session.get(ConsolidationRun, run_id) if run_id else None
    if run is None:
        run = ConsolidationRun(consolidation_id=consolidation.id)
        model.Session.add(run)
    run.state, run.started, run.error = "running", utcnow(), None
    model.Session.commit()
    result = None
    try:
        schema = load(consolidation)
        members = sources.member_ids(consolidation.scope_territory_id)
        found = sources.find_sources(
            schema.url or consolidation.schema_url, members,
            include=consolidation.include or [], exclude=consolidation.exclude or [],
            skip_package_ids=[consolidation.package_id] if consolidation.package_id else [],
            max_bytes=tk.config["ckanext.territorial_consolidation.consolidation_max_bytes"],
            timeout=tk.config["ckanext.territorial_consolidation.consolidation_timeout"],
            allowlist=safe_http.allowlist_from_config(ALLOWLIST_OPTION))
        options = engine.Options(
            key=list(consolidation.dedup_key or schema.primary_key),
            keep_valid_rows=consolidation.keep_valid_rows)
        result = engine.consolidate(schema, found, workdir(consolidation.id),
                                    previous_state(consolidation.id), options, progress)
        if result.report["sources_found"] and \
                result.report["sources_unreachable"] == result.report["sources_found"]:
            # An empty file in place of the last one would be no consolidation.
            raise failures.NothingRead()
        if result.output:
            resource = publisher.publish(consolidation, schema, result.output)
            run.resource_id = resource["id"]
            run.state = "succeeded"
        else:
            run.resource_id = (model.Session.query(ConsolidationRun.resource_id)
                               .filter(ConsolidationRun.consolidation_id == consolidation.id,
                                       ConsolidationRun.resource_id.isnot(None))
                               .order_by(ConsolidationRun.created.desc()).limit(1).scalar())
            run.state = "unchanged"
        if consolidation.notify_owners:
            from ckanext.territorial_consolidation.consolidation import notify

            result.report["owners_notified"] = notify.notify_owners(consolidation,
                                                                    result.report)
        run.report = result.report
        run.sources_state = result.state
    except Exception as error:  # recorded on the run: the previous file stays in place
        model.Session.rollback()
        run = _failed(model.Session.get(ConsolidationRun, run.id), error, result)
        consolidation = Consolidation.get(consolidation_id)
    run.finished = utcnow()
    _prune(consolidation.id)
    model.Session.commit()
    return run.as_dict()
