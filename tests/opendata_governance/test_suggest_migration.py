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


def test_downgrade_one_step_drops_the_planned_dataset_table_and_upgrade_restores_it(
        migrate_db_for):
    """Back to the suggestions revision: no planned datasets table; head brings it back."""
    def exists() -> bool:
        return sa.inspect(model.meta.engine).has_table("opendata_governance_planned_dataset")

    assert exists()
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="8d2e5a7c3f61", forward=False)
        assert not exists() and _state() == (True, True)
    finally:
        migrate_db_for("opendata_governance")
    assert exists()


def test_downgrade_one_step_drops_the_progress_page_settings_and_upgrade_restores_them(
        migrate_db_for):
    """Back to the planned datasets revision: no progress columns; head brings them back,
    off for an organization that had settings before."""
    def columns() -> set[str]:
        return {column["name"] for column in sa.inspect(model.meta.engine).get_columns(
            "opendata_governance_organization_setting")} & {
            "progress_public", "progress_planned_titles"}

    assert columns() == {"progress_public", "progress_planned_titles"}
    model.Session.remove()
    try:
        migrate_db_for("opendata_governance", version="a1c9e4f2b803", forward=False)
        assert columns() == set()
        with model.meta.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO opendata_governance_organization_setting "
                "(organization_id, gate_enabled, modified) VALUES ('org-before', true, now())"))
    finally:
        migrate_db_for("opendata_governance")
    assert columns() == {"progress_public", "progress_planned_titles"}
    with model.meta.engine.begin() as connection:
        row = connection.execute(sa.text(
            "SELECT progress_public, progress_planned_titles FROM "
            "opendata_governance_organization_setting WHERE organization_id = 'org-before'"
        )).one()
    assert tuple(row) == (False, False)
