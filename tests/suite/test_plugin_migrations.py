"""Each plugin revision that creates tables drops them on downgrade and creates them
again on upgrade, leaving the tables of earlier revisions alone. The revisions that also
move data have tests of their own (sign-off, suggestions, reuses, territories)."""
from __future__ import annotations

from typing import Optional

import pytest
import sqlalchemy as sa

from ckan import model

from tests.opendata_governance import services_setup
from tests.reuse_tracker import datarequest_setup, feedback_setup
from tests.territorial_consolidation import consolidation_setup


def _config(marks: list[pytest.MarkDecorator]) -> list[pytest.MarkDecorator]:
    """The plugins and settings of each plugin's tests (a parameter takes no fixtures)."""
    return [mark for mark in marks if mark.name == "ckan_config"]


GOVERNANCE = _config(services_setup.MARKS)
FEEDBACK = _config(feedback_setup.MARKS)
DATAREQUESTS = _config(datarequest_setup.MARKS)
CONSOLIDATION = _config(consolidation_setup.MARKS)

CASES = [
    # plugin, revision to go back to, the tables it drops, tables of earlier revisions,
    # an index the upgrade must create again (table, name)
    pytest.param("opendata_governance", "base",
                 {"opendata_governance_service", "opendata_governance_event"}, set(), None,
                 marks=GOVERNANCE, id="services"),
    pytest.param("opendata_governance", "3b7e2f9a1c04", {"opendata_governance_reminder"},
                 {"opendata_governance_service", "opendata_governance_event"}, None,
                 marks=GOVERNANCE, id="reminders"),
    pytest.param("opendata_governance", "9a4f2c6d8e13", {"opendata_governance_check_result"},
                 {"opendata_governance_review"}, None, marks=GOVERNANCE, id="check-results"),
    pytest.param("reuse_tracker", "a1c3e5f7b901",
                 {"reuse_tracker_feedback", "reuse_tracker_feedback_note",
                  "reuse_tracker_feedback_rating"}, {"reuse_tracker_reuse"}, None,
                 marks=FEEDBACK, id="feedback"),
    pytest.param("reuse_tracker", "c7e9a1b3d5f7",
                 {"reuse_tracker_datarequest", "reuse_tracker_datarequest_vote",
                  "reuse_tracker_datarequest_comment", "reuse_tracker_datarequest_follower"},
                 {"reuse_tracker_feedback"},
                 ("reuse_tracker_datarequest", "reuse_tracker_datarequest_votes_idx"),
                 marks=DATAREQUESTS, id="datarequests"),
    pytest.param("territorial_consolidation", "d4f6b8c0e234",
                 {"territorial_consolidation_consolidation", "territorial_consolidation_run"},
                 {"territorial_consolidation_provenance"}, None, marks=CONSOLIDATION,
                 id="consolidations"),
]


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names())


def _indexes(table: str) -> set[str]:
    return {index["name"] for index in sa.inspect(model.meta.engine).get_indexes(table)}


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("plugin, revision, dropped, kept, index", CASES)
def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(
        migrate_db_for, plugin: str, revision: str, dropped: set[str], kept: set[str],
        index: Optional[tuple[str, str]]) -> None:
    """Going back to ``revision`` drops exactly the revision's tables; head restores them
    (with their indexes)."""
    assert dropped | kept <= _tables()
    model.Session.remove()
    try:
        migrate_db_for(plugin, version=revision, forward=False)
        tables = _tables()
        assert tables & dropped == set()
        assert kept <= tables
    finally:
        migrate_db_for(plugin)
    assert dropped | kept <= _tables()
    if index is not None:
        table, name = index
        assert name in _indexes(table)
