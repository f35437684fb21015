"""Suite-wide pytest setup: our migrations after ``clean_db`` and our factories."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa

import ckan.plugins as p
from ckan import model

pytest_plugins = ["tests.factories"]

#: Plugins of ours, and of the stack, that own alembic migrations, in the
#: order they must be applied.
MIGRATED_PLUGINS = ("postgres_search", "activity", "harvest", "opendata_governance",
                    "reuse_tracker", "territorial_consolidation")


def _has_table(name: str) -> bool:
    return sa.inspect(model.meta.engine).has_table(name)


@pytest.fixture(autouse=True)
def no_solr(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any test that opens a Solr connection: the whole suite runs on postgres_search.

    Core swallows connection errors in places (its start-up check), so the
    attempts are recorded and checked when the test ends, not only raised.
    """
    import pysolr

    attempts: list[str] = []

    def refuse(self: Any, url: str, *args: Any, **kwargs: Any) -> None:
        attempts.append(url)
        raise AssertionError(f"a test tried to reach Solr at {url}")

    monkeypatch.setattr(pysolr.Solr, "__init__", refuse)
    yield attempts
    assert not attempts, f"Solr was contacted: {attempts}"


@pytest.fixture
def clean_db(reset_db: Callable[[], None],
             migrate_db_for: Callable[[str], None]) -> None:
    """Reset core's tables, then bring back the tables our plugins own.

    Core's first reset drops every table it can reflect, ours included, and
    later resets only empty core's tables; so tables are re-created when
    missing and the search index, which lives in PostgreSQL, is emptied.
    """
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        if p.plugin_loaded(plugin) and not _has_table(f"{plugin}_alembic_version"):
            migrate_db_for(plugin)
    if p.plugin_loaded("validation"):
        from ckanext.suite import validation_compat
        validation_compat.create_table()
    if _has_table("postgres_search_document"):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE postgres_search_document"))
    model.Session.remove()
