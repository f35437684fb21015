"""The feedback inbox names owner services by their titles, filters them by a list, and
sorts the figures in French order, when the governance plugin knows the services."""
from __future__ import annotations

import html

from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.shared import PASSWORD, as_user, login
from tests.reuse_tracker.feedback_setup import GOVERNANCE_MARKS, post

pytestmark = GOVERNANCE_MARKS


def _portal() -> dict:
    """An organization (gate off) whose public dataset is owned by its finance service,
    its editor, and a question sent to that service."""
    sysadmin = factories.Sysadmin()
    editor, author = factories.User(password=PASSWORD), factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    helpers.call_action("governance_settings_update", as_user(sysadmin),
                        organization_id=org["id"], gate_enabled=False)
    helpers.call_action("governance_service_create", as_user(sysadmin),
                        organization_id=org["id"], name="direction-des-finances",
                        title="Direction des finances")
    dataset = factories.Dataset(owner_org=org["id"], owner_service="direction-des-finances")
    post(author, dataset["id"], body="Les montants sont-ils en euros ?")
    return {"editor": editor}


def test_the_inbox_shows_and_filters_services_by_title(app):
    """The row and the figures read "Direction des finances"; the filter is a list of the
    services, and choosing one keeps its feedback."""
    portal = _portal()
    client = login(app, portal["editor"])
    page = client.get("/fr/feedback/inbox")
    soup = BeautifulSoup(page.body, "html.parser")
    rows = [row.get_text() for row in soup.select("tr.feedback-row")]
    assert any("Direction des finances" in row for row in rows)
    assert not any("direction-des-finances" in row for row in rows)
    options = {option["value"]: option.get_text() for option in
               soup.select("select#filter-service option")}
    assert options == {"": "Tous les services", "direction-des-finances": "Direction des finances"}
    service_rows = soup.select("tr.feedback-stats-service")
    assert "Direction des finances" in service_rows[0].get_text()
    filtered = html.unescape(client.get(
        "/fr/feedback/inbox", query_string={"service": "direction-des-finances"}).body)
    assert "Les montants sont-ils en euros ?" in filtered
