"""The check result migration creates its table and drops it."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS

TABLE = "opendata_governance_check_result"


def _exists() -> bool:
    return sa.inspect(model.meta.engine).has_table(TABLE)


def test_downgrade_one_step_drops_the_check_result_table_and_upgrade_restores_it(
        migrate_db_for):
    """Going back to the sign-off revision removes the table; head brings it back."""
    assert _exists()
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="9a4f2c6d8e13", forward=False)
        assert not _exists()
    finally:
        migrate_db_for("opendata_governance")
    assert _exists()
