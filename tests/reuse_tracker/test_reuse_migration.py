"""The reuse tables' alembic revision: upgrade builds what the model maps, downgrade drops it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model

from ckanext.reuse_tracker.model import Reuse, ReuseDataset
from tests.reuse_tracker.reuse_setup import MARKS

pytestmark = MARKS

TABLES = {"reuse_tracker_reuse", "reuse_tracker_reuse_dataset"}
REVISION = "a1c3e5f7b901"


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def _columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(model.meta.engine).get_columns(table)}


def test_upgraded_tables_match_the_model():
    """Every column the model maps exists in the migrated tables, with no foreign key into core."""
    for mapped in (Reuse.__table__, ReuseDataset.__table__):
        assert _columns(mapped.name) == {column.name for column in mapped.columns}
    keys = sa.inspect(model.meta.engine).get_foreign_keys("reuse_tracker_reuse_dataset")
    assert [key["referred_table"] for key in keys] == ["reuse_tracker_reuse"]
    assert sa.inspect(model.meta.engine).get_foreign_keys("reuse_tracker_reuse") == []


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrate_db_for):
    """Downgrading to base removes both reuse tables; upgrading to head re-creates them."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("reuse_tracker", version="base", forward=False)
        assert _tables() == set()
    finally:
        migrate_db_for("reuse_tracker")
    assert _tables() == TABLES


def test_url_is_unique_in_the_database():
    """The database itself refuses a second reuse with the same URL."""
    insert = sa.text(
        "INSERT INTO reuse_tracker_reuse (id, name, title, url, type, created, modified) "
        "VALUES (:id, :name, 't', 'https://a.example', 'api', now(), now())")
    with model.meta.engine.connect() as conn:
        trans = conn.begin()
        conn.execute(insert, {"id": "1", "name": "a"})
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin_nested():
                conn.execute(insert, {"id": "2", "name": "b"})
        trans.rollback()


LISTING_INDEXES = {"reuse_tracker_reuse_state_id_idx", "reuse_tracker_reuse_listing_idx",
                   "reuse_tracker_reuse_dataset_package_reuse_idx"}


def _indexes() -> set[str]:
    # pg_indexes, not the inspector: SQLAlchemy skips expression indexes when reflecting.
    with model.meta.engine.connect() as conn:
        return {row[0] for row in conn.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(:tables)"),
            {"tables": sorted(TABLES)})}


def test_listing_indexes_come_and_go_with_their_revision(migrate_db_for):
    """The reuse-block indexes exist at head, and downgrading their one revision drops them."""
    assert LISTING_INDEXES <= _indexes()
    model.Session.remove()
    try:
        migrate_db_for("reuse_tracker", version="b2d4f6a8c012", forward=False)
        assert not LISTING_INDEXES & _indexes()
        assert "reuse_tracker_reuse_dataset_package_id_idx" in _indexes()
    finally:
        migrate_db_for("reuse_tracker")
    assert LISTING_INDEXES <= _indexes()
