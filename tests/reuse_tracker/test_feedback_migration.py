"""The feedback migration creates its tables and drops them on downgrade."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.reuse_tracker.feedback_setup import MARKS

pytestmark = MARKS

TABLES = {"reuse_tracker_feedback", "reuse_tracker_feedback_note",
          "reuse_tracker_feedback_rating"}


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrate_db_for):
    """Downgrading past the feedback revision removes its tables; upgrading re-creates them."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("reuse_tracker", version="a1c3e5f7b901", forward=False)
        assert _tables() == set()
        assert sa.inspect(model.meta.engine).has_table("reuse_tracker_reuse")
    finally:
        migrate_db_for("reuse_tracker")
    assert _tables() == TABLES
