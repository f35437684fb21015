"""The pages each role walks through, in French, show no message left in English: CKAN's
and ckanext-harvest's that their own French catalogues lack are translated by ours."""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.services_setup import SCHEMA
from tests.suite.french_pages import english_texts, untranslated_messages
from tests.shared import PASSWORD, login
from tests.territorial_consolidation.territory_setup import load_dep35

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", (
        "postgres_search activity scheming_datasets scheming_organizations "
        "opendata_governance validation reuse_tracker territorial_consolidation harvest "
        "territorial_ckan_harvester")),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.ckan_config("scheming.organization_schemas",
                            "ckanext.scheming:org_with_dept_id.json"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _portal() -> dict[str, Any]:
    """An organization with its admin, editor and member, a public and a private dataset,
    a group, a harvest source, and a plain user."""
    users = {role: factories.User(password=PASSWORD)
             for role in ("admin", "editor", "member", "plain")}
    sysadmin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(title="Ville de Bruz", users=[
        {"name": users[role]["name"], "capacity": role}
        for role in ("admin", "editor", "member")])
    helpers.call_action("governance_settings_update", {"user": sysadmin["name"]},
                        organization_id=org["id"], gate_enabled=False)
    group = factories.Group(title="Finances publiques")
    public = factories.Dataset(owner_org=org["id"], title="Subventions 2025", notes="",
                               groups=[{"name": group["name"]}], tags=[{"name": "budget"}],
                               resources=[{"url": "https://example.org/s.csv",
                                           "name": "Subventions", "format": "CSV"}])
    private = factories.Dataset(owner_org=org["id"], private=True, title="Brouillon")
    source = helpers.call_action(
        "harvest_source_create", {"user": sysadmin["name"]},
        name=f"source-{uuid.uuid4().hex[:8]}", title="Portail de Rennes",
        url="https://data.rennes.example.fr", source_type="territorial_ckan",
        owner_org=org["id"], config=json.dumps({"territory": "commune:35238"}))
    return {"sysadmin": sysadmin, **users, "org": org, "group": group, "public": public,
            "private": private, "source": source}


def _pages(portal: dict[str, Any]) -> dict[str, list[str]]:
    org, public, private = portal["org"]["name"], portal["public"], portal["private"]
    resource = public["resources"][0]["id"]
    return {
        "anonymous": [
            "/", "/dataset/", f"/dataset/{public['name']}",
            f"/dataset/{public['name']}/resource/{resource}", "/organization/",
            f"/organization/{org}", "/group/", f"/group/{portal['group']['name']}",
            "/user/login", "/user/register", "/reuses", "/datarequest",
            "/dataset/no-such-dataset"],
        "plain": [
            "/dashboard/datasets", f"/user/{portal['plain']['name']}",
            f"/user/edit/{portal['plain']['name']}", "/reuses/new", "/datarequest/new"],
        "editor": [
            "/dataset/new", f"/dataset/edit/{public['name']}", f"/dataset/{private['name']}",
            f"/dataset/{public['name']}/resource/new", f"/organization/to-open/{org}"],
        "admin": [
            "/governance", f"/organization/edit/{org}", f"/organization/members/{org}"],
        "sysadmin": [
            "/harvest", "/harvest/new", f"/harvest/{portal['source']['name']}",
            "/governance/reviews", "/ckan-admin"],
    }


def test_the_check_finds_an_english_message_and_passes_a_translated_one():
    """The check can fail: a message no French catalogue translates is found in a page,
    in its text or its placeholder; one CKAN translates (« Jeu de données ») is not."""
    english = sorted(untranslated_messages())
    assert english, "every message of CKAN and ckanext-harvest is translated"
    sample = next(message for message in english
                  if message == message.strip() and "<" not in message and '"' not in message)
    assert english_texts(f"<p> {sample} </p>") == {sample}
    assert english_texts(f'<input placeholder="{sample}">') == {sample}
    assert english_texts("<h1>Dataset</h1><script>var a = 'Dataset';</script>") == set()
    # A message with a placeholder is found filled in.
    template = next(message for message in english if message.count("{") == 1
                    and "<" not in message and message.index("{") > 3)
    filled = re.sub(r"\{\w*\}", "rapport-2025.csv", template)
    assert english_texts(f'<button aria-label="{filled}"></button>') == {filled}


@pytest.mark.parametrize("role", ["anonymous", "plain", "editor", "admin", "sysadmin"])
def test_no_english_message_on_the_pages_of(app, role: str):
    """Every page of the role's walk-through, in French, shows no English message."""
    portal = _portal()
    client = app.test_client() if role == "anonymous" else login(app, portal[role])
    found: dict[str, list[str]] = {}
    for path in _pages(portal)[role]:
        response = client.get("/fr" + path, follow_redirects=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        english = english_texts(response.get_data(as_text=True))
        if english:
            found[path] = sorted(english)
    assert not found, f"English on French pages: {found}"


def test_the_harvest_sources_page_has_no_dataset_facets(app):
    """Owner service and freshness are facets of datasets, not of harvest sources."""
    portal = _portal()
    client = login(app, portal["sysadmin"])
    datasets = client.get("/fr/dataset/").get_data(as_text=True)
    assert "Service producteur" in datasets and "Fraîcheur" in datasets
    sources = client.get("/fr/harvest").get_data(as_text=True)
    assert "Sources de moissonnage" in sources
    assert "Service producteur" not in sources and "Fraîcheur" not in sources


def test_the_dataset_page_names_its_territory(app):
    """A dataset's territory reads "Rennes (Commune) — 35238", not the bare code."""
    load_dep35()
    portal = _portal()
    dataset = factories.Dataset(owner_org=portal["org"]["id"], title="Budget de Rennes",
                                territory_code="35238", territorial_level="commune")
    body = app.get(f"/fr/dataset/{dataset['name']}").get_data(as_text=True)
    assert "Rennes (Commune) — <code>35238</code>" in body
