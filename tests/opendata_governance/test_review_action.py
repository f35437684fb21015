"""The sign-off workflow through its actions: requests, decisions, publication, mails."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from ckanext.opendata_governance.model import Event, Review
from tests.opendata_governance.review_setup import (
    ALL_OK, MARKS, ReviewPortal, approve, as_user, make_review_portal, reject,
    request_review, reviewable_dataset)
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    monkeypatch.setitem(tk.config, "ckan.site_url", "http://portail.test")
    return smtp_server


def _setup() -> tuple[ReviewPortal, dict[str, Any]]:
    portal = make_review_portal()
    return portal, reviewable_dataset(portal)


def _events(event_type: str) -> list[Event]:
    return model.Session.query(Event).filter_by(event_type=event_type).all()


def test_request_stores_checks_and_fingerprint():
    """A request stores every check's result and the dataset's fingerprint."""
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset, comment="Prêt à publier")
    assert review["state"] == "submitted"
    assert review["requested_by"] == portal.editor["id"]
    assert review["package_name"] == dataset["name"]
    assert {"licence_open", "personal_data_declared", "metadata_complete",
            "open_format"} <= {result["check_id"] for result in review["checks"]}
    stored = Review.get(review["id"])
    assert len(stored.fingerprint) == 64
    assert stored.snapshot["fields"]["title"] == "Budget primitif 2025"
    # The review gives each stored result with its explanation (why, fix) added.
    assert [{key: check[key] for key in stored_check}
            for stored_check, check in zip(stored.checks, review["checks"])] == stored.checks
    assert len(stored.checks) == len(review["checks"])


def test_request_records_blocking_failures():
    """A dataset without an open licence gets a failed blocking check in its request."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, license_id="notspecified")
    review = request_review(portal.editor, dataset)
    licence = [r for r in review["checks"] if r["check_id"] == "licence_open"][0]
    assert licence["status"] == "failed"
    assert review["blocking_failures"] == ["licence_open"]


def test_request_records_an_event():
    """A request is recorded in the audit log with its publish intent."""
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset, publish=False)
    [event] = _events("review_requested")
    assert event.object_id == review["id"]
    assert event.package_id == dataset["id"]
    assert event.details["publish"] is False


def test_second_request_withdraws_the_first():
    """A new request of the same dataset withdraws the one still waiting."""
    portal, dataset = _setup()
    first = request_review(portal.editor, dataset)
    second = request_review(portal.admin, dataset)
    assert Review.get(first["id"]).state == "withdrawn"
    assert Review.get(second["id"]).state == "submitted"


def test_approval_publishes_the_dataset():
    """Approving a request made with publish makes the dataset public."""
    portal, dataset = _setup()
    review = approve(request_review(portal.editor, dataset), portal.reviewer)
    assert review["state"] == "approved"
    assert review["published"] is True
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False


def test_approval_without_publish_intent_keeps_dataset_private():
    """Approving a request made with publish=false leaves the dataset private."""
    portal, dataset = _setup()
    review = approve(request_review(portal.editor, dataset, publish=False), portal.reviewer)
    assert review["state"] == "approved"
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_approval_stores_checklist_and_decider():
    """The decision keeps its checklist, comments and reviewer."""
    portal, dataset = _setup()
    checklist = {**ALL_OK, "licence": {"verdict": "ok", "comment": "ODbL"}}
    approve(request_review(portal.editor, dataset), portal.reviewer,
            checklist=checklist, comment="Conforme")
    stored = Review.latest_for(dataset["id"])
    assert stored.decided_by == portal.reviewer["id"]
    assert stored.checklist["licence"] == {"verdict": "ok", "comment": "ODbL"}
    assert stored.checklist["metadata"] == {"verdict": "ok", "comment": None}
    assert stored.decision_comment == "Conforme"


def test_rejection_keeps_dataset_private():
    """A rejected request leaves the dataset private and records the decision."""
    portal, dataset = _setup()
    review = reject(request_review(portal.editor, dataset), portal.reviewer)
    assert review["state"] == "rejected"
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
    [event] = _events("review_decided")
    assert event.details["decision"] == "reject"
    assert event.details["checklist"]["personal_data"]["verdict"] == "not_ok"


def test_blocking_failure_needs_override():
    """A blocking check failure refuses an approval without override."""
    portal = make_review_portal()
    review = request_review(portal.editor, reviewable_dataset(
        portal, contains_personal_data="true"))
    with pytest.raises(tk.ValidationError) as error:
        approve(review, portal.reviewer, comment="Vu")
    assert "override" in error.value.error_dict


def test_override_with_comment_approves_despite_blocking_failure():
    """An override with a comment approves despite a blocking failure, and is recorded."""
    portal = make_review_portal()
    review = request_review(portal.editor, reviewable_dataset(
        portal, contains_personal_data="true"))
    decided = approve(review, portal.reviewer, override=True,
                      comment="Données agrégées par IRIS, anonymisation vérifiée")
    assert decided["state"] == "approved"
    assert decided["override"] is True
    assert _events("review_decided")[0].details["override"] is True


def test_dataset_changed_after_request_cannot_be_approved():
    """A dataset edited after the request needs a new request before approval."""
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset)
    helpers.call_action("package_patch", as_user(portal.editor), id=dataset["id"],
                        title="Budget primitif 2025 (corrigé)")
    with pytest.raises(tk.ValidationError) as error:
        approve(review, portal.reviewer)
    assert "id" in error.value.error_dict
    assert Review.get(review["id"]).state == "submitted"


def test_unrelated_change_does_not_block_approval():
    """An edit outside what the sign-off covers does not block the approval."""
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset)
    helpers.call_action("package_patch", as_user(portal.editor), id=dataset["id"],
                        data_steward="Mme Martin")
    assert approve(review, portal.reviewer)["state"] == "approved"


def test_show_by_package_gives_latest_review():
    """governance_review_show with package_id returns the dataset's latest review."""
    portal, dataset = _setup()
    request_review(portal.editor, dataset)
    second = request_review(portal.editor, dataset)
    shown = helpers.call_action("governance_review_show", as_user(portal.reviewer),
                                package_id=dataset["name"])
    assert shown["id"] == second["id"]
    assert shown["checks"]


def test_list_gives_queue_newest_first_with_age():
    """The queue lists submitted reviews, newest first, with their age in days."""
    portal = make_review_portal()
    first = request_review(portal.editor, reviewable_dataset(portal, name="budget-2024"))
    second = request_review(portal.editor, reviewable_dataset(portal, name="budget-2025"))
    approve(request_review(portal.editor, reviewable_dataset(portal, name="budget-2023")),
            portal.reviewer)
    queue = helpers.call_action("governance_review_list", as_user(portal.reviewer))
    assert queue["count"] == 2
    assert [r["id"] for r in queue["results"]] == [second["id"], first["id"]]
    assert queue["results"][0]["age_days"] == 0
    assert queue["results"][0]["package_title"] == "Budget primitif 2025"


def test_list_all_states_and_paging():
    """state=all lists every review, and limit pages them."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    request_review(portal.editor, dataset)
    request_review(portal.editor, dataset)
    result = helpers.call_action("governance_review_list", as_user(portal.sysadmin),
                                 state="all", limit=1)
    assert result["count"] == 2
    assert len(result["results"]) == 1


def test_list_hides_other_organizations_reviews():
    """An editor of another organization sees none of this organization's reviews."""
    portal, dataset = _setup()
    request_review(portal.editor, dataset)
    queue = helpers.call_action("governance_review_list", as_user(portal.other_editor))
    assert queue == {"count": 0, "results": []}


def test_reviewers_can_be_named_listed_and_removed():
    """An organization admin names, lists and removes reviewers, and events record it."""
    portal = make_review_portal()
    helpers.call_action("governance_reviewer_create", as_user(portal.admin),
                        organization_id=portal.org["name"], user=portal.plain["name"])
    listed = helpers.call_action("governance_reviewer_list", as_user(portal.member),
                                 organization_id=portal.org["id"])
    assert listed["count"] == 2
    assert {r["name"] for r in listed["results"]} == {
        portal.plain["name"], portal.reviewer["name"]}
    helpers.call_action("governance_reviewer_delete", as_user(portal.admin),
                        organization_id=portal.org["id"], user=portal.plain["id"])
    listed = helpers.call_action("governance_reviewer_list", as_user(portal.member),
                                 organization_id=portal.org["id"])
    assert [r["name"] for r in listed["results"]] == [portal.reviewer["name"]]
    assert len(_events("reviewer_added")) == 2
    assert len(_events("reviewer_removed")) == 1


def test_settings_default_to_gate_on_and_can_be_switched_off():
    """An organization's gate is on by default, and a sysadmin can switch it off."""
    portal = make_review_portal()
    shown = helpers.call_action("governance_settings_show", as_user(portal.member),
                                organization_id=portal.org["id"])
    assert shown["gate_enabled"] is True
    helpers.call_action("governance_settings_update", as_user(portal.sysadmin),
                        organization_id=portal.org["id"], gate_enabled=False)
    shown = helpers.call_action("governance_settings_show", as_user(portal.member),
                                organization_id=portal.org["id"])
    assert shown["gate_enabled"] is False
    [event] = _events("settings_updated")
    assert event.details["gate_enabled"] == [True, False]


def test_request_mails_the_reviewers(mail):
    """A request mails the organization's reviewers a link to the governance page."""
    portal, dataset = _setup()
    request_review(portal.editor, dataset, comment="Merci de valider")
    [message] = mail.messages
    assert message["To"].addresses[0].addr_spec == portal.reviewer["email"]
    assert "Budget primitif 2025" in message["Subject"]
    body = message.get_content()
    assert f"http://portail.test/dataset/{dataset['name']}/governance" in body
    assert "Merci de valider" in body


def test_request_mails_the_admins_when_no_reviewer(mail):
    """Without named reviewers, a request mails the organization's admins."""
    portal, dataset = _setup()
    helpers.call_action("governance_reviewer_delete", as_user(portal.admin),
                        organization_id=portal.org["id"], user=portal.reviewer["id"])
    request_review(portal.editor, dataset)
    assert [m["To"].addresses[0].addr_spec for m in mail.messages] == [
        portal.admin["email"]]


def test_decision_mails_requester_and_service(mail):
    """A decision mails the requester and the owner service's mailbox."""
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset)
    mail.clear()
    reject(review, portal.reviewer, comment="Colonne nominative à retirer")
    recipients = sorted(m["To"].addresses[0].addr_spec for m in mail.messages)
    assert recipients == sorted([portal.editor["email"], "finances@example.org"])
    assert "Colonne nominative à retirer" in mail.messages[0].get_content()


def test_decision_mail_lists_the_verdicts_under_the_organizations_labels(mail):
    """The decision mail names each item of the organization's own checklist, in order."""
    portal, dataset = _setup()
    helpers.call_action("governance_checklist_update", as_user(portal.admin),
                        organization_id=portal.org["id"], items=[
                            {"label": "Accessibilité des documents"},
                            {"label": "Relu par le juriste", "required": False}])
    review = request_review(portal.editor, dataset)
    mail.clear()
    helpers.call_action("governance_review_decide", as_user(portal.reviewer),
                        id=review["id"], decision="reject", comment="Non", checklist={
                            "accessibilite_des_documents": "not_ok",
                            "relu_par_le_juriste": "ok"})
    content = mail.messages[0].get_content()
    assert "- Accessibilité des documents: not ok" in content
    assert content.index("Accessibilité") < content.index("Relu par le juriste")


def test_mails_are_in_french_for_a_french_portal(mail, monkeypatch):
    """A portal whose default locale is French mails the decision in French."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset)
    mail.clear()
    approve(review, portal.reviewer)
    subject = mail.messages[0]["Subject"]
    assert subject.startswith("[Portail de test] Validation accordée")
    assert "Le jeu de données est maintenant public." in mail.messages[0].get_content()


def test_mail_server_down_keeps_the_request(mail, monkeypatch):
    """A request is kept when the mail server refuses the connection."""
    monkeypatch.setitem(tk.config, "smtp.server", "127.0.0.1:1")
    portal, dataset = _setup()
    review = request_review(portal.editor, dataset)
    assert Review.get(review["id"]).state == "submitted"
