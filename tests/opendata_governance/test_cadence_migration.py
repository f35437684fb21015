"""The reminder table's migration: downgrade drops it, upgrade brings it back."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS

TABLE = "opendata_governance_reminder"


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names())


def test_downgrade_drops_the_reminder_table_and_upgrade_restores_it(migrate_db_for):
    """Downgrading one revision removes only the reminder table; upgrading re-creates it."""
    assert TABLE in _tables()
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="3b7e2f9a1c04", forward=False)
        tables = _tables()
        assert TABLE not in tables
        assert {"opendata_governance_service", "opendata_governance_event"} <= tables
    finally:
        migrate_db_for("opendata_governance")
    assert TABLE in _tables()
