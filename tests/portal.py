"""Resetting the test portal, and loading plugins for set-up shared by a module's tests."""
from __future__ import annotations

import contextlib
import copy
import os
import sys
from typing import Callable, Iterator, Mapping, Optional

import sqlalchemy as sa

import ckan.plugins as p
from ckan import model
from ckan.common import config

#: Plugins of ours, and of the stack, that own alembic migrations, in the
#: order they must be applied; ckanext-harvest's tables follow its model instead
#: (``_harvest_tables``), and no other migration refers to them.
MIGRATED_PLUGINS = ("postgres_search", "activity", "opendata_governance",
                    "reuse_tracker", "territorial_consolidation")


def _has_table(name: str) -> bool:
    return sa.inspect(model.meta.engine).has_table(name)


def reset_portal(reset_db: Callable[[], None], migrate_db_for: Callable[[str], None]) -> None:
    """Reset core's tables, then bring back the tables our loaded plugins own.

    Core's first reset drops every table it can reflect, ours included, and
    later resets only empty core's tables; so tables are re-created when
    missing and the search index, which lives in PostgreSQL, is emptied.
    """
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        if p.plugin_loaded(plugin) and not _has_table(f"{plugin}_alembic_version"):
            migrate_db_for(plugin)
    _harvest_tables()
    if p.plugin_loaded("validation"):
        from ckanext.suite import validation_compat
        validation_compat.create_table()
    if _has_table("postgres_search_document"):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE postgres_search_document"))
    model.Session.remove()


def _harvest_tables() -> None:
    """ckanext-harvest's tables, with its own migrations, whenever its model is imported:
    by loading the plugin, or by a test module pytest collected. Once imported, the
    model ties every dataset to its harvest objects, so purging a dataset reads
    ``harvest_object`` even in a test that does not load the plugin; CKAN's
    ``migrate_db_for`` only migrates a loaded plugin."""
    if "ckanext.harvest.model" not in sys.modules or _has_table("harvest_alembic_version"):
        return
    import ckanext.harvest

    original = model.repo._alembic_ini
    model.repo._alembic_ini = os.path.join(
        os.path.dirname(ckanext.harvest.__file__), "migration", "harvest", "alembic.ini")
    try:
        model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original


@contextlib.contextmanager
def plugins_loaded(plugins: str, options: Optional[Mapping[str, str]] = None) -> Iterator[None]:
    """These plugins loaded, with these config options, as CKAN's ``with_plugins`` and
    ``ckan_config`` mark load them for one test, for set-up that several tests of a
    module share (a module-scoped fixture)."""
    original = copy.deepcopy(config)
    config["ckan.plugins"] = plugins
    config.update(options or {})
    p.load_all()
    try:
        yield
    finally:
        # What each CKAN version's with_plugins does after a test.
        getattr(p, "unload_non_system_plugins", p.unload_all)()
        config.clear()
        config.update(original)
