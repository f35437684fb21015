"""Moderation: decisions, mails to the submitter and owner services, anonymous submission guards."""
from __future__ import annotations

import random
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.opendata_governance.gate_setup import switch_gate
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import (GOVERNANCE_MARKS, MARKS, make_portal, published,
                                             submit, unique_url)
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    monkeypatch.setitem(tk.config, "ckan.site_url", "http://portail.test")
    return smtp_server


def _moderate(user: Any, reuse: dict[str, Any], decision: str, comment: str = "") -> dict[str, Any]:
    return helpers.call_action("reuse_moderate", as_user(user), id=reuse["id"],
                               decision=decision, comment=comment)


def _anonymous_data(**kwargs: Any) -> dict[str, Any]:
    return {"title": "Carte anonyme", "url": unique_url(), "type": "idea",
            "datasets": "budget-primitif", **kwargs}


def _as_visitor(app: Any, address: str, data: dict[str, Any]) -> dict[str, Any]:
    """Call reuse_create as a visitor inside a web request from ``address``."""
    with app.flask_app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        return helpers.call_action("reuse_create", {"user": "", "ignore_auth": False}, **data)


def _random_address() -> str:
    # A fresh address per test: the rate-limit counters live in Redis across tests.
    return "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "postgres_search reuse_tracker")
class TestDecisions:

    def test_publish_records_moderator_and_date(self):
        """Publishing sets the state, the moderator and the publication date."""
        portal = make_portal()
        reuse = _moderate(portal.admin, submit(portal.submitter, [portal.public]), "publish",
                          "Merci !")
        assert reuse["state"] == "published"
        assert reuse["published"]
        assert reuse["moderated_by"] == portal.admin["name"]
        assert reuse["moderation_comment"] == "Merci !"

    def test_reject_keeps_the_comment(self):
        """Rejecting stores the comment, shown to the submitter."""
        portal = make_portal()
        reuse = submit(portal.submitter, [portal.public])
        _moderate(portal.sysadmin, reuse, "reject", "Lien hors sujet")
        shown = helpers.call_action("reuse_show", as_user(portal.submitter), id=reuse["id"])
        assert (shown["state"], shown["moderation_comment"]) == ("rejected", "Lien hors sujet")

    def test_same_decision_twice_is_refused(self):
        """Publishing a published reuse is refused on decision."""
        portal = make_portal()
        reuse = published(portal)
        with pytest.raises(tk.ValidationError) as error:
            _moderate(portal.sysadmin, reuse, "publish")
        assert "decision" in error.value.error_dict

    def test_published_reuse_may_be_withdrawn_by_rejection(self):
        """A moderator rejects a published reuse; it leaves the public list."""
        portal = make_portal()
        reuse = published(portal)
        _moderate(portal.admin, reuse, "reject", "Contenu trompeur")
        assert helpers.call_action("reuse_list", as_user(None))["count"] == 0

    def test_rejected_reuse_edited_by_submitter_is_resubmitted(self):
        """The submitter editing a rejected reuse puts it back in the moderation queue."""
        portal = make_portal()
        reuse = submit(portal.submitter, [portal.public])
        _moderate(portal.admin, reuse, "reject", "Ajoutez une description")
        helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                            description="Une description complète.")
        queue = helpers.call_action("reuse_list", as_user(portal.admin), moderation=True)
        assert [r["id"] for r in queue["results"]] == [reuse["id"]]

    def test_decision_mails_the_submitter(self, mail: SMTPTestServer):
        """The submitter receives the decision and the comment in the site's language."""
        portal = make_portal()
        reuse = submit(portal.submitter, [portal.public], title="Carte\ndes budgets")
        _moderate(portal.admin, reuse, "reject", "Le lien ne fonctionne pas")
        [message] = mail.messages
        assert message["To"].addresses[0].addr_spec == "submitter@example.org"
        assert message["Subject"] == '[Portail de test] Reuse refused: "Carte des budgets"'
        body = message.get_content()
        assert "Le lien ne fonctionne pas" in body
        assert f"http://portail.test/reuses/{reuse['name']}" in body

    @pytest.mark.ckan_config("ckan.locale_default", "fr")
    def test_decision_mail_is_french_on_a_french_site(self, mail: SMTPTestServer):
        """A French site mails the decision in French."""
        portal = make_portal()
        _moderate(portal.admin, submit(portal.submitter, [portal.public]), "publish")
        [message] = mail.messages
        assert message["Subject"].startswith("[Portail de test] Réutilisation publiée")
        assert "Votre réutilisation" in message.get_content()

    def test_mail_failure_does_not_undo_the_decision(self, monkeypatch: pytest.MonkeyPatch):
        """With the mail server down, the decision is still recorded."""
        monkeypatch.setitem(tk.config, "smtp.server", "127.0.0.1:1")
        portal = make_portal()
        reuse = _moderate(portal.admin, submit(portal.submitter, [portal.public]), "publish")
        assert reuse["state"] == "published"

    def test_no_service_mail_without_governance(self, mail: SMTPTestServer):
        """Without the governance plugin, publishing mails the submitter only."""
        portal = make_portal()
        _moderate(portal.admin, submit(portal.submitter, [portal.public]), "publish")
        assert [m["To"].addresses[0].addr_spec for m in mail.messages] == [
            "submitter@example.org"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "postgres_search reuse_tracker")
class TestAnonymous:

    def test_refused_by_default(self, app: Any):
        """Visitors cannot submit while anonymous submission is off."""
        factories.Dataset(name="budget-primitif")
        with pytest.raises(tk.NotAuthorized):
            _as_visitor(app, _random_address(), _anonymous_data())

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    def test_accepted_pending_when_switched_on(self, app: Any):
        """A visitor's reuse is accepted, pending, without a submitter."""
        factories.Dataset(name="budget-primitif")
        reuse = _as_visitor(app, _random_address(), _anonymous_data(
            contact_email="visiteur@example.org"))
        assert (reuse["state"], reuse["submitter"]) == ("pending", None)

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    def test_honeypot_filled_is_refused(self, app: Any):
        """A submission with the hidden honeypot field filled in is refused on that field."""
        factories.Dataset(name="budget-primitif")
        with pytest.raises(tk.ValidationError) as error:
            _as_visitor(app, _random_address(), _anonymous_data(website_confirm="http://spam"))
        assert "website_confirm" in error.value.error_dict

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    def test_refused_outside_a_web_request(self):
        """Without a request there is no address to rate limit, so a visitor is refused."""
        factories.Dataset(name="budget-primitif")
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("reuse_create", {"user": "", "ignore_auth": False},
                                **_anonymous_data())

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_rate_limit", "2")
    def test_rate_limited_per_address(self, app: Any):
        """Past the limit, an address is refused while another address still may submit."""
        factories.Dataset(name="budget-primitif")
        address = _random_address()
        for _ in range(2):
            _as_visitor(app, address, _anonymous_data())
        with pytest.raises(tk.ValidationError) as error:
            _as_visitor(app, address, _anonymous_data())
        assert "rate_limit" in error.value.error_dict
        assert _as_visitor(app, _random_address(), _anonymous_data())["state"] == "pending"

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_rate_limit", "1")
    def test_rate_limit_applies_to_the_http_api(self, app: Any):
        """Through the HTTP API, a visitor's second submission in the window is refused (409)."""
        factories.Dataset(name="budget-primitif")
        address = _random_address()
        environ = {"REMOTE_ADDR": address}
        app.post("/api/3/action/reuse_create", json=_anonymous_data(),
                 environ_base=environ, status=200)
        response = app.post("/api/3/action/reuse_create", json=_anonymous_data(),
                            environ_base=environ, status=409)
        assert "rate_limit" in response.json["error"]

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    def test_visitor_cannot_name_an_organization(self, app: Any):
        """A visitor's reuse cannot claim to come from an organization."""
        portal = make_portal()
        with pytest.raises(tk.ValidationError) as error:
            _as_visitor(app, _random_address(), _anonymous_data(
                organization_id=portal.org["id"]))
        assert "organization_id" in error.value.error_dict

    @pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
    def test_visitor_is_mailed_at_the_contact_address(self, app: Any, mail: SMTPTestServer):
        """The decision on a visitor's reuse goes to its contact e-mail."""
        portal = make_portal()
        reuse = _as_visitor(app, _random_address(), _anonymous_data(
            contact_email="visiteur@example.org"))
        _moderate(portal.admin, reuse, "publish")
        assert [m["To"].addresses[0].addr_spec for m in mail.messages] == [
            "visiteur@example.org"]


@pytest.mark.usefixtures(*GOVERNANCE_MARKS[-1].args)
@pytest.mark.ckan_config("ckan.plugins", GOVERNANCE_MARKS[0].args[1])
@pytest.mark.ckan_config("scheming.dataset_schemas", GOVERNANCE_MARKS[1].args[1])
class TestOwnerServices:

    def _portal(self) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        sysadmin = factories.Sysadmin()
        referent = factories.User(email="referente@example.org")
        submitter = factories.User(email="auteur@example.org")
        org = factories.Organization(users=[{"name": referent["name"], "capacity": "editor"}])
        switch_gate(org["id"], False)
        helpers.call_action("governance_service_create", {"user": sysadmin["name"]},
                            organization_id=org["id"], name="direction-des-finances",
                            title="Direction des finances", email="finances@example.org",
                            referent_id=referent["id"])
        budget = factories.Dataset(owner_org=org["id"], owner_service="direction-des-finances",
                                   title="Budget primitif")
        comptes = factories.Dataset(owner_org=org["id"], owner_service="direction-des-finances",
                                    title="Compte administratif")
        no_service = factories.Dataset(owner_org=org["id"])
        return {"sysadmin": sysadmin, "submitter": submitter}, budget, {
            "comptes": comptes, "no_service": no_service}

    def test_publication_mails_the_service_mailbox_and_referent(self, mail: SMTPTestServer):
        """Publishing mails the owner service's mailbox and referent once, listing its datasets."""
        users, budget, others = self._portal()
        reuse = submit(users["submitter"], [budget, others["comptes"], others["no_service"]],
                       title="Tableau des finances")
        assert mail.messages == []  # nothing while pending
        _moderate(users["sysadmin"], reuse, "publish")
        service_mails = [m for m in mail.messages
                         if m["To"].addresses[0].addr_spec != "auteur@example.org"]
        assert sorted(m["To"].addresses[0].addr_spec for m in service_mails) == [
            "finances@example.org", "referente@example.org"]
        body = service_mails[0].get_content()
        assert "Budget primitif" in body and "Compte administratif" in body
        assert "Tableau des finances" in service_mails[0]["Subject"]

    def test_direct_publication_also_tells_the_service(self, mail: SMTPTestServer):
        """A sysadmin's reuse, published at once, is announced to the owner service too."""
        users, budget, _ = self._portal()
        submit(users["sysadmin"], [budget])
        assert sorted(m["To"].addresses[0].addr_spec for m in mail.messages) == [
            "finances@example.org", "referente@example.org"]

    def test_rejection_does_not_tell_the_service(self, mail: SMTPTestServer):
        """A rejected reuse is not announced to the owner service."""
        users, budget, _ = self._portal()
        reuse = submit(users["submitter"], [budget])
        _moderate(users["sysadmin"], reuse, "reject", "Hors sujet")
        assert [m["To"].addresses[0].addr_spec for m in mail.messages] == ["auteur@example.org"]
