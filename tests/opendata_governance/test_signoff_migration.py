"""The sign-off migration creates the review, reviewer and setting tables and drops them."""
from __future__ import annotations

import sqlalchemy as sa

from ckan import model

from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS

TABLES = {"opendata_governance_review", "opendata_governance_reviewer",
          "opendata_governance_organization_setting"}


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def test_downgrade_one_step_drops_the_sign_off_tables_and_upgrade_restores_them(
        migrate_db_for):
    """Going back to the reminder revision removes the three tables; head brings them back."""
    assert _tables() == TABLES
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="7c1d4e8b2a95", forward=False)
        assert _tables() == set()
    finally:
        migrate_db_for("opendata_governance")
    assert _tables() == TABLES


def test_downgrade_one_step_drops_the_checklists_and_upgrade_restores_them(migrate_db_for):
    """Back to the planned datasets revision: no checklist table, no items kept with a
    review; head brings both back."""
    def state() -> tuple[bool, bool]:
        inspector = sa.inspect(model.meta.engine)
        columns = {column["name"] for column in
                   inspector.get_columns("opendata_governance_review")}
        return (inspector.has_table("opendata_governance_checklist_item"),
                "checklist_items" in columns)

    assert state() == (True, True)
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="c5e1b7d9f2a4", forward=False)
        assert state() == (False, False)
    finally:
        migrate_db_for("opendata_governance")
    assert state() == (True, True)
