"""The suite's POST views check the CSRF token of cookie sessions even after an API-token
request reached the same view (CKAN 2.12 exempts such a view for the whole process)."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests import shared
from tests.opendata_governance import services_setup
from tests.reuse_tracker import datarequest_setup


@pytest.mark.ckan_config("ckan.plugins", datarequest_setup.PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_datarequest_form_checks_the_token_after_an_api_token_request(app, api_headers):
    """An API-token post is accepted; then a cookie session without the form's token is
    refused and records nothing, and with the token it is accepted."""
    portal = datarequest_setup.make_portal()
    by_token = app.post("/datarequest/new", headers=api_headers(portal.plain), data={
        "title": "Par jeton", "description": "Demande par jeton d'API."}, follow_redirects=False)
    assert by_token.status_code == 302
    client = datarequest_setup.login(app, portal.plain)
    refused = client.post("/datarequest/new", data={
        "title": "Sans jeton", "description": "Rien."})
    assert refused.status_code in (400, 403)
    assert helpers.call_action("datarequest_list", {}, q="Sans jeton")["count"] == 0
    token = datarequest_setup.csrf_token(client.get("/datarequest/new").body)
    accepted = client.post("/datarequest/new", data={
        "title": "Avec jeton", "description": "Demande du formulaire.",
        "_csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 302
    assert helpers.call_action("datarequest_list", {}, q="Avec jeton")["count"] == 1


@pytest.mark.ckan_config("ckan.plugins", services_setup.PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", services_setup.SCHEMA)
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_service_form_checks_the_token_after_an_api_token_request(app, api_headers):
    """The governance service form: token request first, then a cookie session needs the
    form's token."""
    portal = services_setup.make_portal()
    url = f"/organization/services/{portal.org['name']}/new"
    by_token = app.post(url, headers=api_headers(portal.admin), data={
        "name": "voirie", "title": "Voirie", "active": "on"}, follow_redirects=False)
    assert by_token.status_code == 302
    client = shared.login(app, portal.admin)
    refused = client.post(url, data={"name": "parcs", "title": "Parcs", "active": "on"})
    assert refused.status_code in (400, 403)
    token = shared.csrf_token(client.get(url).body)
    accepted = client.post(url, data={"name": "parcs", "title": "Parcs", "active": "on",
                                      "_csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 302
    listed = helpers.call_action("governance_service_list",
                                 shared.as_user(portal.admin),
                                 organization_id=portal.org["id"])
    assert {"voirie", "parcs"} <= {service["name"] for service in listed["results"]}
