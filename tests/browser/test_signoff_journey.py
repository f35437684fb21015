"""The sign-off journey in a real browser: an editor asks, a reviewer approves, the public sees."""
from __future__ import annotations

import pytest
import requests

from ckan import model
from ckan.tests import factories, helpers

from .conftest import ARTIFACTS, GOVERNANCE_SCHEMA, PASSWORD, PORTAL_PLUGINS, log_in

CHECKLIST = ("licence", "personal_data", "schema", "open_format", "metadata")


@pytest.fixture
def portal_settings() -> dict[str, str]:
    """The live portal uses the suite's dataset schema, with its owner service field."""
    return {"scheming.dataset_schemas": GOVERNANCE_SCHEMA}


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", GOVERNANCE_SCHEMA)
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_editor_requests_reviewer_approves_and_the_dataset_is_public(live_portal, browser_page):
    """An editor asks for a review, a reviewer approves it, then the public sees the dataset."""
    editor = factories.User(name="agent-finances", password=PASSWORD)
    reviewer = factories.User(name="dpo-rennes", password=PASSWORD)
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    helpers.call_action("governance_service_create", organization_id=org["id"],
                        name="direction-des-finances", title="Direction des finances")
    helpers.call_action("governance_reviewer_create", organization_id=org["id"],
                        user=reviewer["name"])
    factories.Dataset(name="budget-primitif-2026", title="Budget primitif 2026",
                      owner_org=org["id"], private=True, license_id="cc-by-4.0",
                      notes="Budget voté.", owner_service="direction-des-finances",
                      update_frequency="ANNUAL", contains_personal_data="false",
                      data_steward="Claire Martin",
                      tags=[{"name": "finances"}])
    model.Session.commit()
    assert requests.get(live_portal + "/dataset/budget-primitif-2026").status_code == 404
    page = browser_page

    # The editor asks for a sign-off from the dataset's Governance tab.
    log_in(page, live_portal, editor["name"])
    page.goto(live_portal + "/dataset/budget-primitif-2026")
    page.locator("a[href$='/dataset/budget-primitif-2026/governance']").first.click()
    page.wait_for_url("**/governance")
    # The publication tracker's next action is the request form.
    page.locator(".governance-next-action a").click()
    page.wait_for_function("location.hash === '#governance-request-form'")
    page.fill("#field-request-comment", "Budget voté le 12 mars, prêt à publier.")
    assert page.locator("#field-request-publish").is_checked()
    page.locator("#governance-request-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".governance-state-submitted").count() == 1
    assert page.locator("#governance-decide-form").count() == 0
    page.goto(live_portal + "/user/_logout")

    # The reviewer finds it in the queue and approves it, item by item.
    log_in(page, live_portal, reviewer["name"])
    page.goto(live_portal + "/governance/reviews")
    page.locator("a[href$='/dataset/budget-primitif-2026/governance']").first.click()
    page.wait_for_url("**/governance")
    for item in CHECKLIST:
        page.check(f"#verdict-{item}-ok")
    page.fill("#comment-licence", "Licence Ouverte compatible CC-BY.")
    page.fill("#field-decision-comment", "Conforme.")
    page.screenshot(path=str(ARTIFACTS / "signoff-decision-form.png"), full_page=True)
    page.locator("#governance-decide-form button[value=approve]").click()
    page.wait_for_load_state()
    assert page.locator(".governance-state-approved").count() == 1
    assert page.locator(".governance-public").count() == 1
    assert page.locator(".governance-tracker [data-state=done]").count() == 5
    page.screenshot(path=str(ARTIFACTS / "signoff-approved.png"), full_page=True)

    # An anonymous visitor now sees the dataset.
    visitor = page.context.browser.new_context(locale="fr-FR")
    try:
        anonymous = visitor.new_page()
        response = anonymous.goto(live_portal + "/dataset/budget-primitif-2026")
        assert response.status == 200
        assert anonymous.locator("h1").first.inner_text().strip() == "Budget primitif 2026"
    finally:
        visitor.close()
