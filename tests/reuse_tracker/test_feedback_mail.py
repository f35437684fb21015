"""Feedback mails, captured by a real SMTP server: routing to the owner service or the
organization's admins, answers to authors, nothing for spam."""
from __future__ import annotations

from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance import services_setup
from tests.shared import as_user
from tests.reuse_tracker.feedback_setup import GOVERNANCE_MARKS, MARKS, make_portal, post
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)


def _with(marks: list) -> Callable[[Any], Any]:
    """Apply a list of marks to one test (the module mixes two plugin sets)."""
    def apply(test: Any) -> Any:
        for mark in reversed(marks):
            test = mark(test)
        return test
    return apply


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    return smtp_server


def _recipients(server: SMTPTestServer) -> set[str]:
    return {rcpt for envelope in server.envelopes for rcpt in envelope.rcpt_tos}


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


@_with(MARKS)
def test_without_governance_the_organization_admins_are_mailed(mail):
    """Without the governance plugin, feedback goes to the organization's admins."""
    portal = make_portal()
    assert _recipients(mail) == {portal.admin["email"]}
    message = mail.messages[0]
    assert message["Subject"] == '[Portail de test] New feedback on "Budget primitif"'
    assert "Les montants sont-ils en euros ?" in _body(message)
    assert f"/feedback/{portal.feedback['id']}" in _body(message)


@_with(MARKS)
def test_the_author_is_mailed_the_answer(mail):
    """A public answer is mailed to the feedback's author."""
    portal = make_portal()
    mail.clear()
    helpers.call_action("feedback_respond", as_user(portal.editor), id=portal.feedback["id"],
                        body="Oui, en euros.")
    assert _recipients(mail) == {portal.author["email"]}
    assert "Oui, en euros." in _body(mail.messages[0])


@_with(MARKS)
def test_spam_sends_no_mail(mail):
    """Feedback kept as spam is announced to nobody."""
    portal = make_portal()
    mail.clear()
    post(portal.plain, portal.dataset["id"], body="casino")
    assert mail.messages == []


@_with(MARKS)
def test_mails_are_in_french_on_a_french_portal(mail, monkeypatch):
    """With a French default locale, the mail is in French with the kind in words."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    portal = make_portal()
    mail.clear()
    post(portal.plain, portal.dataset["id"], kind="update_request", body="Mise à jour ?")
    message = mail.messages[0]
    assert message["Subject"] == "[Portail de test] Nouveau retour sur « Budget primitif »"
    assert "demande de mise à jour" in _body(message)


@_with(MARKS)
def test_a_mail_server_that_is_down_loses_no_feedback(monkeypatch):
    """When the SMTP server refuses connections, the feedback is still recorded."""
    monkeypatch.setitem(tk.config, "smtp.server", "127.0.0.1:1")
    portal = make_portal()
    item = post(portal.plain, portal.dataset["id"])
    listing = helpers.call_action("feedback_list", as_user(None),
                                  package_id=portal.dataset["id"])
    assert item["id"] in [i["id"] for i in listing["results"]]


def _governance_dataset(portal, service):
    # Private: no sign-off needed; the organization's member posts.
    return services_setup.dataset(portal, service=service, private=True,
                                  title="Subventions")


@_with(GOVERNANCE_MARKS)
def test_the_owner_service_mailbox_and_referent_are_mailed(mail):
    """With governance, the owner service's mailbox and referent get the feedback."""
    portal = services_setup.make_portal()
    helpers.call_action("governance_service_update", id=portal.service["id"],
                        referent_id=portal.editor["id"])
    dataset = _governance_dataset(portal, "direction-des-finances")
    mail.clear()
    post(portal.member, dataset["id"], body="Il manque 2025.")
    assert _recipients(mail) == {"finances@example.org", portal.editor["email"]}


@_with(GOVERNANCE_MARKS)
def test_a_dataset_without_service_goes_to_the_admins(mail):
    """With governance but no owner service, the organization's admins are mailed."""
    portal = services_setup.make_portal()
    dataset = _governance_dataset(portal, None)
    mail.clear()
    item = post(portal.member, dataset["id"])
    assert item["service"] is None
    assert _recipients(mail) == {portal.admin["email"]}


@_with(GOVERNANCE_MARKS)
def test_a_service_without_mailbox_or_referent_falls_back_to_the_admins(mail):
    """An owner service with neither mailbox nor referent routes to the admins."""
    portal = services_setup.make_portal()
    helpers.call_action("governance_service_create", {"user": portal.sysadmin["name"]},
                        organization_id=portal.org["id"], name="voirie", title="Voirie")
    dataset = _governance_dataset(portal, "voirie")
    mail.clear()
    item = post(portal.member, dataset["id"])
    assert item["service"] == "voirie"
    assert _recipients(mail) == {portal.admin["email"]}
