"""Automatic unpublishing: new data reruns the checks; a blocking finding hides the dataset."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import Event, Reviewer
from tests.opendata_governance.check_setup import heavy_check  # noqa: F401  (fixture)
from tests.opendata_governance.clean_peer import clean_url
from tests.opendata_governance.gate_setup import approve, open_dataset
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, make_portal
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS

RESOURCE = {"name": "budget.csv", "url": clean_url("budget.csv"), "format": "CSV"}
NEW_RESOURCE = {"name": "budget-2.csv", "url": clean_url("budget-2.csv"),
                "format": "CSV"}
#: New data that the test's heavy blocking check flags (``heavy_check``): an e-mail address.
FLAGGED_RESOURCE = {**NEW_RESOURCE, "size": 1000, "description": "contact: jean@example.fr"}


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    return smtp_server


def _published(portal: Any, override: bool = False, **kwargs: Any) -> dict[str, Any]:
    """A dataset of the portal's service, signed off and made public."""
    created = factories.Dataset(**open_dataset(
        owner_org=portal.org["id"], private=True, owner_service="direction-des-finances",
        resources=[RESOURCE], **kwargs))
    approve(created["id"], override=override)
    return helpers.call_action("package_patch", id=created["id"], private=False)


def _events(event_type: str) -> list[Event]:
    return model.Session.query(Event).filter_by(event_type=event_type).all()


def test_new_resource_with_a_blocking_finding_makes_the_dataset_private(mail, heavy_check):
    """A new resource on a public dataset whose checks now block makes it private."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("resource_create", as_user(portal.editor),
                        package_id=dataset["id"], **FLAGGED_RESOURCE)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
    anonymous = helpers.call_action("package_search", {"user": ""}, q="*:*")
    assert anonymous["count"] == 0


def test_changed_resource_url_with_a_blocking_finding_makes_the_dataset_private(
        mail, heavy_check):
    """A resource given a new URL reruns the checks like a new resource."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("resource_patch", id=dataset["resources"][0]["id"],
                        url=clean_url("budget-v2.csv"), size=1000,
                        description="contact: jean@example.fr")
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_unpublishing_is_recorded_with_the_findings(mail, heavy_check):
    """The auto_unpublished event lists the blocking findings and the new resource."""
    portal = make_portal()
    dataset = _published(portal)
    resource = helpers.call_action("resource_create", package_id=dataset["id"],
                                   **FLAGGED_RESOURCE)
    [event] = _events("auto_unpublished")
    assert event.package_id == dataset["id"]
    assert [f["check_id"] for f in event.details["findings"]] == ["test_emails"]
    assert event.details["resources"] == [resource["id"]]


def test_new_resource_without_a_blocking_finding_keeps_the_dataset_public(mail):
    """New data that passes the blocking checks leaves the dataset public and nobody mailed."""
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("resource_create", package_id=dataset["id"], **NEW_RESOURCE)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
    assert not _events("auto_unpublished")
    assert mail.messages == []


def test_metadata_edit_passing_the_checks_keeps_the_dataset_public(mail):
    """A metadata edit that no blocking check objects to leaves the dataset public.

    Blocking edits (a closed licence, declared personal data): test_gate_blocking_edit.py.
    """
    portal = make_portal()
    dataset = _published(portal)
    helpers.call_action("package_patch", id=dataset["id"], title="Budget primitif 2026")
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
    assert not _events("auto_unpublished")


def test_finding_overridden_at_approval_does_not_unpublish(mail):
    """A blocking check the reviewer explicitly overrode does not hide the dataset again."""
    portal = make_portal()
    dataset = _published(portal, override=True, contains_personal_data="true")
    assert dataset["private"] is False
    helpers.call_action("resource_create", package_id=dataset["id"], **NEW_RESOURCE)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False


def test_override_covers_only_the_checks_failing_at_approval(mail):
    """An override of one check does not excuse another blocking check failing later."""
    portal = make_portal()
    dataset = _published(portal, override=True, contains_personal_data="true")
    helpers.call_action("package_patch", id=dataset["id"], license_id="other-closed")
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
    [event] = _events("auto_unpublished")
    assert [f["check_id"] for f in event.details["findings"]] == ["licence_open"]


def test_service_and_reviewers_are_mailed(mail, heavy_check):
    """The service mailbox, its referent and the organization's reviewers get the notice."""
    portal = make_portal()
    helpers.call_action("governance_service_update", id=portal.service["id"],
                        referent_id=portal.editor["id"])
    reviewer = factories.User()
    model.Session.add(Reviewer(organization_id=portal.org["id"], user_id=reviewer["id"]))
    model.Session.commit()
    dataset = _published(portal)
    mail.clear()
    helpers.call_action("resource_create", package_id=dataset["id"], **FLAGGED_RESOURCE)
    recipients = sorted(to for envelope in mail.envelopes for to in envelope.rcpt_tos)
    assert recipients == sorted(["finances@example.org", portal.editor["email"],
                                 reviewer["email"]])
    message = mail.messages[0]
    assert dataset["title"] in message["Subject"]
    assert "e-mail addresses found" in message.get_content()


def test_organization_admins_are_mailed_when_it_has_no_reviewers(mail, heavy_check):
    """Without named reviewers, the organization's admins are told instead."""
    portal = make_portal()
    dataset = _published(portal)
    mail.clear()
    helpers.call_action("resource_create", package_id=dataset["id"], **FLAGGED_RESOURCE)
    recipients = sorted(to for envelope in mail.envelopes for to in envelope.rcpt_tos)
    assert recipients == sorted(["finances@example.org", portal.admin["email"]])


def test_notice_is_in_french_on_a_french_portal(mail, monkeypatch, heavy_check):
    """A portal whose default language is French mails the French template."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    portal = make_portal()
    dataset = _published(portal)
    mail.clear()
    helpers.call_action("resource_create", package_id=dataset["id"], **FLAGGED_RESOURCE)
    assert mail.messages[0]["Subject"].startswith("[Portail de test] Jeu de données repassé")
