"""The reuse journey in a real browser: a user submits, a moderator publishes, the public sees it."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories

from tests.opendata_governance.gate_setup import switch_gate

from .conftest import ARTIFACTS, PASSWORD, PORTAL_PLUGINS, log_in

#: Each payload would set ``window.__xss`` (or open a dialog) if it ever ran.
DESCRIPTION = """Carte des **arbres d'alignement** de la ville, mise à jour chaque mois.

<script>window.__xss = "script";</script>
<img src="x" onerror="window.__xss = 'onerror'; alert(1)">
<a href="https://example.org" onclick="window.__xss = 'onclick'">source</a>
[voir la carte](javascript:window.__xss='javascript-link')
"""


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_user_submits_moderator_publishes_and_the_dataset_page_shows_it(live_portal,
                                                                       browser_page):
    """A user submits a hostile-looking reuse, an org admin publishes it, visitors see it inert."""
    reuser = factories.User(name="camille-reutilisatrice", password=PASSWORD)
    admin = factories.User(name="admin-rennes", password=PASSWORD)
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes",
                                 users=[{"name": admin["name"], "capacity": "admin"}])
    switch_gate(org["id"], False)
    factories.Dataset(name="arbres-alignement", title="Arbres d'alignement",
                      owner_org=org["id"])
    model.Session.commit()
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # The reuser starts from the dataset page: the form knows the dataset.
    log_in(page, live_portal, reuser["name"])
    page.goto(live_portal + "/dataset/arbres-alignement")
    assert page.locator("#dataset-reuses .reuse-card").count() == 0
    page.locator("a.reuse-dataset-submit").click()
    page.wait_for_url("**/reuses/new?dataset=arbres-alignement")
    assert page.input_value("#field-datasets") == "arbres-alignement"
    page.fill("#field-title", "Carte des arbres <b>de Rennes</b>")
    page.fill("#field-url", "https://carte-arbres.example.org/rennes")
    page.fill("#field-description", DESCRIPTION)
    page.select_option("#field-type", "visualization")
    page.locator("#reuse-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".reuse-state-pending").count() == 1
    reuse_url = page.url
    page.goto(live_portal + "/user/_logout")

    # The organization's admin moderates it from the queue.
    log_in(page, live_portal, admin["name"])
    page.goto(live_portal + "/reuses/moderation")
    item = page.locator(".reuse-queue-item")
    assert item.count() == 1
    page.screenshot(path=str(ARTIFACTS / "reuse-moderation-queue.png"), full_page=True)
    item.locator("button[value=publish]").click()
    page.wait_for_load_state()
    assert page.locator(".reuse-queue-item").count() == 0

    # A visitor finds it on the dataset page, opens it: the payloads stay inert.
    visitor = page.context.browser.new_context(locale="fr-FR")
    try:
        anonymous = visitor.new_page()
        anonymous.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        anonymous.goto(live_portal + "/dataset/arbres-alignement")
        card = anonymous.locator("#dataset-reuses .reuse-card-title")
        assert card.inner_text().strip() == "Carte des arbres <b>de Rennes</b>"
        anonymous.locator("#dataset-reuses a.reuse-card-link").click()
        anonymous.wait_for_load_state()
        assert anonymous.url == reuse_url
        assert anonymous.locator("h1.reuse-title").inner_text().strip() == \
            "Carte des arbres <b>de Rennes</b>"
        assert anonymous.locator(".reuse-description strong").inner_text() == \
            "arbres d'alignement"
        link_out = anonymous.locator("a.reuse-link-out")
        assert link_out.get_attribute("href") == "https://carte-arbres.example.org/rennes"
        # Clicking what is left of the javascript: link runs nothing either.
        anonymous.locator(".reuse-description a", has_text="voir la carte").click()
        assert anonymous.locator(".reuse-description [onclick], .reuse-description [onerror]"
                                 ).count() == 0
        anonymous.screenshot(path=str(ARTIFACTS / "reuse-published.png"), full_page=True)
        assert anonymous.evaluate("typeof window.__xss") == "undefined"
    finally:
        visitor.close()
    assert dialogs == []
