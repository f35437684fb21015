"""A visitor's first journey through the portal, in a real browser."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories

from tests.opendata_governance.gate_setup import switch_gate

from .conftest import ARTIFACTS, PORTAL_PLUGINS

PASSWORD = "Motdepasse-Solide-2026"


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_home_search_facet_login_and_dataset(live_portal, browser_page):
    """A visitor opens the home page, narrows a search by a tag facet, logs in and opens a dataset."""
    user = factories.User(name="agent-rennes", password=PASSWORD)
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes",
                                 users=[{"name": user["name"], "capacity": "editor"}])
    # A search journey, not a sign-off one: this organization publishes freely.
    switch_gate(org["id"], False)
    factories.Dataset(name="equipements-sportifs", title="Équipements sportifs",
                      owner_org=org["id"], tags=[{"name": "sport"}, {"name": "équipements"}])
    factories.Dataset(name="budget-primitif-2026", title="Budget primitif 2026",
                      owner_org=org["id"], tags=[{"name": "finances"}])
    factories.Dataset(name="deliberations-conseil", title="Délibérations du conseil municipal",
                      owner_org=org["id"], tags=[{"name": "finances"}, {"name": "conseil"}])
    model.Session.commit()
    page = browser_page

    page.goto(live_portal + "/")
    assert page.title()
    assert page.locator("body").is_visible()

    page.goto(live_portal + "/dataset/")
    assert "3" in page.locator(".search-form h1, .search-form h2").first.inner_text()
    page.locator("a[href*='tags=finances']").first.click()
    page.wait_for_url("**tags=finances**")
    titles = page.locator(".dataset-heading a").all_inner_texts()
    assert sorted(t.strip() for t in titles) == ["Budget primitif 2026",
                                                  "Délibérations du conseil municipal"]

    page.goto(live_portal + "/user/login")
    page.fill("input[name=login]", user["name"])
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert page.locator(f"a[href*='/user/{user['name']}']").count() > 0

    page.goto(live_portal + "/dataset/equipements-sportifs")
    assert page.locator("h1").first.inner_text().strip() == "Équipements sportifs"
    page.screenshot(path=str(ARTIFACTS / "smoke-dataset-page.png"), full_page=True)
