"""The organization tab "Services": visibility, forms with CSRF tokens, and refusals."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.shared import csrf_token, login
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS


def _url(portal, *parts):
    return "/".join(["/organization/services", portal.org["name"], *parts])


def test_tab_is_shown_to_a_member_of_the_organization(app):
    """An editor sees the "Services" tab on the organization page."""
    portal = make_portal()
    client = login(app, portal.editor)
    body = client.get("/organization/{}".format(portal.org["name"])).body
    assert 'href="{}"'.format(_url(portal)) in body


def test_tab_is_hidden_from_a_non_member(app):
    """A logged-in user outside the organization sees no "Services" tab."""
    portal = make_portal()
    client = login(app, portal.plain)
    body = client.get("/organization/{}".format(portal.org["name"])).body
    assert _url(portal) not in body


def test_editor_sees_the_list_without_management_buttons(app):
    """An editor sees the services and their dataset counts, but no add or delete button."""
    portal = make_portal()
    dataset(portal)
    client = login(app, portal.editor)
    body = client.get(_url(portal)).body
    assert "Direction des finances" in body
    assert "finances@example.org" in body
    assert _url(portal, "new") not in body
    assert "/delete/" not in body


def test_non_member_gets_403(app):
    """A user outside the organization is refused the services page."""
    portal = make_portal()
    client = login(app, portal.other_editor)
    assert client.get(_url(portal)).status_code == 403


def test_anonymous_gets_403(app):
    """An anonymous visitor is refused the services page."""
    portal = make_portal()
    assert app.get(_url(portal), status=403).status_code == 403


def test_editor_cannot_open_the_creation_form(app):
    """An editor gets 403 on the creation form."""
    portal = make_portal()
    client = login(app, portal.editor)
    assert client.get(_url(portal, "new")).status_code == 403


def test_admin_creates_a_service_through_the_form(app):
    """An admin posts the creation form with its CSRF token and lands on the list."""
    portal = make_portal()
    client = login(app, portal.admin)
    form = client.get(_url(portal, "new")).body
    response = client.post(_url(portal, "new"), data={
        "_csrf_token": csrf_token(form), "title": "Direction de la mobilité",
        "name": "direction-de-la-mobilite", "email": "mobilite@example.org",
        "referent_id": portal.editor["id"], "active": "on"},
        follow_redirects=True)
    assert "Service created" in response.body
    assert "Direction de la mobilité" in response.body
    service = helpers.call_action("governance_service_show", id="direction-de-la-mobilite",
                                  organization_id=portal.org["id"])
    assert service["referent_id"] == portal.editor["id"]


def test_form_without_csrf_token_is_refused(app):
    """A creation form posted without its CSRF token creates nothing."""
    portal = make_portal()
    client = login(app, portal.admin)
    response = client.post(_url(portal, "new"), data={"title": "X", "name": "x"})
    assert response.status_code in (400, 403)
    assert helpers.call_action("governance_service_list",
                               organization_id=portal.org["id"])["count"] == 1


def test_form_shows_the_error_next_to_the_field(app):
    """A duplicate name re-renders the form with the error on the name field."""
    portal = make_portal()
    client = login(app, portal.admin)
    form = client.get(_url(portal, "new")).body
    body = client.post(_url(portal, "new"), data={
        "_csrf_token": csrf_token(form), "title": "Doublon",
        "name": "direction-des-finances"}).body
    assert "A service of this organization already has this name" in body
    assert 'id="field-name"' in body


def test_admin_deactivates_a_service_through_the_edit_form(app):
    """Posting the edit form with the active box unticked deactivates the service."""
    portal = make_portal()
    client = login(app, portal.admin)
    url = _url(portal, "edit", portal.service["id"])
    form = client.get(url).body
    assert 'value="Direction des finances"' in form
    client.post(url, data={"_csrf_token": csrf_token(form),
                        "title": "Direction des finances",
                        "name": "direction-des-finances"})
    assert helpers.call_action("governance_service_show",
                               id=portal.service["id"])["active"] is False


def test_delete_form_refuses_a_service_with_datasets(app):
    """Deleting a service with datasets shows the count and a link to reassignment."""
    portal = make_portal()
    dataset(portal)
    client = login(app, portal.admin)
    url = _url(portal, "delete", portal.service["id"])
    body = client.post(url, data={"_csrf_token": csrf_token(client.get(url).body)}).body
    assert "1 dataset belongs to this service" in body
    assert _url(portal, "reassign", portal.service["id"]) in body


def test_admin_deletes_a_service_without_datasets(app):
    """Confirming the deletion of a service without datasets removes it."""
    portal = make_portal()
    client = login(app, portal.admin)
    url = _url(portal, "delete", portal.service["id"])
    body = client.post(url, data={"_csrf_token": csrf_token(client.get(url).body)},
                       follow_redirects=True).body
    assert "Service deleted" in body
    assert helpers.call_action("governance_service_list",
                               organization_id=portal.org["id"])["count"] == 0


def test_admin_reassigns_datasets_through_the_form(app):
    """The reassignment form moves the datasets and reports how many moved."""
    portal = make_portal()
    helpers.call_action("governance_service_create", organization_id=portal.org["id"],
                        name="direction-de-la-mobilite", title="Direction de la mobilité")
    moved = dataset(portal)
    client = login(app, portal.admin)
    url = _url(portal, "reassign", portal.service["id"])
    form = client.get(url).body
    body = client.post(url, data={"_csrf_token": csrf_token(form),
                               "target": "direction-de-la-mobilite"},
                       follow_redirects=True).body
    assert "1 dataset moved" in body
    assert helpers.call_action("package_show", id=moved["id"])["owner_service"] == (
        "direction-de-la-mobilite")


def test_dataset_form_offers_the_services_of_the_organization(app):
    """The dataset form's owner service select lists the organization's active services."""
    portal = make_portal()
    client = login(app, portal.editor)
    body = client.get("/dataset/new", query_string={"owner_org": portal.org["id"]}).body
    assert '<option value="direction-des-finances"' in body


@pytest.mark.ckan_config("ckanext.opendata_governance.services_per_page", 1)
def test_services_are_paged_with_previous_and_next_links(app):
    """One service per page: page 1 links to page 2, which links back."""
    portal = make_portal()
    helpers.call_action("governance_service_create", {"user": portal.admin["name"]},
                        organization_id=portal.org["id"], name="zz-voirie", title="Voirie")
    client = login(app, portal.editor)
    first = client.get(_url(portal)).body
    assert f"{_url(portal)}?page=2" in first
    second = client.get(f"{_url(portal)}?page=2").body
    assert "Voirie" in second and f"{_url(portal)}?page=1" in second
