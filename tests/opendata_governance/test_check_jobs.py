"""The background job of heavy checks: stores results, fills the review, unpublishes."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import jobs as jobs_lib
from ckan.tests import helpers

from ckanext.opendata_governance import jobs
from ckanext.opendata_governance.model import Event, Review
from tests.opendata_governance.check_setup import (
    BIG, MARKS, as_user, heavy_check, make_review_portal, private_dataset, resource)
from tests.opendata_governance.gate_setup import approve
from tests.opendata_governance.review_setup import ALL_OK

pytestmark = MARKS + [pytest.mark.usefixtures("clean_queues")]


def _published_with_big_file(portal, description="Montants"):
    dataset = private_dataset(portal, resource(BIG, description=description))
    approve(dataset["id"])
    return helpers.call_action("package_patch", id=dataset["id"], private=False)


def _latest(dataset, check_id="test_emails"):
    return helpers.call_action("governance_check_result_list", {"ignore_auth": True},
                               package_id=dataset["id"], check_id=check_id)["results"]


def test_the_job_stores_the_heavy_results_in_place_of_the_pending_ones(heavy_check):
    """After the job, the latest result of the queued check is its real outcome."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG))
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    assert _latest(dataset)[0]["status"] == "pending"
    jobs.run_checks(dataset["id"], [dataset["resources"][0]["id"]], trigger="manual")
    (result,) = _latest(dataset)
    assert result["status"] == "passed"


def test_the_job_unpublishes_a_public_dataset_with_a_blocking_finding(heavy_check):
    """A blocking failure found by the job on a public dataset makes it private, recorded."""
    portal = make_review_portal()
    dataset = _published_with_big_file(portal)
    # New data arrives: the big file now carries e-mail addresses.
    helpers.call_action("resource_patch", id=dataset["resources"][0]["id"],
                        description="jean.dupont@example.fr", url="https://example.org/v2.csv")
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
    outcome = jobs.run_checks(dataset["id"], [dataset["resources"][0]["id"]],
                              trigger="resource_change")
    assert outcome["unpublished"] is True
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
    (event,) = model.Session.query(Event).filter_by(event_type="auto_unpublished").all()
    assert event.details["trigger"] == "resource_change"
    assert "test_emails" in {f["check_id"] for f in event.details["findings"]}


def test_an_overridden_blocking_finding_does_not_unpublish(heavy_check):
    """A finding the sign-off overrode keeps the dataset public."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG, description="jean@example.fr"))
    review = approve(dataset["id"], override=True)
    review.checks = jobs.check_runner.execute(
        helpers.call_action("package_show", id=dataset["id"]),
        jobs.check_runner.plan(helpers.call_action("package_show", id=dataset["id"]),
                               sync=True).now)
    model.Session.commit()
    helpers.call_action("package_patch", id=dataset["id"], private=False)
    outcome = jobs.run_checks(dataset["id"], trigger="resource_change")
    assert outcome["unpublished"] is False
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False


def test_running_the_job_twice_is_harmless(heavy_check):
    """A second run adds history and leaves an already private dataset alone."""
    portal = make_review_portal()
    dataset = _published_with_big_file(portal, description="a@example.fr")
    assert jobs.run_checks(dataset["id"], trigger="cli")["unpublished"] is True
    assert jobs.run_checks(dataset["id"], trigger="cli")["unpublished"] is False
    history = helpers.call_action("governance_check_result_list", {"ignore_auth": True},
                                  package_id=dataset["id"], check_id="test_emails",
                                  history=True)
    assert history["count"] == 2


def test_a_review_request_queues_heavy_checks_and_the_job_adds_them(heavy_check):
    """The review lists the heavy check as pending; the job adds its result to the review."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG, description="jean@example.fr"))
    review = helpers.call_action("governance_review_request", as_user(portal.editor),
                                 id=dataset["id"])
    assert [(r["check_id"], r["status"]) for r in review["checks"]
            if r["check_id"] == "test_emails"] == [("test_emails", "pending")]
    pending = {r["check_id"] for r in _latest(dataset)}
    assert pending == {"test_emails"} and _latest(dataset)[0]["status"] == "pending"
    (job,) = [job for job in helpers.call_action("job_list", {"ignore_auth": True})]
    # Committed with the review before the job was queued, under the job's id.
    assert _latest(dataset)[0]["job_id"] == job["id"]
    jobs.run_checks(dataset["id"], [dataset["resources"][0]["id"]], trigger="review",
                    review_id=review["id"])
    model.Session.commit()
    stored = Review.get(review["id"])
    (emails,) = [r for r in stored.checks if r["check_id"] == "test_emails"]
    assert emails["status"] == "failed"


def test_the_job_runs_through_the_real_queue(heavy_check):
    """A queued run is executed by an RQ worker in burst mode and its results stored."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG, description="jean@example.fr"))
    run = helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    assert run["queued"] is True
    jobs_lib.Worker().work(burst=True)
    model.Session.remove()
    (result,) = _latest(dataset)
    assert result["status"] == "failed"
    assert result["job_id"] == run["job_id"]


def test_a_pending_blocking_check_stops_approval_until_the_job_has_run(heavy_check):
    """Approving while a blocking heavy check is still queued needs an override."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG, description="Montants par chapitre"))
    review = helpers.call_action("governance_review_request", as_user(portal.editor),
                                 id=dataset["id"])
    decide = {"id": review["id"], "decision": "approve", "checklist": ALL_OK}
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action("governance_review_decide", as_user(portal.reviewer), **decide)
    assert "override" in refused.value.error_dict
    jobs.run_checks(dataset["id"], [dataset["resources"][0]["id"]], trigger="review",
                    review_id=review["id"])
    model.Session.commit()
    decided = helpers.call_action("governance_review_decide", as_user(portal.reviewer),
                                  **decide)
    assert decided["state"] == "approved"
