"""Makes PyPI's ckanext-validation 2.2.0 load and run on CKAN 2.11 and 2.12.

Upstream 2.2.0 has three problems on current CKAN:

* ``ValidationPlugin.update_config`` calls ``Validation.__table__.exists()``,
  which SQLAlchemy 1.4 refuses on unbound metadata and 2.0 no longer has, so
  the portal fails to start;
* ``ckan validation init-db`` creates its table with the same removed API;
* on CKAN 2.12 every resource creation fails, because its resource hook
  reads ``ckan.lib.uploader.ALLOWED_UPLOAD_TYPES`` and
  ``_get_underlying_file``, which 2.12 removed.

``apply()`` swaps the two table functions for ones that ask the database
through an inspector (so ``ckan validation init-db`` works again), and gives
2.12's uploader module the two names back, with the meaning they had in 2.11.
``create_table()`` is what the test setup calls. The module changes nothing
when ckanext-validation is not installed. Remove it when upstream fixes these
calls.

Two more are met by validating through the queue:

* its resource hooks start the job through ``resource_validation_run``, which reads
  the resource as the anonymous user whatever the caller: outside a web request (a
  job, the CLI, a harvest) every change of a private dataset's file fails with
  NotAuthorized. ``apply()`` replaces the hooks' ``run_async_validation`` with
  :func:`start_validation`, which resets the report and queues the job itself;
* on CKAN 2.10 and later a resource made by ``resource_create`` is never validated,
  because upstream queues it from ``IPackageController.after_update``, a hook CKAN
  no longer calls. The governance plugin calls :func:`start_validation` after a
  creation (ckanext/opendata_governance/schema_validation.py).

Not a CKAN incompatibility but a hole: its job downloads a remote resource with plain
``requests``, any address and any size. :func:`guard_sources` gives it a copy fetched
the suite's way instead.
"""
from __future__ import annotations

import contextlib
import importlib
import logging
from typing import Any, Callable, ContextManager, Optional

import sqlalchemy as sa

__all__ = ["apply", "create_table", "create_table_at", "table_exists", "TABLE_NAME",
           "supported_formats", "run_mode", "queue_after_update", "start_validation",
           "mark_outdated", "validate_now", "guard_sources"]

log = logging.getLogger(__name__)

TABLE_NAME = "validation"
_APPLIED = False


def _engine() -> Any:
    from ckan.model import meta
    return meta.engine


def table_exists() -> bool:
    """Whether ckanext-validation's table is in the database."""
    engine = _engine()
    if engine is not None:
        return sa.inspect(engine).has_table(TABLE_NAME)
    # Plugins are configured before core binds its engine; a short-lived one
    # answers the start-up check instead of a false "run init-db" alarm.
    from ckan.common import config
    url = config.get("sqlalchemy.url")
    if not url:
        return False
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).has_table(TABLE_NAME)
    finally:
        engine.dispose()


def create_table() -> bool:
    """Create ckanext-validation's table if missing; return True if created."""
    validation_model = importlib.import_module("ckanext.validation.model")
    if table_exists():
        return False
    validation_model.Validation.__table__.create(bind=_engine(), checkfirst=True)
    log.info("ckanext-validation table created")
    return True


def create_table_at(url: str) -> bool:
    """Create ckanext-validation's table in the database at ``url`` if missing, without
    loading CKAN's plugins; return True if created.

    What ``make run`` does first on a new database, so that no command afterwards logs
    the plugin's "requires a database setup" alarm (``ckan validation init-db`` itself
    loads the plugins, and would log it once).
    """
    validation_model = importlib.import_module("ckanext.validation.model")
    engine = sa.create_engine(url)
    try:
        if sa.inspect(engine).has_table(TABLE_NAME):
            return False
        validation_model.Validation.__table__.create(bind=engine, checkfirst=True)
        return True
    finally:
        engine.dispose()


def _broken_upstream(validation_model: Any) -> bool:
    try:
        validation_model.tables_exist()
    except Exception:  # upstream raises on unbound metadata / missing API
        return True
    return False


def _underlying_file(wrapper: Any) -> Any:
    return getattr(wrapper, "stream", None) or wrapper.file


def _restore_uploader_names() -> None:
    uploader = importlib.import_module("ckan.lib.uploader")
    if not hasattr(uploader, "ALLOWED_UPLOAD_TYPES"):
        from werkzeug.datastructures import FileStorage
        uploader.ALLOWED_UPLOAD_TYPES = (FileStorage,)
    if not hasattr(uploader, "_get_underlying_file"):
        uploader._get_underlying_file = _underlying_file


def supported_formats() -> list[str]:
    """The resource formats ckanext-validation validates (``ckanext.validation.formats``)."""
    settings = importlib.import_module("ckanext.validation.settings")
    return list(settings.get_supported_formats())


def run_mode(event: str) -> Optional[str]:
    """How ckanext-validation runs on a resource ``"create"`` or ``"update"``: ``"async"``
    (its job, through the queue), ``"sync"`` or None (not at all)."""
    settings = importlib.import_module("ckanext.validation.settings")
    if event == "create":
        return settings.get_create_mode_from_config()
    return settings.get_update_mode_from_config()


def queue_after_update(resource_id: str) -> None:
    """Have ckanext-validation's own ``after_resource_update`` hook start its job for
    this resource, as it does when it sees a new file: the one way in that never
    starts the job twice for one update (upstream decides in its
    ``before_resource_update``, which runs before the governance plugin's)."""
    plugin = importlib.import_module("ckanext.validation.plugin")
    plugin.ValidationPlugin.resources_to_validate[resource_id] = True


def mark_outdated(resource_id: str) -> None:
    """Set the resource's report back to ``created`` (not committed), as a new run will."""
    from ckan import model
    validation_model = importlib.import_module("ckanext.validation.model")
    row = model.Session.query(validation_model.Validation).filter_by(
        resource_id=resource_id).first()
    if row is not None:
        row.status = "created"


def start_validation(resource_id: str) -> None:
    """Reset the resource's report to ``created`` and queue ckanext-validation's job on
    it (the job reads the resource as the site user)."""
    import datetime as dt

    from ckan import model
    from ckan.plugins import toolkit as tk
    validation_model = importlib.import_module("ckanext.validation.model")
    validation_jobs = importlib.import_module("ckanext.validation.jobs")
    row = model.Session.query(validation_model.Validation).filter_by(
        resource_id=resource_id).first()
    if row is None:
        row = validation_model.Validation(resource_id=resource_id)
        model.Session.add(row)
    row.status, row.report, row.error, row.finished = "created", None, None, None
    row.created = dt.datetime.utcnow()
    # Committed before queuing, so that a worker never finds the previous report.
    model.Session.commit()
    tk.enqueue_job(validation_jobs.run_validation_job, [resource_id],
                   title="ckanext-validation of {}".format(resource_id))


def validate_now(resource_id: str) -> None:
    """Run ckanext-validation's job on the resource in this process, as the jobs worker
    would: for a command that cannot wait for a worker (the demo loader signs its
    datasets off before any worker runs)."""
    validation_jobs = importlib.import_module("ckanext.validation.jobs")
    validation_jobs.run_validation_job(resource_id)


_SOURCE_OPENER: Optional[Callable[[str], ContextManager[str]]] = None


def guard_sources(opener: Callable[[str], ContextManager[str]]) -> None:
    """Have ckanext-validation's job read an http(s) resource through ``opener`` (a
    context manager giving the path of a local copy) instead of its own requests, which
    follow any address with no size or time limit; the opener's refusal is recorded as
    the job's error, as upstream records a source it cannot read."""
    global _SOURCE_OPENER
    _SOURCE_OPENER = opener
    try:
        jobs = importlib.import_module("ckanext.validation.jobs")
    except ImportError:
        return
    if getattr(jobs._validate_table, "guarded", False):
        return
    original = jobs._validate_table

    def _validate_table(source: Any, _format: str = "csv", schema: Any = None,
                        **options: Any) -> Any:
        remote = isinstance(source, str) and source.lower().startswith(("http://", "https://"))
        if not remote or _SOURCE_OPENER is None:
            return original(source, _format=_format, schema=schema, **options)
        copies = contextlib.ExitStack()
        try:
            path = copies.enter_context(_SOURCE_OPENER(source))
        except Exception as error:  # noqa: BLE001 (any refusal is the job's error)
            return {"errors": [str(error)]}
        with copies:
            return original(path, _format=_format, schema=schema, **options)

    _validate_table.guarded = True  # type: ignore[attr-defined]
    jobs._validate_table = _validate_table


def apply() -> None:
    """Patch ckanext-validation in place, if it is installed and still broken."""
    global _APPLIED
    if _APPLIED:
        return
    try:
        validation_model = importlib.import_module("ckanext.validation.model")
    except ImportError:
        return
    _APPLIED = True
    _restore_uploader_names()
    importlib.import_module("ckanext.validation.utils").run_async_validation = start_validation
    if not _broken_upstream(validation_model):
        return

    def _create_tables() -> None:
        create_table()

    validation_model.tables_exist = table_exists
    validation_model.create_tables = _create_tables
    # Both modules bound the names at import time.
    for name in ("ckanext.validation.plugin", "ckanext.validation.common"):
        module = importlib.import_module(name)
        if hasattr(module, "tables_exist"):
            module.tables_exist = table_exists
        if hasattr(module, "create_tables"):
            module.create_tables = _create_tables
    log.debug("ckanext-validation compatibility layer applied")


if __name__ == "__main__":
    import sys

    created = create_table_at(sys.argv[1])
    print("ckanext-validation table " + ("created" if created else "already there"))
