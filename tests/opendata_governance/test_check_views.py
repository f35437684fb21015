"""The check results on the resource page: shown to editors and reviewers, run again by POST."""
from __future__ import annotations

from ckan.tests import helpers

from tests.opendata_governance.check_setup import (
    MARKS, as_user, make_review_portal, private_dataset, resource)
from tests.opendata_governance.gate_setup import published, open_dataset
from tests.shared import csrf_token, login

pytestmark = MARKS


def _page(dataset):
    return "/dataset/{}/resource/{}".format(dataset["name"], dataset["resources"][0]["id"])


def test_an_editor_sees_the_latest_results_on_the_resource_page(app):
    """The editor's resource page lists the checks with their status."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(100, format="PDF"))
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    body = login(app, portal.editor).get(_page(dataset)).body
    assert "governance-check-results" in body
    assert 'data-check="open_format"' in body
    assert "check-failed" in body


def test_anonymous_visitors_see_no_results(app):
    """On a public dataset, an anonymous visitor's resource page has no check results."""
    portal = make_review_portal()
    dataset = published(**open_dataset(
        owner_org=portal.org["id"], owner_service="direction-des-finances",
        resources=[resource(100)]))
    helpers.call_action("governance_check_run", as_user(portal.sysadmin), id=dataset["id"])
    body = app.get(_page(dataset)).body
    assert "governance-check-results" not in body


def test_the_run_again_button_runs_the_checks(app):
    """Posting the page's form with its CSRF token stores a new run and returns to the page."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(100))
    client = login(app, portal.admin)
    page = client.get(_page(dataset))
    assert "No automated check has run yet." in page.body
    response = client.post(_page(dataset) + "/checks",
                           data={"_csrf_token": csrf_token(page.body)})
    assert response.status_code == 200
    listed = helpers.call_action("governance_check_result_list", {"ignore_auth": True},
                                 package_id=dataset["id"])
    assert listed["count"] > 0
    assert 'data-check="licence_open"' in response.body
