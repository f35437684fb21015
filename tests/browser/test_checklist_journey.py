"""An organization's own review checklist in a real browser: its admin writes it, the
producer reads it in the guide, a reviewer decides on it."""
from __future__ import annotations

import re

import pytest

from ckan import model
from ckan.tests import factories, helpers

from .conftest import ARTIFACTS, GOVERNANCE_SCHEMA, PASSWORD, PORTAL_PLUGINS, log_in

#: Words of the pages walked that would mean an untranslated string.
ENGLISH = ("Producer guide", "Review checklist", "Save the checklist", "Who does what",
           "Why it matters", "How to fix it", "Required", "Optional", "Reviewer")


@pytest.fixture
def portal_settings() -> dict[str, str]:
    """The live portal uses the suite's dataset schema, with its owner service field."""
    return {"scheming.dataset_schemas": GOVERNANCE_SCHEMA}


def _no_english(page) -> None:
    text = page.locator("main, #content, body").first.inner_text()
    found = [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]
    assert not found, (page.url, found)


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", GOVERNANCE_SCHEMA)
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_admin_writes_the_checklist_producer_reads_it_reviewer_decides_on_it(
        live_portal, browser_page):
    """The admin adds an item and makes one optional; the guide shows the list to the
    producer; the reviewer's form asks for the new item and grants the sign-off."""
    admin = factories.User(name="admin-rennes", password=PASSWORD)
    editor = factories.User(name="agent-finances", password=PASSWORD)
    reviewer = factories.User(name="dpo-rennes", password=PASSWORD)
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes", users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"}])
    helpers.call_action("governance_service_create", organization_id=org["id"],
                        name="direction-des-finances", title="Direction des finances")
    helpers.call_action("governance_reviewer_create", organization_id=org["id"],
                        user=reviewer["name"])
    factories.Dataset(name="budget-primitif-2026", title="Budget primitif 2026",
                      owner_org=org["id"], private=True, license_id="cc-by-4.0",
                      notes="Budget voté.", owner_service="direction-des-finances",
                      update_frequency="ANNUAL", contains_personal_data="false",
                      data_steward="Claire Martin", tags=[{"name": "finances"}])
    model.Session.commit()
    page = browser_page

    # The admin adds an item in a blank row and makes "schema" optional.
    log_in(page, live_portal, admin["name"])
    page.goto(live_portal + "/organization/governance/ville-de-rennes")
    _no_english(page)
    page.fill("#item-5-label", "Accessibilité des documents")
    page.fill("#item-5-help", "Les PDF joints sont balisés pour les lecteurs d'écran.")
    page.uncheck("#item-2-required")
    page.locator("#governance-checklist-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".governance-checklist-default").count() == 0
    page.screenshot(path=str(ARTIFACTS / "checklist-organization.png"), full_page=True)
    page.goto(live_portal + "/user/_logout")

    # The producer follows the guide link of the Governance tab and finds the list.
    log_in(page, live_portal, editor["name"])
    page.goto(live_portal + "/dataset/budget-primitif-2026/governance")
    page.locator(".governance-guide-link a").click()
    page.wait_for_url("**/governance/guide?dataset=budget-primitif-2026")
    _no_english(page)
    items = page.locator(".governance-guide-checklist li")
    assert items.count() == 6
    assert "Accessibilité des documents" in items.nth(5).inner_text()
    page.screenshot(path=str(ARTIFACTS / "checklist-guide.png"), full_page=True)
    page.goto(live_portal + "/dataset/budget-primitif-2026/governance")
    page.locator("#governance-request-form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_portal + "/user/_logout")

    # The reviewer answers the required items only (schema is optional now).
    log_in(page, live_portal, reviewer["name"])
    page.goto(live_portal + "/dataset/budget-primitif-2026/governance")
    _no_english(page)
    for item in ("licence", "personal_data", "open_format", "metadata",
                 "accessibilite_des_documents"):
        page.check(f"#verdict-{item}-ok")
    page.locator("#governance-decide-form button[value=approve]").click()
    page.wait_for_load_state()
    assert page.locator(".governance-state-approved").count() == 1
    assert page.locator(".governance-public").count() == 1
    listed = page.locator("ul.governance-checklist").inner_text()
    assert "Accessibilité des documents" in listed
