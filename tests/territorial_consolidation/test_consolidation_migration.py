"""The consolidation migration creates its two tables and drops them on downgrade."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.territorial_consolidation.consolidation_setup import MARKS

pytestmark = MARKS

TABLES = {"territorial_consolidation_consolidation", "territorial_consolidation_run"}


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrate_db_for):
    """Downgrading to the previous revision removes both tables; upgrading re-creates them."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("territorial_consolidation", version="d4f6b8c0e234", forward=False)
        assert _tables() == set()
        assert sa.inspect(model.meta.engine).has_table("territorial_consolidation_provenance")
    finally:
        migrate_db_for("territorial_consolidation")
    assert _tables() == TABLES
