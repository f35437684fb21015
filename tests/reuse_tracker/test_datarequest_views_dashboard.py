"""The data request figures on the governance dashboard (the reuse tracker's snippet)."""
from __future__ import annotations

from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.reuse_tracker.datarequest_setup import PASSWORD, as_user, create, login
from tests.reuse_tracker.feedback_setup import GOVERNANCE_MARKS

pytestmark = GOVERNANCE_MARKS


def test_governance_dashboard_shows_the_data_request_figures(app):
    """The organization admin's governance dashboard shows its open requests, their votes
    and the most voted open requests."""
    admin = factories.User(password=PASSWORD)
    voters = [factories.User() for _ in range(2)]
    org = factories.Organization(title="Métropole", users=[
        {"name": admin["name"], "capacity": "admin"}])
    asked = create(voters[0], title="Pistes cyclables", organization_id=org["id"])
    for voter in voters:
        helpers.call_action("datarequest_vote", as_user(voter), id=asked["id"])
    soup = BeautifulSoup(login(app, admin).get("/governance").body, "html.parser")
    row = soup.select_one("tr.feedback-stats-organization")
    assert row.select_one(".feedback-stats-datarequests-open").get_text(strip=True) == "1"
    assert row.select_one(".feedback-stats-datarequests-votes").get_text(strip=True) == "2"
    top = soup.select_one("table.datarequest-top tr.datarequest-top-item")
    assert "Pistes cyclables" in top.get_text() and "Métropole" in top.get_text()
    assert top.select_one("a")["href"] == f"/datarequest/{asked['id']}"


def test_governance_dashboard_leaves_out_other_organizations_and_closed_requests(app):
    """An admin's dashboard lists neither another organization's requests nor closed ones."""
    admin = factories.User(password=PASSWORD)
    asker = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    other = factories.Organization()
    create(asker, title="Pistes cyclables", organization_id=org["id"])
    closed = create(asker, title="Bancs publics", organization_id=org["id"])
    helpers.call_action("datarequest_close", as_user(admin), id=closed["id"],
                        state="declined", reason="Pas d'inventaire")
    create(asker, title="Bornes de recharge", organization_id=other["id"])
    soup = BeautifulSoup(login(app, admin).get("/governance").body, "html.parser")
    titles = [row.select_one("a").get_text() for row in soup.select("tr.datarequest-top-item")]
    assert titles == ["Pistes cyclables"]


def test_hostile_request_and_organization_titles_are_text_on_the_dashboard(app):
    """A request title and an organization title made of HTML show as text on the dashboard."""
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    admin = factories.User(password=PASSWORD)
    org = factories.Organization(title=hostile, users=[
        {"name": admin["name"], "capacity": "admin"}])
    create(factories.User(), title=hostile, organization_id=org["id"])
    soup = BeautifulSoup(login(app, admin).get("/governance").body, "html.parser")
    top = soup.select_one("tr.datarequest-top-item")
    assert top.select_one("a").get_text() == hostile
    assert not [script for script in soup.find_all("script") if "alert(" in script.get_text()]
    assert soup.find("img", src="x") is None
    assert not any(attribute.lower().startswith("on")
                   for tag in soup.find_all(True) for attribute in tag.attrs)
