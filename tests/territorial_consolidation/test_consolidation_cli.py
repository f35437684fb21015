"""``ckan territorial-consolidation run ID`` and ``run-due``."""
from __future__ import annotations

from ckanext.territorial_consolidation.cli import territorial_consolidation
from tests.territorial_consolidation.consolidation_setup import (
    MARKS, RENNES, make_consolidation, make_portal, publish, subventions_rows)

pytestmark = MARKS


def test_run_prints_progress_and_a_summary(cli):
    """Running by name shows the sources bar and the counts of the report."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(3).encode())
    consolidation = make_consolidation(portal)
    result = cli.invoke(territorial_consolidation, ["run", consolidation["name"]])
    assert result.exit_code == 0, result.output
    assert "Sources" in result.output
    assert "succeeded: 1 sources (1 valid" in result.output
    assert "3 published" in result.output


def test_an_unknown_consolidation_fails_with_a_message(cli):
    """An unknown id exits with an error and says so."""
    result = cli.invoke(territorial_consolidation, ["run", "nope"])
    assert result.exit_code != 0
    assert "Consolidation not found" in result.output


def test_a_failed_run_exits_with_an_error(cli):
    """A schema that cannot be fetched makes the command fail, with the reason."""
    portal = make_portal()
    consolidation = make_consolidation(portal, schema="",
                                       schema_url="http://127.0.0.1:9/schema.json")
    result = cli.invoke(territorial_consolidation, ["run", consolidation["id"], "--quiet"])
    assert result.exit_code == 1
    assert "Schema unavailable" in result.output


def test_run_due_runs_scheduled_consolidations_once(cli):
    """A daily consolidation never run is run; right after, it is not due any more."""
    portal = make_portal()
    make_consolidation(portal, schedule="daily")
    make_consolidation(portal, name="manuelle")
    first = cli.invoke(territorial_consolidation, ["run-due"])
    assert first.exit_code == 0, first.output
    assert "subventions-rennes-metropole" in first.output
    assert "manuelle" not in first.output
    second = cli.invoke(territorial_consolidation, ["run-due"])
    assert "subventions-rennes-metropole" not in second.output


def test_the_demo_command_sets_up_and_runs_the_demo_consolidation(cli):
    """``consolidation-demo`` publishes the communes' files and reports the run."""
    from ckan.tests import factories, helpers

    from tests.territorial_consolidation.consolidation_setup import load_dep35

    load_dep35()
    for name, territory in (("rennes-metropole", "epci:243500139"),
                            ("rennes", "commune:35238"), ("bruz", "commune:35047"),
                            ("cesson-sevigne", "commune:35051")):
        factories.Organization(name=name)
        helpers.call_action("territory_organization_set", {"ignore_auth": True},
                            organization_id=name, territory_id=territory)
    result = cli.invoke(territorial_consolidation, ["consolidation-demo"])
    assert result.exit_code == 0, result.output
    assert "rennes-subventions-2025" in result.output
    assert "succeeded: 3 sources (2 valid, 1 partially valid" in result.output
