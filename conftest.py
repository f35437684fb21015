"""Suite-wide pytest setup: our migrations after ``clean_db`` and our factories."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa

from tests import session_caches
from tests.portal import reset_portal

pytest_plugins = ["tests.factories"]


def pytest_configure(config: pytest.Config) -> None:
    """Cache what CKAN re-reads on each plugin reload and app build (tests/session_caches.py)."""
    session_caches.install()


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
    """Reset core's tables, then bring back the tables our plugins own (tests/portal.py)."""
    reset_portal(reset_db, migrate_db_for)


@pytest.fixture
def clean_datastore(clean_db: None) -> None:
    """After ``clean_db``, drop the resources' tables of the DataStore database (not the
    DataStore's own, whose names start with ``_``): the DataStore plugin must be loaded."""
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().begin() as conn:
        tables = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        for table in tables:
            if table.startswith("_"):
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
            else:
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
