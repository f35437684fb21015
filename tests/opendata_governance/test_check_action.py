"""governance_check_run and governance_check_result_list: results stored, listed, queued."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.check_setup import (
    BIG, MARKS, SMALL, as_user, heavy_check, make_review_portal, private_dataset,
    resource)

pytestmark = MARKS + [pytest.mark.usefixtures("clean_queues")]


def _by_check(results):
    return {(r["check_id"], r["resource_id"]): r for r in results}


def test_running_the_checks_stores_one_result_per_check_and_resource():
    """A run stores the built-in checks' results, listed with their status and severity."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(SMALL, format="PDF"))
    run = helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    assert run["queued"] is False and run["job_id"] is None
    listed = helpers.call_action("governance_check_result_list", as_user(portal.editor),
                                 package_id=dataset["name"])
    results = _by_check(listed["results"])
    resource_id = dataset["resources"][0]["id"]
    assert listed["count"] == len(run["results"])
    assert set(results) == set(_by_check(run["results"]))
    assert results[("open_format", resource_id)]["status"] == "failed"
    assert results[("licence_open", None)]["status"] == "passed"
    assert results[("licence_open", None)]["severity"] == "blocking"
    assert all(r["trigger"] == "manual" for r in listed["results"])


def test_lists_show_the_latest_run_and_history_keeps_the_older_ones():
    """After two runs the list shows each check once; with history, both runs."""
    portal = make_review_portal()
    dataset = private_dataset(portal)
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    helpers.call_action("package_patch", id=dataset["id"], license_id="other-closed")
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    latest = helpers.call_action("governance_check_result_list", as_user(portal.editor),
                                 package_id=dataset["id"], check_id="licence_open")
    assert latest["count"] == 1
    assert latest["results"][0]["status"] == "failed"
    history = helpers.call_action("governance_check_result_list", as_user(portal.editor),
                                  package_id=dataset["id"], check_id="licence_open",
                                  history=True)
    assert [r["status"] for r in history["results"]] == ["failed", "passed"]


def test_a_heavy_check_runs_at_once_on_a_small_resource(heavy_check):
    """On a resource under the synchronous limit the heavy check runs during the request."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(SMALL, description="jean@example.fr"))
    run = helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    assert run["queued"] is False
    (emails,) = [r for r in run["results"] if r["check_id"] == "test_emails"]
    assert emails["status"] == "failed"
    assert emails["findings"][0]["samples"] == ["j***@***.fr"]
    assert emails["duration_ms"] is not None


def test_a_heavy_check_on_a_big_resource_is_queued(heavy_check):
    """Above the synchronous limit the heavy check goes to a background job, listed pending."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG, description="jean@example.fr"))
    run = helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    assert run["queued"] is True and run["job_id"]
    assert ("test_emails", "pending") in {(r["check_id"], r["status"]) for r in run["pending"]}
    assert "test_emails" not in {r["check_id"] for r in run["results"]}
    jobs = helpers.call_action("job_list", {"ignore_auth": True})
    assert run["job_id"] in {job["id"] for job in jobs}


@pytest.mark.ckan_config("ckanext.opendata_governance.check_sync_max_bytes", BIG * 2)
def test_the_synchronous_limit_is_configurable(heavy_check):
    """Raising check_sync_max_bytes lets the heavy check run at once on the same file."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG))
    run = helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    assert run["queued"] is False
    assert "test_emails" in {r["check_id"] for r in run["results"]}


def test_only_sysadmins_may_force_a_synchronous_run(heavy_check):
    """An editor asking for sync gets a validation error naming the field."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG))
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_check_run", as_user(portal.editor),
                            id=dataset["id"], sync=True)
    assert "sync" in error.value.error_dict


def test_one_resource_can_be_checked_alone():
    """With resource_id only that resource's checks run, besides the dataset's own."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(SMALL), resource(SMALL, name="autre.csv"))
    first, second = dataset["resources"]
    run = helpers.call_action("governance_check_run", as_user(portal.editor),
                              id=dataset["id"], resource_id=second["id"])
    assert {r["resource_id"] for r in run["results"]} == {None, second["id"]}


def test_a_resource_of_another_dataset_is_a_validation_error():
    """A resource_id that is not the dataset's is refused, naming resource_id."""
    portal = make_review_portal()
    dataset = private_dataset(portal)
    other = private_dataset(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"],
                            resource_id=other["resources"][0]["id"])
    assert "resource_id" in error.value.error_dict
