"""The user's dashboard tabs "My reuses" and "My data requests", and who sees the
moderation queue button."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.shared import as_user, login
from tests.reuse_tracker import datarequest_setup
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit

pytestmark = MARKS


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _dashboard_reuses(app: Any, user: dict[str, Any]) -> dict[str, str]:
    """The reuses listed on the user's "My reuses" tab, name to state."""
    soup = _soup(login(app, user).get("/dashboard/reuses"))
    return {row["data-reuse"]: row["data-state"] for row in soup.select("tr.dashboard-reuse")}


def test_my_reuses_lists_the_users_reuses_in_every_state(app):
    """A reuser finds their pending, published and rejected reuses, each with its state."""
    portal = make_portal()
    pending = submit(portal.submitter, [portal.public], title="Carte en attente")
    shown = published(portal, title="Carte publiée")
    refused = submit(portal.submitter, [portal.public], title="Carte refusée")
    helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=refused["id"],
                        decision="reject", comment="Lien mort")
    listed = _dashboard_reuses(app, portal.submitter)
    assert listed == {pending["name"]: "pending", shown["name"]: "published",
                      refused["name"]: "rejected"}


def test_the_state_is_said_in_words(app):
    """The pending reuse's row says it waits for moderation, in French on a French page."""
    portal = make_portal()
    submit(portal.submitter, [portal.public])
    row = _soup(login(app, portal.submitter).get("/fr/dashboard/reuses")).select_one(
        "tr.dashboard-reuse")
    assert "En attente de modération" in row.get_text()


def test_my_reuses_leaves_out_other_users_reuses(app):
    """Another user's tab lists none of the submitter's reuses, pending or published."""
    portal = make_portal()
    submit(portal.submitter, [portal.public])
    published(portal)
    assert _dashboard_reuses(app, portal.plain) == {}
    # A moderator's tab is theirs too: the reuses they moderate are in the queue, not here.
    assert _dashboard_reuses(app, portal.admin) == {}


def test_the_dashboard_has_the_two_tabs(app):
    """The dashboard's tabs link to "My reuses" and "My data requests"."""
    portal = make_portal()
    soup = _soup(login(app, portal.plain).get("/dashboard/datasets"))
    links = {link["href"] for link in soup.select(".nav-tabs a")}
    assert {"/dashboard/reuses", "/dashboard/datarequests"} <= links


@pytest.mark.parametrize("path", ["/dashboard/reuses", "/dashboard/datarequests"])
def test_a_visitor_is_sent_to_log_in(app, path):
    """A visitor who is not logged in is redirected to the login page."""
    response = app.get(path, follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def _dashboard_requests(app: Any, user: dict[str, Any], which: str = "") -> list[str]:
    path = "/dashboard/datarequests" + (f"?list={which}" if which else "")
    soup = _soup(login(app, user).get(path))
    return [item["data-datarequest"] for item in soup.select("li.datarequest-card")]


def test_my_data_requests_lists_the_users_requests_and_those_they_follow(app):
    """The author sees their request under "made"; a follower sees it under "followed"
    only; another user sees neither."""
    portal = datarequest_setup.make_portal()
    follower = portal.plain
    helpers.call_action("datarequest_follow", as_user(follower), id=portal.request["id"])
    assert _dashboard_requests(app, portal.author) == [portal.request["id"]]
    assert _dashboard_requests(app, follower) == []
    assert _dashboard_requests(app, follower, "followed") == [portal.request["id"]]
    stranger = factories.User(password=datarequest_setup.PASSWORD)
    assert _dashboard_requests(app, stranger) == []
    assert _dashboard_requests(app, stranger, "followed") == []


def test_an_unknown_list_shows_the_users_own_requests(app):
    """``?list=`` with anything else than "followed" shows the user's own requests."""
    portal = datarequest_setup.make_portal()
    assert _dashboard_requests(app, portal.author, "everyone") == [portal.request["id"]]


def _has_moderation_button(app: Any, user: dict[str, Any] | None) -> bool:
    client = login(app, user) if user else app
    return _soup(client.get("/reuses")).select_one("a.reuse-moderation-link") is not None


@pytest.mark.parametrize("who,shown", [
    ("anonymous", False), ("plain", False), ("submitter", False), ("editor", False),
    ("member", False), ("admin", True), ("other_admin", True), ("sysadmin", True)])
def test_the_moderation_queue_button_shows_only_to_moderators(app, who, shown):
    """Sysadmins and organization admins see the "Moderation queue" button; others do not."""
    portal = make_portal()
    user = None if who == "anonymous" else getattr(portal, who)
    assert _has_moderation_button(app, user) is shown


def test_the_gallery_links_a_logged_in_user_to_their_reuses(app):
    """A logged-in user's gallery links to "My reuses"; a visitor's does not."""
    portal = make_portal()
    link = _soup(login(app, portal.plain).get("/reuses")).select_one("a.reuse-mine-link")
    assert link["href"] == "/dashboard/reuses"
    assert _soup(app.get("/reuses")).select_one("a.reuse-mine-link") is None


def test_hostile_titles_are_text_on_the_dashboard(app):
    """A reuse title made of HTML shows as text on the "My reuses" tab."""
    portal = make_portal()
    hostile = '<img src=x onerror=alert(1)>'
    submit(portal.submitter, [portal.public], title=hostile)
    soup = _soup(login(app, portal.submitter).get("/dashboard/reuses"))
    assert soup.select_one("tr.dashboard-reuse a").get_text() == hostile
    assert soup.find("img", src="x") is None


def test_the_pending_reuse_page_tells_its_submitter_where_to_find_it_again(app):
    """The submitter's pending reuse page links to "My reuses"; a moderator's does not."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    page = _soup(login(app, portal.submitter).get(f"/fr/reuses/{reuse['name']}"))
    link = page.select_one(".reuse-state-pending a.reuse-mine-link")
    assert link["href"] == "/fr/dashboard/reuses"
    assert "Mes réutilisations" in link.get_text()
    moderator = _soup(login(app, portal.admin).get(f"/reuses/{reuse['name']}"))
    assert moderator.select_one(".reuse-state-pending") is not None
    assert moderator.select_one(".reuse-state-pending a.reuse-mine-link") is None
