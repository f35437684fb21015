"""The territory migration creates its tables and drops them on downgrade."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.territorial_consolidation.territory_setup import MARKS, load_dep35

pytestmark = MARKS

REVISION = "c3e5a7b9d123"
TABLES = {"territorial_consolidation_territory",
          "territorial_consolidation_organization_territory",
          "territorial_consolidation_responsibility_rule"}


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrate_db_for) -> None:
    """Downgrading to base removes the three tables; upgrading to the revision re-creates them."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("territorial_consolidation", version="base", forward=False)
        assert _tables() == set()
        migrate_db_for("territorial_consolidation", version=REVISION)
        assert _tables() == TABLES
    finally:
        migrate_db_for("territorial_consolidation")
    assert load_dep35()["counts"]["commune"] == 332
