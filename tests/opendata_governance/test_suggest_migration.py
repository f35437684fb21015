"""The opening suggestion migration adds the dismissal table and the agent count, and removes them."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS

TABLE = "opendata_governance_opening_dismissal"


def _state() -> tuple[bool, bool]:
    inspector = sa.inspect(model.meta.engine)
    columns = {column["name"] for column in inspector.get_columns(
        "opendata_governance_organization_setting")}
    return inspector.has_table(TABLE), "agent_count" in columns


def test_downgrade_one_step_removes_dismissals_and_agent_count_and_upgrade_restores_them(
        migrate_db_for):
    """Back to the mail outbox revision: no table, no column; head brings both back."""
    assert _state() == (True, True)
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="6f3a9d2c1b47", forward=False)
        assert _state() == (False, False)
    finally:
        migrate_db_for("opendata_governance")
    assert _state() == (True, True)
