"""Harvest source pages (job report, preview) and the provenance block of a dataset page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.opendata_governance.gate_setup import switch_gate

from tests.territorial_consolidation.harvest_setup import (MARKS, free_port, harvested,
                                                           make_source, run_job)
from tests.shared import PASSWORD, csrf_token, login

pytestmark = MARKS


def _editor_and_source(url: str, config: Any = None) -> tuple[dict, dict, dict]:
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    return editor, org, make_source(org, url, config)


def test_report_page_shows_counts_and_errors_to_editors(app, api_headers):
    """An editor of the source sees each job with its counts and error messages."""
    editor, _org, source = _editor_and_source(f"http://127.0.0.1:{free_port()}")
    run_job(source["id"])
    response = app.get(f"/harvest/territorial/{source['id']}", headers=api_headers(editor))
    assert response.status_code == 200
    assert 'class="count-errors">1<' in response.body
    assert "127.0.0.1" in response.body
    assert "incomplete gather" in response.body


def test_report_page_is_forbidden_to_other_users(app, api_headers):
    """A user outside the source's organization gets a 403."""
    _editor, _org, source = _editor_and_source("https://partner.example.org")
    response = app.get(f"/harvest/territorial/{source['id']}",
                       headers=api_headers(factories.User()))
    assert response.status_code == 403


def test_report_page_sends_anonymous_users_to_login(app):
    """An anonymous visitor is redirected to the login page."""
    _editor, _org, source = _editor_and_source("https://partner.example.org")
    response = app.get(f"/harvest/territorial/{source['id']}", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_report_page_of_unknown_source_is_404(app, api_headers):
    """An unknown source id is a 404 page."""
    response = app.get("/harvest/territorial/nope", headers=api_headers(factories.Sysadmin()))
    assert response.status_code == 404


def test_preview_page_lists_partner_datasets_escaped(app, api_headers, ckan_peer):
    """The preview page lists the partner's datasets, their titles escaped."""
    remote_org = ckan_peer.organization()
    ckan_peer.dataset(remote_org, title="<script>alert('x')</script> Budget")
    editor, _org, source = _editor_and_source(ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]}})
    response = app.get(f"/harvest/territorial/{source['id']}/preview",
                       headers=api_headers(editor))
    assert response.status_code == 200
    assert "&lt;script&gt;alert(" in response.body
    assert "<script>alert(" not in response.body
    assert "35238" in response.body


def test_preview_page_shows_partner_failure_in_page(app, api_headers):
    """A partner that cannot be reached is reported in the preview page, not as a 500."""
    editor, _org, source = _editor_and_source(f"http://127.0.0.1:{free_port()}")
    response = app.get(f"/harvest/territorial/{source['id']}/preview",
                       headers=api_headers(editor))
    assert response.status_code == 200
    assert "territorial-preview-errors" in response.body


def test_provenance_block_names_the_partner_page(app, ckan_peer):
    """The dataset provenance block links to the dataset's page on the partner portal."""
    remote_org = ckan_peer.organization()
    remote = ckan_peer.dataset(remote_org)
    _editor, org, source = _editor_and_source(ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]}})
    switch_gate(org["id"], False)
    run_job(source["id"])
    local = harvested(source["id"])[remote["id"]]
    assert local["private"] is False
    with app.flask_app.test_request_context():
        html = tk.render_snippet("territorial_consolidation/snippets/dataset_provenance.html",
                                 {"pkg": local})
    assert "territorial-provenance" in html
    assert f'href="{ckan_peer.url}/dataset/{remote["name"]}"' in html
    assert "35238" in html


def test_private_harvested_dataset_page_hides_provenance_from_outsiders(app, api_headers,
                                                                        ckan_peer):
    """An outsider gets a 404 for a private harvested dataset: no provenance leaks."""
    remote_org = ckan_peer.organization()
    remote = ckan_peer.dataset(remote_org)
    _editor, _org, source = _editor_and_source(ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]}})
    run_job(source["id"])
    local = harvested(source["id"])[remote["id"]]
    assert local["private"] is True
    response = app.get(f"/dataset/{local['name']}", headers=api_headers(factories.User()))
    assert response.status_code == 404
    assert ckan_peer.url not in response.body


def test_source_form_is_french_and_creates_a_source(app):
    """The source form (the suite's, in place of ckanext-harvest's) reads in French with
    organizations by title and help under the fields, and creates the source it is given."""
    editor = factories.User(password=PASSWORD)
    org = factories.Organization(title="Ville de Bruz", users=[
        {"name": editor["name"], "capacity": "admin"}])
    client = login(app, factories.Sysadmin(password=PASSWORD))
    page = client.get("/fr/harvest/new").get_data(as_text=True)
    assert "Type de portail partenaire" in page and "Source type" not in page
    assert ">Ville de Bruz</option>" in page and f">{org['name']}</option>" not in page
    assert 'value="Save"' not in page and ">Enregistrer</button>" in page
    assert "Portail partenaire CKAN (territorial)" in page
    response = client.post("/fr/harvest/new", data={
        "url": "https://data.exemple.fr", "title": "Données de Bruz", "name": "bruz",
        "notes": "", "source_type": "territorial_ckan", "frequency": "WEEKLY",
        "config": '{"territory": "commune:35047"}', "owner_org": org["id"],
        "save": "save", "_csrf_token": csrf_token(page)}, follow_redirects=False)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    source = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": "bruz"})
    assert (source["url"], source["source_type"], source["frequency"], source["owner_org"]) \
        == ("https://data.exemple.fr", "territorial_ckan", "WEEKLY", org["id"])


def test_source_form_names_the_field_of_an_error(app):
    """A source without its address comes back with the form and the URL field's error."""
    org = factories.Organization()
    client = login(app, factories.Sysadmin(password=PASSWORD))
    page = client.get("/fr/harvest/new").get_data(as_text=True)
    response = client.post("/fr/harvest/new", data={
        "url": "", "title": "Sans adresse", "name": "sans-adresse",
        "source_type": "territorial_ckan", "frequency": "MANUAL", "config": "",
        "owner_org": org["id"], "save": "save", "_csrf_token": csrf_token(page)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="source-new"' in body
    assert "URL" in body and "error" in body
    assert not tk.get_action("harvest_source_list")({"ignore_auth": True}, {})


def test_source_page_links_its_report_to_editors_only(app):
    """The source page has report and preview tabs for those who manage the source;
    anonymous visitors get neither."""
    editor = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    source = make_source(org, "https://partner.example.org")
    report = f"/harvest/territorial/{source['id']}"
    body = login(app, editor).get(f"/fr/harvest/{source['name']}").get_data(as_text=True)
    assert f'href="/fr{report}"' in body and f'href="/fr{report}/preview"' in body
    assert "Rapport de moissonnage" in body
    anonymous = app.get(f"/harvest/{source['name']}").get_data(as_text=True)
    assert report not in anonymous
