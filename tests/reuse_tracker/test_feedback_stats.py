"""Feedback figures per organization and service: received, median first response,
share answered in time, overdue."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.reuse_tracker.model.feedback import Feedback
from tests.shared import as_user
from tests.reuse_tracker.feedback_setup import MARKS, make_portal, post

pytestmark = MARKS

NOW = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _backdate(feedback_id: str, days_ago: float, answered_after: float | None = None):
    item = Feedback.get(feedback_id)
    item.created = NOW - dt.timedelta(days=days_ago)
    if answered_after is not None:
        item.first_response = item.created + dt.timedelta(days=answered_after)
    model.Session.commit()


def _stats(user, **data):
    return helpers.call_action("feedback_stats", as_user(user), **data)


def test_figures_per_organization_and_service():
    """Received, answered, in-time share, median and overdue are computed per service."""
    portal = make_portal()  # one new item, just posted, on direction-des-finances
    items = [post(portal.plain, portal.dataset["id"]) for _ in range(3)]
    _backdate(items[0]["id"], 40, answered_after=2)     # answered in time
    _backdate(items[1]["id"], 40, answered_after=20)    # answered late
    _backdate(items[2]["id"], 30)                       # overdue
    other = factories.Dataset(owner_org=portal.org["id"])
    _backdate(post(portal.plain, other["id"])["id"], 10, answered_after=4)
    post(portal.plain, portal.dataset["id"], body="casino")  # spam: not counted
    stats = _stats(portal.editor)
    assert stats["target_days"] == 15
    (org,) = stats["organizations"]
    assert (org["organization_id"], org["received"], org["answered"], org["overdue"]) == (
        portal.org["id"], 5, 3, 1)
    services = {row["service"]: row for row in stats["services"]}
    finances = services["direction-des-finances"]
    assert (finances["received"], finances["answered_in_time"], finances["overdue"]) == (4, 1, 1)
    assert finances["median_response_days"] == 11.0
    assert finances["share_in_time"] == pytest.approx(1 / 3, abs=1e-4)
    assert services[None]["share_in_time"] == 1.0
    assert services[None]["median_response_days"] == 4.0


def test_a_status_change_counts_as_the_first_response():
    """Acknowledging feedback gives it a first response time in the figures."""
    portal = make_portal()
    helpers.call_action("feedback_update_status", as_user(portal.editor),
                        id=portal.feedback["id"], state="acknowledged")
    (org,) = _stats(portal.editor)["organizations"]
    assert (org["answered"], org["answered_in_time"], org["share_in_time"]) == (1, 1, 1.0)


@pytest.mark.ckan_config("ckanext.reuse_tracker.feedback_response_days", 3)
def test_the_target_is_configurable():
    """With a 3-day target, a 5-day-old unanswered item is overdue."""
    portal = make_portal()
    _backdate(portal.feedback["id"], 5)
    stats = _stats(portal.admin, organization=portal.org["name"])
    assert stats["target_days"] == 3
    assert stats["organizations"][0]["overdue"] == 1


def test_figures_cover_only_the_organizations_the_user_edits():
    """An editor's figures leave out other organizations; a sysadmin's include them."""
    portal = make_portal()
    post(portal.plain, factories.Dataset(owner_org=portal.other_org["id"])["id"])
    mine = [row["organization_id"] for row in _stats(portal.editor)["organizations"]]
    every = {row["organization_id"] for row in _stats(portal.sysadmin)["organizations"]}
    assert mine == [portal.org["id"]]
    assert every == {portal.org["id"], portal.other_org["id"]}


def test_dashboard_snippet_shows_the_figures_to_editors_only(app):
    """The snippet for the governance dashboard shows an editor's figures, nothing to others."""
    import flask_login

    portal = make_portal()
    snippet = "reuse_tracker/feedback/dashboard_figures.html"
    with app.flask_app.test_request_context("/"):
        flask_login.login_user(model.User.get(portal.editor["name"]))
        shown = tk.render_snippet(snippet, {"organization": portal.org["name"]})
    with app.flask_app.test_request_context("/"):
        flask_login.login_user(model.User.get(portal.plain["name"]))
        hidden = tk.render_snippet(snippet, {"organization": portal.org["name"]})
    assert "Feedback from users" in shown and "direction-des-finances" in shown
    assert "Feedback from users" not in hidden
