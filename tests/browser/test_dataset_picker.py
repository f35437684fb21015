"""The dataset picker and "My reuses" in a real browser: a reuser picks datasets by title,
never sees another organization's private dataset, and finds the pending reuse again."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories

from tests.opendata_governance.gate_setup import switch_gate

from .conftest import ARTIFACTS, PASSWORD, PORTAL_PLUGINS, log_in


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_reuser_picks_datasets_by_title_and_finds_the_pending_reuse(live_portal, browser_page):
    """Typing a few letters offers readable datasets by title; the picked ones are sent;
    the pending reuse is then listed, with its state, on the reuser's dashboard."""
    reuser = factories.User(name="camille-reutilisatrice", password=PASSWORD)
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes")
    switch_gate(org["id"], False)
    factories.Dataset(name="arbres-alignement", title="Arbres d'alignement", owner_org=org["id"])
    factories.Dataset(name="arceaux-velos", title="Arceaux à vélos", owner_org=org["id"])
    factories.Dataset(name="arretes-brouillon", title="Arrêtés (brouillon)",
                      owner_org=org["id"], private=True)
    model.Session.commit()
    page = browser_page

    log_in(page, live_portal, reuser["name"])
    page.goto(live_portal + "/reuses/new")
    search = page.locator("#field-datasets-search")
    assert search.is_visible() and not page.locator("#field-datasets").is_visible()
    assert search.get_attribute("placeholder") == "Tapez quelques lettres du titre"
    group = page.locator(".form-group", has=page.locator("#field-datasets"))
    assert "budget-primitif pour /dataset/budget-primitif" in group.inner_text()
    search.fill("ar")
    options = page.locator(".dataset-picker-option")
    options.first.wait_for()
    titles = sorted(options.locator(".dataset-picker-option-title").all_inner_texts())
    assert titles == ["Arbres d'alignement", "Arceaux à vélos"]

    options.filter(has_text="Arceaux à vélos").click()
    search.fill("arbr")
    page.locator(".dataset-picker-option", has_text="Arbres d'alignement").wait_for()
    search.press("ArrowDown")
    search.press("Enter")
    chosen = page.locator(".dataset-picker-chosen .dataset-picker-title").all_inner_texts()
    assert chosen == ["Arceaux à vélos", "Arbres d'alignement"]
    assert page.input_value("#field-datasets") == "arceaux-velos, arbres-alignement"
    page.screenshot(path=str(ARTIFACTS / "reuse-dataset-picker.png"), full_page=True)
    page.locator(".dataset-picker-item", has_text="Arceaux").locator("button").click()
    assert page.input_value("#field-datasets") == "arbres-alignement"

    page.fill("#field-title", "Carte des arbres")
    page.fill("#field-url", "https://carte-arbres.example.org/")
    page.locator("#reuse-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".reuse-state-pending").count() == 1

    # Away from its page, the reuser finds it on the dashboard, with its state.
    page.goto(live_portal + "/reuses")
    page.locator("a.reuse-mine-link").click()
    page.wait_for_load_state()
    row = page.locator("tr.dashboard-reuse")
    assert row.count() == 1
    assert "Carte des arbres" in row.inner_text()
    assert "En attente de modération" in row.inner_text()
    assert page.locator("a.reuse-moderation-link").count() == 0
    page.screenshot(path=str(ARTIFACTS / "dashboard-my-reuses.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_moderator_closes_a_request_with_the_dataset_picked_by_title(live_portal, browser_page):
    """The close-as-published form picks one dataset by title, and a second pick replaces it."""
    from ckan.tests import helpers

    admin = factories.User(name="admin-rennes", password=PASSWORD)
    asker = factories.User()
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes",
                                 users=[{"name": admin["name"], "capacity": "admin"}])
    switch_gate(org["id"], False)
    factories.Dataset(name="horaires-piscines", title="Horaires des piscines",
                      owner_org=org["id"])
    factories.Dataset(name="horaires-gymnases", title="Horaires des gymnases",
                      owner_org=org["id"])
    request = helpers.call_action(
        "datarequest_create", {"user": asker["name"], "ignore_auth": False},
        title="Horaires des équipements", description="Piscines et gymnases.",
        organization_id=org["id"])
    model.Session.commit()
    page = browser_page

    log_in(page, live_portal, admin["name"])
    page.goto(live_portal + f"/datarequest/{request['id']}")
    search = page.locator("#field-close-package-search")
    search.fill("horaires gym")
    page.locator(".dataset-picker-option", has_text="Horaires des gymnases").click()
    search.fill("piscines")
    page.locator(".dataset-picker-option", has_text="Horaires des piscines").click()
    assert page.input_value("#field-close-package") == "horaires-piscines"
    assert page.locator(".datarequest-publish-form .dataset-picker-title").all_inner_texts() \
        == ["Horaires des piscines"]
    page.locator(".datarequest-publish-form button[type=submit]").click()
    page.wait_for_load_state()
    closed = helpers.call_action("datarequest_show", id=request["id"])
    assert closed["state"] == "published"
    assert closed["package_name"] == "horaires-piscines"
