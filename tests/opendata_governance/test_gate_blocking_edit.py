"""A blocking edit of a published dataset (closed licence, declared personal data) unpublishes it."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import CheckResult, Event
from tests.opendata_governance.gate_setup import approve, open_dataset
from tests.shared import as_user, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, make_portal
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS

RESOURCE = {"name": "budget.csv", "url": "https://example.org/budget.csv", "format": "CSV"}


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    return smtp_server


def _published(portal: Any, **kwargs: Any) -> dict[str, Any]:
    """A dataset of the portal's service, signed off and made public."""
    created = factories.Dataset(**open_dataset(
        owner_org=portal.org["id"], private=True, owner_service="direction-des-finances",
        resources=[RESOURCE], **kwargs))
    approve(created["id"])
    return helpers.call_action("package_patch", id=created["id"], private=False)


def _is_private(dataset_id: str) -> bool:
    return helpers.call_action("package_show", id=dataset_id)["private"]


def _unpublished() -> list[Event]:
    return model.Session.query(Event).filter_by(event_type="auto_unpublished").all()


def _findings(event: Event) -> list[str]:
    return [finding["check_id"] for finding in event.details["findings"]]


def test_patch_to_a_closed_licence_makes_the_dataset_private(mail):
    """package_patch to license_id=other-closed takes a public dataset back to private."""
    portal = make_portal()
    dataset = _published(portal)
    patched = helpers.call_action("package_patch", as_user(portal.editor), id=dataset["id"],
                                  license_id="other-closed")
    assert patched["private"] is True
    assert _is_private(dataset["id"])
    anonymous = helpers.call_action("package_search", {"user": ""}, q="*:*")
    assert anonymous["count"] == 0


def test_patch_declaring_personal_data_makes_the_dataset_private(mail):
    """package_patch to contains_personal_data=true takes a public dataset back to private."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("package_patch", as_user(portal.editor), id=dataset["id"],
                        contains_personal_data="true")
    assert _is_private(dataset["id"])
    [event] = _unpublished()
    assert _findings(event) == ["personal_data_declared"]
    assert event.details["fields"] == ["contains_personal_data"]
    assert event.actor_id == portal.editor["id"]


def test_update_to_a_closed_licence_makes_the_dataset_private(mail):
    """package_update with a closed licence takes a public dataset back to private."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("package_update", as_user(portal.editor),
                        **{**dataset, "license_id": "other-closed"})
    assert _is_private(dataset["id"])
    [event] = _unpublished()
    assert _findings(event) == ["licence_open"]


def test_revise_declaring_personal_data_makes_the_dataset_private(mail):
    """package_revise setting contains_personal_data=true takes the dataset back to private."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("package_revise", as_user(portal.editor),
                        match={"id": dataset["id"]},
                        update={"contains_personal_data": "true"})
    assert _is_private(dataset["id"])


def test_edit_form_with_a_closed_licence_makes_the_dataset_private(app, mail):
    """The dataset edit form saving a closed licence takes the dataset back to private."""
    portal = make_portal()
    dataset = _published(portal)
    client = login(app, portal.editor)
    page = client.get(f"/dataset/edit/{dataset['name']}")
    response = client.post(f"/dataset/edit/{dataset['name']}", data={
        "_csrf_token": csrf_token(page.body), "name": dataset["name"],
        "title": dataset["title"], "notes": dataset["notes"] or "",
        "owner_org": dataset["owner_org"], "owner_service": "direction-des-finances",
        "license_id": "other-closed", "contains_personal_data": "false",
        "private": "False", "save": ""}, follow_redirects=False)
    assert response.status_code == 302, response.body
    assert _is_private(dataset["id"])


def test_blocking_edit_mails_the_service_and_the_admins(mail):
    """The owner service and the organization's reviewers (its admins) get the notice."""
    portal = make_portal()
    dataset = _published(portal)
    mail.clear()
    helpers.call_action("package_patch", id=dataset["id"], license_id="other-closed")
    recipients = sorted(to for envelope in mail.envelopes for to in envelope.rcpt_tos)
    assert recipients == sorted(["finances@example.org", portal.admin["email"]])
    assert "not an open licence" in mail.messages[0].get_content()


def test_blocking_edit_stores_the_check_results(mail):
    """The checks rerun by the edit are kept, marked as run by a metadata change."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("package_patch", id=dataset["id"], license_id="other-closed")
    triggers = {row.trigger for row in model.Session.query(CheckResult)
                .filter_by(package_id=dataset["id"], check_id="licence_open")}
    assert "metadata_change" in triggers


def test_open_licence_edit_keeps_the_dataset_public(mail):
    """Changing to another open licence reruns the checks and leaves the dataset public."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("package_patch", id=dataset["id"], license_id="odc-odbl")
    assert not _is_private(dataset["id"])
    assert not _unpublished()
    assert mail.messages == []


def test_overridden_closed_licence_stays_public_on_other_edits(mail):
    """A closed licence the reviewer overrode at sign-off does not unpublish on later edits."""
    portal = make_portal()
    created = factories.Dataset(**open_dataset(
        owner_org=portal.org["id"], private=True, license_id="other-closed"))
    approve(created["id"], override=True)
    helpers.call_action("package_patch", id=created["id"], private=False)
    helpers.call_action("package_patch", id=created["id"], title="Budget primitif 2026")
    assert not _is_private(created["id"])
    assert not _unpublished()
