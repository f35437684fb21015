"""`ckan opendata-governance check`: progress bar and summary table."""
from __future__ import annotations

from ckan.tests import helpers

from ckanext.opendata_governance.cli import opendata_governance
from tests.opendata_governance.check_setup import MARKS, make_review_portal, private_dataset

pytestmark = MARKS


def test_checking_one_dataset_prints_progress_and_a_summary(cli):
    """The command runs the checks, shows a progress bar and a line per dataset."""
    portal = make_review_portal()
    dataset = private_dataset(portal, license_id="other-closed")
    result = cli.invoke(opendata_governance, ["check", dataset["name"]])
    assert result.exit_code == 0, result.output
    assert "Checks" in result.output
    header, line = result.output.splitlines()[-2:]
    assert header.split()[:6] == ["dataset", "passed", "failed", "error", "not_run",
                                  "pending"]
    assert line.startswith(dataset["name"])
    assert "licence_open" in line
    stored = helpers.call_action("governance_check_result_list", {"ignore_auth": True},
                                 package_id=dataset["id"])["results"]
    assert {r["trigger"] for r in stored} == {"cli"}


def test_checking_all_datasets_lists_each_one(cli):
    """With --all every dataset of the portal gets a line in the summary."""
    portal = make_review_portal()
    first = private_dataset(portal)
    second = private_dataset(portal)
    result = cli.invoke(opendata_governance, ["check", "--all"])
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.output.splitlines()[-2:]]
    assert sorted(names) == sorted([first["name"], second["name"]])


def test_an_unknown_dataset_fails_with_a_message(cli):
    """A dataset that does not exist is reported and the command exits non-zero."""
    make_review_portal()
    result = cli.invoke(opendata_governance, ["check", "nope"])
    assert result.exit_code == 1
    assert "nope" in result.output and "not found" in result.output
