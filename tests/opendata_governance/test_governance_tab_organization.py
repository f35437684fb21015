"""The organization tab "Governance": its reviewers and the publication-gate switch."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from tests.shared import PASSWORD, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, Portal, make_portal

pytestmark = MARKS


def _url(portal: Portal, *parts: str) -> str:
    return "/".join(["/organization/governance", portal.org["name"], *parts])


def _reviewer_names(portal: Portal) -> set[str]:
    listed = helpers.call_action("governance_reviewer_list", organization_id=portal.org["id"])
    return {row["name"] for row in listed["results"]}


def test_tab_is_shown_to_a_member(app):
    """A read-only member sees the "Governance" tab on the organization page."""
    portal = make_portal()
    body = login(app, portal.member).get("/organization/{}".format(portal.org["name"])).body
    assert 'href="{}"'.format(_url(portal)) in body


def test_tab_is_hidden_from_a_non_member(app):
    """A logged-in user outside the organization sees no governance tab."""
    portal = make_portal()
    body = login(app, portal.plain).get("/organization/{}".format(portal.org["name"])).body
    assert _url(portal) not in body


def test_page_is_403_for_a_non_member_and_anonymous(app):
    """Users outside the organization and anonymous visitors are refused the page."""
    portal = make_portal()
    assert login(app, portal.other_editor).get(_url(portal)).status_code == 403
    assert app.get(_url(portal)).status_code == 403


def test_page_is_404_for_an_unknown_organization(app):
    """The governance page of an organization that does not exist is a 404."""
    portal = make_portal()
    response = login(app, portal.sysadmin).get("/organization/governance/no-such-org")
    assert response.status_code == 404


def test_member_sees_reviewers_and_gate_read_only(app):
    """A member sees the reviewers and the gate state, without any form."""
    portal = make_portal()
    reviewer = factories.User(fullname="Dominique Relecteur", password=PASSWORD)
    helpers.call_action("governance_reviewer_create", organization_id=portal.org["id"],
                        user=reviewer["name"])
    body = login(app, portal.member).get(_url(portal)).body
    assert "Dominique Relecteur" in body
    assert "governance-gate-on" in body
    assert 'id="governance-reviewer-form"' not in body
    assert 'id="governance-settings-form"' not in body


def test_admin_sees_the_forms_with_csrf_tokens(app):
    """An admin gets the add-reviewer and gate forms, each with its CSRF token."""
    portal = make_portal()
    body = login(app, portal.admin).get(_url(portal)).body
    assert 'id="governance-reviewer-form"' in body
    assert 'id="governance-settings-form"' in body
    assert body.count('name="_csrf_token"') >= 2


def test_admin_adds_a_reviewer_through_the_form(app):
    """Posting a user name names that user reviewer and flashes it."""
    portal = make_portal()
    reviewer = factories.User(password=PASSWORD)
    client = login(app, portal.admin)
    form = client.get(_url(portal)).body
    body = client.post(_url(portal, "reviewers", "add"), data={
        "_csrf_token": csrf_token(form), "user": reviewer["name"]},
        follow_redirects=True).body
    assert "Reviewer added" in body
    assert _reviewer_names(portal) == {reviewer["name"]}


def test_unknown_user_shows_the_error_next_to_the_field(app):
    """An unknown user name re-renders the page with the error under the user field."""
    portal = make_portal()
    client = login(app, portal.admin)
    form = client.get(_url(portal)).body
    response = client.post(_url(portal, "reviewers", "add"), data={
        "_csrf_token": csrf_token(form), "user": "nobody-by-that-name"})
    assert response.status_code == 200
    assert 'value="nobody-by-that-name"' in response.body
    assert "governance-error" in response.body
    assert _reviewer_names(portal) == set()


def test_admin_removes_a_reviewer_through_the_form(app):
    """The remove button withdraws the reviewer."""
    portal = make_portal()
    reviewer = factories.User(password=PASSWORD)
    helpers.call_action("governance_reviewer_create", organization_id=portal.org["id"],
                        user=reviewer["name"])
    client = login(app, portal.admin)
    form = client.get(_url(portal)).body
    body = client.post(_url(portal, "reviewers", "remove"), data={
        "_csrf_token": csrf_token(form), "user": reviewer["id"]},
        follow_redirects=True).body
    assert "Reviewer removed" in body
    assert _reviewer_names(portal) == set()


def test_editor_cannot_add_a_reviewer(app):
    """An editor posting the add form is refused and names nobody."""
    portal = make_portal()
    client = login(app, portal.editor)
    form = client.get(_url(portal)).body
    response = client.post(_url(portal, "reviewers", "add"), data={
        "_csrf_token": csrf_token(form), "user": portal.plain["name"]})
    assert response.status_code == 403
    assert _reviewer_names(portal) == set()


@pytest.mark.ckan_config("ckanext.opendata_governance.admins_can_switch_gate_off", True)
def test_admin_switches_the_gate_off_and_on(app):
    """Where the portal lets admins, the gate form switches the gate off, then on again."""
    portal = make_portal()
    client = login(app, portal.admin)
    form = client.get(_url(portal)).body
    body = client.post(_url(portal, "settings"), data={
        "_csrf_token": csrf_token(form), "gate_enabled": "off"}, follow_redirects=True).body
    assert "Publication gate switched off" in body
    assert helpers.call_action("governance_settings_show",
                               organization_id=portal.org["id"])["gate_enabled"] is False
    client.post(_url(portal, "settings"), data={
        "_csrf_token": csrf_token(body), "gate_enabled": "on"})
    assert helpers.call_action("governance_settings_show",
                               organization_id=portal.org["id"])["gate_enabled"] is True


def test_gate_form_without_csrf_token_is_refused(app):
    """A gate switch posted without its CSRF token changes nothing."""
    portal = make_portal()
    response = login(app, portal.admin).post(_url(portal, "settings"),
                                             data={"gate_enabled": "off"})
    assert response.status_code in (400, 403)
    assert helpers.call_action("governance_settings_show",
                               organization_id=portal.org["id"])["gate_enabled"] is True
