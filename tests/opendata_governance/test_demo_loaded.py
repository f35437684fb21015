"""The demo once loaded: organizations, datasets, files, reviews and users as described.

These tests only read the portal, so they share one load of the demo (a module-scoped
fixture) instead of loading it into an empty portal each; tests that change the demo
or load it differently are in test_demo.py."""
from __future__ import annotations

from collections import Counter
from typing import Iterator
from urllib.parse import urlparse

import pytest

from ckan.tests import helpers

from ckanext.opendata_governance import demo

from tests.opendata_governance.demo_setup import (
    DATASETS, DEMO_PLUGINS, DESCRIPTION, PRIVATE, PUBLIC, all_datasets, extras_of,
    site_context)
from tests.portal import plugins_loaded, reset_portal

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", DEMO_PLUGINS),
    pytest.mark.usefixtures("with_plugins"),
]


@pytest.fixture(scope="module")
def loaded_once(reset_db, migrate_db_for) -> Iterator[demo.DemoSummary]:
    """One first load of the demo into an empty portal, for every test of this module;
    the portal is emptied again after them."""
    with plugins_loaded(DEMO_PLUGINS):
        reset_portal(reset_db, migrate_db_for)
        summary = demo.load_demo()
    yield summary
    with plugins_loaded(DEMO_PLUGINS):
        reset_portal(reset_db, migrate_db_for)


@pytest.fixture
def loaded(loaded_once: demo.DemoSummary, with_plugins: None) -> demo.DemoSummary:
    """The summary of the module's load of the demo, with the plugins loaded for the test."""
    return loaded_once


def test_load_creates_the_four_organizations_with_their_codes(loaded):
    """Rennes Métropole and its three communes carry their territory code and level."""
    expected = {
        "rennes-metropole": ("243500139", "epci", "243500139"),
        "rennes": ("35238", "commune", "213502388"),
        "cesson-sevigne": ("35051", "commune", "213500515"),
        "bruz": ("35047", "commune", "213500473"),
    }
    assert sorted(helpers.call_action("organization_list")) == sorted(expected)
    for name, (code, level, siren) in expected.items():
        extras = extras_of(helpers.call_action("organization_show", id=name))
        assert (extras["territory_code"], extras["territorial_level"],
                extras["siren"]) == (code, level, siren)


def test_load_creates_every_described_dataset(loaded):
    """All datasets of demo.yaml exist, more than twenty, with French accented tags."""
    names = {d["name"] for d in all_datasets()}
    assert len(DATASETS) >= 20
    assert names == {d["name"] for d in DATASETS}
    tags = {t["name"] for d in all_datasets() for t in d["tags"]}
    assert {"équipements sportifs", "délibérations", "vélo"} <= tags


def test_load_creates_the_thematic_groups_with_their_datasets(loaded):
    """The three thematic groups exist and hold the datasets described in them."""
    groups = helpers.call_action("group_list", all_fields=True)
    assert {g["name"]: g["title"] for g in groups} == {
        "environnement": "Environnement",
        "finances-publiques": "Finances publiques",
        "mobilite": "Mobilité",
    }
    for group in ("environnement", "finances-publiques", "mobilite"):
        found = {d["name"] for d in all_datasets()
                 if group in {g["name"] for g in d["groups"]}}
        assert found == {d["name"] for d in DATASETS if group in d.get("groups", [])}


def test_datasets_carry_the_governance_vocabulary(loaded):
    """Owner service, EU update frequency, last update and personal-data flag are stored."""
    dataset = helpers.call_action("package_show", id="rennes-metropole-budget-primitif-2025")
    extras = extras_of(dataset)
    assert extras["owner_service"] == "direction-des-finances"
    assert extras["update_frequency"] == "ANNUAL"
    assert extras["last_data_update"] == "2025-02-06"
    assert extras["contains_personal_data"] == "false"
    assert dataset["license_id"] == "odc-odbl"


def test_resources_are_uploaded_files_that_download(app, loaded):
    """Every public resource is an upload whose download returns the demo file byte for byte."""
    checked = 0
    for dataset in PUBLIC:
        shown = helpers.call_action("package_show", id=dataset["name"])
        by_name = {r["name"]: r for r in shown["resources"]}
        for spec in dataset["resources"]:
            resource = by_name[spec["name"]]
            assert resource["url_type"] == "upload"
            response = app.get(urlparse(resource["url"]).path)
            assert response.status_code == 200
            assert response.data == (demo.DATA_DIR / spec["file"]).read_bytes()
            checked += 1
    assert checked == sum(len(d["resources"]) for d in PUBLIC)


def test_schema_references_are_recorded_on_resources(loaded):
    """The four resources copied from official examples point at their schema.data.gouv.fr schema."""
    conforms = {
        r["conforms_to"]
        for d in all_datasets() for r in d["resources"] if r.get("conforms_to")
    }
    assert conforms == {
        "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json",
        "https://schema.data.gouv.fr/schemas/scdl/prenoms/1.1.6/schema.json",
        "https://schema.data.gouv.fr/schemas/etalab/schema-lieux-covoiturage/0.2.0/schema.json",
        "https://schema.data.gouv.fr/schemas/etalab/schema-catalogue-donnees/0.3.0/schema.json",
    }


def test_private_dataset_is_hidden_from_anonymous_search(app, loaded):
    """An anonymous package_search through the API does not list the private datasets."""
    assert PRIVATE
    response = app.get("/api/3/action/package_search", query_string={"rows": 1000})
    result = response.json["result"]
    names = {d["name"] for d in result["results"]}
    assert result["count"] == len(PUBLIC)
    assert not names & {d["name"] for d in PRIVATE}
    private_names = {d["name"] for d in all_datasets() if d["private"]}
    assert private_names == {d["name"] for d in PRIVATE}


def test_private_upload_is_not_downloadable_anonymously(app, loaded):
    """The planted personal data of a private dataset cannot be downloaded without logging in."""
    shown = helpers.call_action("package_show", id="cesson-sevigne-inscriptions-cantine")
    response = app.get(urlparse(shown["resources"][0]["url"]).path)
    assert response.status_code in (403, 404)


def test_organization_search_facets_tags(loaded):
    """Searching one organization's datasets with a tag facet counts its public datasets' tags."""
    result = helpers.call_action(
        "package_search", fq="organization:rennes", rows=0,
        **{"facet.field": ["tags"], "facet.limit": -1})
    rennes = [d for d in PUBLIC if d["organization"] == "rennes"]
    # Seven datasets of Rennes minus the draft budget and the unlicensed first names.
    assert result["count"] == len(rennes) == 6
    expected = Counter(tag for d in rennes for tag in d["tags"])
    assert result["facets"]["tags"] == dict(expected)
    # The private draft budget is the second budget of Rennes: only one counts.
    assert result["facets"]["tags"]["budget"] == 1


def test_first_load_reports_everything_created(loaded):
    """The summary of a first load lists every described object as created."""
    assert len(loaded.created["organizations"]) == 4
    assert len(loaded.created["groups"]) == 3
    assert len(loaded.created["datasets"]) == len(DATASETS)
    assert len(loaded.created["resources"]) == sum(len(d["resources"]) for d in DATASETS)
    assert all(not names for names in loaded.kept.values())


def test_load_creates_the_owner_services_of_each_organization(loaded):
    """Each organization gets the owner services described for it, once."""
    for spec in DESCRIPTION["organizations"]:
        listed = helpers.call_action("governance_service_list",
                                     organization_id=spec["name"], limit=1000)
        assert {s["name"] for s in listed["results"]} == {
            s["name"] for s in spec["services"]}
    assert len(loaded.created["services"]) == sum(
        len(o["services"]) for o in DESCRIPTION["organizations"])
    assert not demo.load_demo().created["services"]


def test_public_datasets_are_published_by_an_approved_sign_off(loaded):
    """Each public dataset was requested by the demo editor and approved by the demo reviewer."""
    producer = helpers.call_action("user_show", id="demo-producteur")
    reviewer = helpers.call_action("user_show", id="demo-relecteur")
    for spec in PUBLIC:
        review = helpers.call_action("governance_review_show", package_id=spec["name"])
        assert review["state"] == "approved", spec["name"]
        assert (review["requested_by"], review["decided_by"]) == (
            producer["id"], reviewer["id"])
        assert helpers.call_action("package_show", id=spec["name"])["private"] is False


def test_exactly_one_review_is_pending(loaded):
    """The demo leaves one request waiting: the first names, without a licence."""
    pending = helpers.call_action("governance_review_list", site_context(), state="submitted")
    assert [r["package_name"] for r in pending["results"]] == ["rennes-prenoms-nouveau-nes"]
    assert pending["results"][0]["blocking_failures"] == ["licence_open"]
    assert helpers.call_action("package_show", id="rennes-prenoms-nouveau-nes")["private"]


def test_private_datasets_other_than_the_pending_one_have_no_review(loaded):
    """The draft budget and the canteen file stay private and were never sent for review."""
    for name in ("rennes-projet-budget-2026", "cesson-sevigne-inscriptions-cantine"):
        assert helpers.call_action("governance_review_list", site_context(), package_id=name,
                                   state="all")["count"] == 0
    # The same query does find the reviews of a published dataset.
    assert helpers.call_action("governance_review_list", site_context(), package_id=PUBLIC[0]["name"],
                               state="all")["count"] == 1


def test_demo_users_are_editor_and_reviewer_of_every_organization(loaded):
    """The demo producer edits in the four organizations and the demo reviewer reviews them."""
    editor_orgs = helpers.call_action("organization_list_for_user", id="demo-producteur",
                                      permission="update_dataset")
    assert {o["name"] for o in editor_orgs} == {o["name"] for o in DESCRIPTION["organizations"]}
    for spec in DESCRIPTION["organizations"]:
        reviewers = helpers.call_action("governance_reviewer_list",
                                        organization_id=spec["name"])["results"]
        assert [r["name"] for r in reviewers] == ["demo-relecteur"]


def test_demo_reviewer_logs_in_with_the_documented_password(app, loaded):
    """The demo reviewer's password from demo.yaml opens a session through the login form."""
    from tests.shared import csrf_token

    spec = next(u for u in DESCRIPTION["users"] if u["name"] == "demo-relecteur")
    client = app.test_client()
    page = client.get("/user/login")
    response = client.post("/user/login", data={
        "login": spec["name"], "password": spec["password"],
        "_csrf_token": csrf_token(page.body)}, follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" not in response.headers["Location"]

