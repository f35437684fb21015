"""Makes PyPI's ckanext-validation 2.2.0 load and run on CKAN 2.11 and 2.12.

Upstream 2.2.0 has two problems on current CKAN:

* ``ValidationPlugin.update_config`` calls ``Validation.__table__.exists()``,
  which SQLAlchemy 1.4 refuses on unbound metadata and 2.0 no longer has, so
  the portal fails to start;
* ``ckan validation init-db`` creates its table with the same removed API.

``apply()`` swaps both functions for ones that ask the database through an
inspector, and ``create_table()`` is what our ``ckan opendata-suite
validation-init-db`` command and the test setup call. The module changes
nothing when ckanext-validation is not installed, and ``apply()`` is a no-op
once upstream ships a release with a working ``tables_exist``. Remove this
module when upstream fixes the two calls.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

import sqlalchemy as sa

__all__ = ["apply", "create_table", "table_exists", "TABLE_NAME"]

log = logging.getLogger(__name__)

TABLE_NAME = "validation"
_APPLIED = False


def _engine() -> Any:
    from ckan.model import meta
    return meta.engine


def table_exists() -> bool:
    """Whether ckanext-validation's table is in the database."""
    engine = _engine()
    if engine is None:
        return False
    return sa.inspect(engine).has_table(TABLE_NAME)


def create_table() -> bool:
    """Create ckanext-validation's table if missing; return True if created."""
    validation_model = importlib.import_module("ckanext.validation.model")
    if table_exists():
        return False
    validation_model.Validation.__table__.create(bind=_engine(), checkfirst=True)
    log.info("ckanext-validation table created")
    return True


def _broken_upstream(validation_model: Any) -> bool:
    try:
        validation_model.tables_exist()
    except Exception:  # upstream raises on unbound metadata / missing API
        return True
    return False


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
