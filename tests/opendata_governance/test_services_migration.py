"""The plugin's alembic migration creates its tables and drops them on downgrade."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS

TABLES = {"opendata_governance_service", "opendata_governance_event"}


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrate_db_for):
    """Downgrading to base removes both tables; upgrading to head re-creates them."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="base", forward=False)
        assert _tables() == set()
    finally:
        migrate_db_for("opendata_governance")
    assert _tables() == TABLES
