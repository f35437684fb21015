"""Data request mails, captured by a real SMTP server: new requests to the organization's
admins, status changes to followers and voters, nothing for spam."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.reuse_tracker.datarequest_setup import MARKS, as_user, create, make_portal
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    monkeypatch.setitem(tk.config, "ckan.site_url", "http://portail.example")
    return smtp_server


def _recipients(server: SMTPTestServer) -> set[str]:
    return {rcpt for envelope in server.envelopes for rcpt in envelope.rcpt_tos}


def _subject(message) -> str:
    # A long subject is folded over several header lines: compare its words.
    return " ".join(str(message["Subject"]).split())


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_new_request_is_mailed_to_the_organizations_admins(mail):
    """The target organization's admins (not its editors) learn of a new request."""
    portal = make_portal()
    assert _recipients(mail) == {portal.admin["email"]}
    message = mail.messages[0]
    assert _subject(message) == (
        "[Portail de test] New data request: \"Horaires d'ouverture des équipements sportifs\"")
    body = _body(message)
    assert "mis à jour chaque saison" in body
    assert f"http://portail.example/datarequest/{portal.request['id']}" in body
    assert 'from "Ville de Saint-Martin"' in body


def test_a_request_without_organization_mails_nobody(mail):
    """Without a target organization, nobody is mailed on creation."""
    portal = make_portal()
    mail.clear()
    create(portal.plain)
    assert mail.messages == []


def test_a_spam_request_is_not_announced(mail):
    """A request kept as spam mails nobody."""
    portal = make_portal()
    mail.clear()
    create(portal.plain, organization_id=portal.org["id"], title="Casino en ligne")
    assert mail.messages == []


def test_a_status_change_is_mailed_to_followers_and_voters_but_not_the_actor(mail):
    """Followers (the author, a commenter) and voters are mailed; the moderator is not."""
    portal = make_portal()
    voter, follower = factories.User(), factories.User()
    helpers.call_action("datarequest_vote", as_user(voter), id=portal.request["id"])
    helpers.call_action("datarequest_follow", as_user(follower), id=portal.request["id"])
    helpers.call_action("datarequest_vote", as_user(portal.admin), id=portal.request["id"])
    mail.clear()
    helpers.call_action("datarequest_update", as_user(portal.admin), id=portal.request["id"],
                        state="planned", comment="Prévu pour le printemps.")
    assert _recipients(mail) == {portal.author["email"], voter["email"], follower["email"]}
    message = mail.messages[0]
    assert _subject(message) == (
        "[Portail de test] Data request \"Horaires d'ouverture des équipements sportifs\":"
        " planned")
    body = _body(message)
    assert 'moved from "open" to "planned"' in body
    assert "Prévu pour le printemps." in body


def test_an_unfollowed_user_is_not_mailed(mail):
    """An author who stopped following is not mailed."""
    portal = make_portal()
    helpers.call_action("datarequest_follow", as_user(portal.author), id=portal.request["id"],
                        follow=False)
    mail.clear()
    helpers.call_action("datarequest_update", as_user(portal.admin), id=portal.request["id"],
                        state="under_review")
    assert mail.messages == []


def test_editing_without_a_state_change_mails_nobody(mail):
    """Editing the title is not a status change."""
    portal = make_portal()
    mail.clear()
    helpers.call_action("datarequest_update", as_user(portal.admin), id=portal.request["id"],
                        title="Horaires des gymnases")
    assert mail.messages == []


def test_publishing_mails_the_dataset_address(mail):
    """The publication mail links the dataset that answers the request."""
    portal = make_portal()
    mail.clear()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="published", package_id=portal.dataset["id"])
    assert _recipients(mail) == {portal.author["email"]}
    body = _body(mail.messages[0])
    assert "Équipements sportifs" in body
    assert f"http://portail.example/dataset/{portal.dataset['name']}" in body


def test_publishing_with_a_private_dataset_does_not_reveal_it(mail):
    """The mail names no private dataset (followers may not be allowed to see it)."""
    portal = make_portal()
    mail.clear()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="published", package_id=portal.private["id"])
    body = _body(mail.messages[0])
    assert "Fichier interne" not in body and portal.private["name"] not in body


def test_declining_mails_the_reason_in_french(mail, monkeypatch):
    """On a French portal the mail is in French, with the reason."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    portal = make_portal()
    mail.clear()
    helpers.call_action("datarequest_close", as_user(portal.sysadmin), id=portal.request["id"],
                        state="declined", reason="Ces données relèvent du département.")
    message = mail.messages[0]
    assert _subject(message) == ("[Portail de test] Demande de données « Horaires "
                                  "d'ouverture des équipements sportifs » : refusée")
    body = _body(message)
    assert "Motif du refus :" in body and "relèvent du département" in body
    assert "« ouverte » à « refusée »" in body


def test_moving_to_spam_mails_nobody(mail):
    """Marking a request as spam is not announced."""
    portal = make_portal()
    mail.clear()
    helpers.call_action("datarequest_update", as_user(portal.admin), id=portal.request["id"],
                        state="spam")
    assert mail.messages == []


def test_a_mail_server_that_is_down_loses_no_request(monkeypatch):
    """When the SMTP server refuses connections, the request and its closing are recorded."""
    monkeypatch.setitem(tk.config, "smtp.server", "127.0.0.1:1")
    portal = make_portal()
    closed = helpers.call_action("datarequest_close", as_user(portal.admin),
                                 id=portal.request["id"], state="declined", reason="Non.")
    assert closed["state"] == "declined"
    shown = helpers.call_action("datarequest_show", as_user(None), id=portal.request["id"])
    assert shown["state"] == "declined"
