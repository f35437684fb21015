"""The data request migration creates its tables and drops them on downgrade."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.reuse_tracker.datarequest_setup import MARKS

pytestmark = MARKS

TABLES = {"reuse_tracker_datarequest", "reuse_tracker_datarequest_vote",
          "reuse_tracker_datarequest_comment", "reuse_tracker_datarequest_follower"}


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrate_db_for):
    """Downgrading past the data request revision removes its tables (feedback stays);
    upgrading re-creates them with the listing's index."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("reuse_tracker", version="c7e9a1b3d5f7", forward=False)
        assert _tables() == set()
        assert sa.inspect(model.meta.engine).has_table("reuse_tracker_feedback")
    finally:
        migrate_db_for("reuse_tracker")
    assert _tables() == TABLES
    indexes = {index["name"] for index in
               sa.inspect(model.meta.engine).get_indexes("reuse_tracker_datarequest")}
    assert "reuse_tracker_datarequest_votes_idx" in indexes
