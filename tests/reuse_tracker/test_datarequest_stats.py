"""Data request figures in feedback_stats: requests waiting per organization, their votes,
and the most voted requests."""
from __future__ import annotations

from ckan.tests import factories, helpers

from tests.reuse_tracker.datarequest_setup import MARKS, as_user, create, make_portal

pytestmark = MARKS


def _stats(user, **data):
    return helpers.call_action("feedback_stats", as_user(user), **data)


def _vote(request_id, count):
    for _ in range(count):
        helpers.call_action("datarequest_vote", as_user(factories.User()), id=request_id)


def test_an_organization_with_only_data_requests_is_listed():
    """Without feedback, the organization appears with zero feedback and its requests."""
    portal = make_portal()
    _vote(portal.request["id"], 2)
    (org,) = _stats(portal.admin)["organizations"]
    assert (org["organization_id"], org["organization_title"]) == (
        portal.org["id"], "Ville de Saint-Martin")
    assert (org["datarequests_open"], org["datarequests_votes"]) == (1, 2)
    assert (org["received"], org["answered"], org["overdue"], org["open"]) == (0, 0, 0, 0)
    assert (org["share_in_time"], org["median_response_days"]) == (None, None)


def test_open_requests_and_votes_leave_closed_and_spam_aside():
    """Only requests still waiting count (open, under review, planned), spam aside."""
    portal = make_portal()
    planned = create(portal.plain, organization_id=portal.org["id"], title="Défibrillateurs")
    helpers.call_action("datarequest_update", as_user(portal.admin), id=planned["id"],
                        state="planned")
    declined = create(portal.plain, organization_id=portal.org["id"], title="Cantines")
    _vote(declined["id"], 4)
    helpers.call_action("datarequest_close", as_user(portal.admin), id=declined["id"],
                        state="declined", reason="Non.")
    create(portal.plain, organization_id=portal.org["id"], title="Casino municipal")
    _vote(portal.request["id"], 1)
    _vote(planned["id"], 3)
    (org,) = _stats(portal.editor)["organizations"]
    assert (org["datarequests_open"], org["datarequests_votes"]) == (2, 4)


def test_organizations_with_feedback_get_request_figures_too():
    """An organization with feedback and no request shows zero requests."""
    portal = make_portal()
    dataset = factories.Dataset(owner_org=portal.other_org["id"])
    helpers.call_action("feedback_create", as_user(portal.plain), package_id=dataset["id"],
                        kind="question", body="Une question.")
    stats = _stats(portal.sysadmin)
    figures = {row["organization_id"]: row for row in stats["organizations"]}
    assert (figures[portal.other_org["id"]]["received"],
            figures[portal.other_org["id"]]["datarequests_open"],
            figures[portal.other_org["id"]]["datarequests_votes"]) == (1, 0, 0)
    assert figures[portal.org["id"]]["datarequests_open"] == 1


def test_the_ten_most_voted_waiting_requests():
    """datarequests lists the ten most voted waiting requests of the scope, most voted first."""
    portal = make_portal()
    requests = [create(portal.sysadmin, organization_id=portal.org["id"],
                       title=f"Demande {number}") for number in range(11)]
    for number, request in enumerate(requests[:3]):
        _vote(request["id"], 3 - number)
    elsewhere = create(portal.sysadmin, organization_id=portal.other_org["id"],
                       title="Ailleurs")
    _vote(elsewhere["id"], 5)
    top = _stats(portal.admin)["datarequests"]
    assert len(top) == 10
    assert top[0] == {"id": requests[0]["id"], "title": "Demande 0",
                      "organization_title": "Ville de Saint-Martin", "vote_count": 3,
                      "state": "open"}
    assert [row["vote_count"] for row in top[:4]] == [3, 2, 1, 0]
    assert elsewhere["id"] not in [row["id"] for row in top]
    assert _stats(portal.sysadmin)["datarequests"][0]["id"] == elsewhere["id"]
    filtered = _stats(portal.sysadmin, organization=portal.other_org["name"])
    assert [row["id"] for row in filtered["datarequests"]] == [elsewhere["id"]]
    assert [row["organization_id"] for row in filtered["organizations"]] == [
        portal.other_org["id"]]


def test_an_editors_figures_leave_other_organizations_out():
    """Figures stay limited to the organizations the user edits: another org's are absent."""
    portal = make_portal()
    create(portal.plain, organization_id=portal.other_org["id"], title="Ailleurs")
    stats = _stats(portal.editor)
    assert [row["organization_id"] for row in stats["organizations"]] == [portal.org["id"]]
    assert [row["title"] for row in stats["datarequests"]] == [portal.request["title"]]
