"""The sign-off pages: the dataset's governance tab, its forms, and the reviewers' queue."""
from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.shared import PASSWORD, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, Portal, make_portal

pytestmark = MARKS

CHECKLIST_OK = {f"verdict-{item}": "ok" for item in
                ("licence", "personal_data", "schema", "open_format", "metadata")}


def _reviewer(portal: Portal) -> dict[str, Any]:
    """A user named reviewer of the portal's organization, not a member of it."""
    user = factories.User(password=PASSWORD)
    helpers.call_action("governance_reviewer_create", {"user": portal.sysadmin["name"]},
                        organization_id=portal.org["id"], user=user["name"])
    return user


def _dataset(portal: Portal, **kwargs: Any) -> dict[str, Any]:
    """A private dataset of the organization that passes the blocking checks."""
    data = {"owner_org": portal.org["id"], "private": True,
            "owner_service": "direction-des-finances", "license_id": "cc-by-4.0",
            "contains_personal_data": "false", "notes": "Budget", **kwargs}
    return factories.Dataset(**data)


def _public_dataset(portal: Portal) -> dict[str, Any]:
    """A public dataset of the organization, its gate switched off to create it directly."""
    helpers.call_action("governance_settings_update", {"user": portal.sysadmin["name"]},
                        organization_id=portal.org["id"], gate_enabled=False)
    return factories.Dataset(owner_org=portal.org["id"])


def _request(portal: Portal, dataset: dict[str, Any], comment: str = "") -> dict[str, Any]:
    return helpers.call_action("governance_review_request", {"user": portal.editor["name"]},
                               id=dataset["id"], comment=comment)


def _url(dataset: dict[str, Any], *parts: str) -> str:
    return "/".join(["/dataset", dataset["name"], "governance", *parts])


def test_tab_is_shown_to_an_editor_of_the_dataset(app):
    """An editor of the organization sees the "Governance" tab on the dataset page."""
    portal = make_portal()
    dataset = _dataset(portal)
    body = login(app, portal.editor).get("/dataset/{}".format(dataset["name"])).body
    assert 'href="{}"'.format(_url(dataset)) in body


def test_tab_is_shown_to_a_reviewer_outside_the_organization(app):
    """A reviewer of the organization who is not a member sees the tab of a public dataset."""
    portal = make_portal()
    dataset = _public_dataset(portal)
    body = login(app, _reviewer(portal)).get("/dataset/{}".format(dataset["name"])).body
    assert 'href="{}"'.format(_url(dataset)) in body


def test_tab_is_hidden_from_a_plain_member_and_from_anonymous(app):
    """A read-only member and an anonymous visitor see no governance tab on a public dataset."""
    portal = make_portal()
    dataset = _public_dataset(portal)
    page = "/dataset/{}".format(dataset["name"])
    assert _url(dataset) not in login(app, portal.member).get(page).body
    assert _url(dataset) not in app.get(page).body


def test_tab_page_is_403_for_a_member_without_edit_rights(app):
    """A read-only member of the organization is refused the governance page."""
    portal = make_portal()
    dataset = _public_dataset(portal)
    assert login(app, portal.member).get(_url(dataset)).status_code == 403


def test_tab_page_is_403_for_anonymous(app):
    """An anonymous visitor is refused the governance page of a public dataset."""
    portal = make_portal()
    dataset = _public_dataset(portal)
    assert app.get(_url(dataset)).status_code == 403


def test_tab_page_is_404_for_an_unknown_dataset(app):
    """The governance page of a dataset that does not exist is a 404."""
    portal = make_portal()
    response = login(app, portal.editor).get("/dataset/no-such-dataset/governance")
    assert response.status_code == 404


def test_editor_sees_the_request_form_with_a_csrf_token(app):
    """The editor's page carries the request form, with its CSRF token, and no decision form."""
    portal = make_portal()
    dataset = _dataset(portal)
    body = login(app, portal.editor).get(_url(dataset)).body
    assert 'id="governance-request-form"' in body
    assert 'id="governance-decide-form"' not in body
    assert csrf_token(body)


def test_request_form_creates_a_review(app):
    """Posting the request form stores a submitted review with the comment and flashes it."""
    portal = make_portal()
    dataset = _dataset(portal)
    client = login(app, portal.editor)
    form = client.get(_url(dataset)).body
    body = client.post(_url(dataset, "request"), data={
        "_csrf_token": csrf_token(form), "comment": "Prêt pour relecture",
        "publish": "on"}, follow_redirects=True).body
    review = helpers.call_action("governance_review_show", package_id=dataset["id"])
    assert review["state"] == "submitted"
    assert review["comment"] == "Prêt pour relecture"
    assert review["requested_by"] == portal.editor["id"]
    assert "Review requested" in body
    assert "Prêt pour relecture" in body


def test_request_form_without_csrf_token_is_refused(app):
    """A request posted without its CSRF token creates no review."""
    portal = make_portal()
    dataset = _dataset(portal)
    response = login(app, portal.editor).post(_url(dataset, "request"), data={"comment": "x"})
    assert response.status_code in (400, 403)
    assert helpers.call_action("governance_review_list", package_id=dataset["id"],
                               state="all")["count"] == 0


def test_request_without_owner_service_shows_the_error(app):
    """A dataset without an owner service re-renders the page with the action's message."""
    portal = make_portal()
    dataset = _dataset(portal, owner_service="")
    client = login(app, portal.editor)
    form = client.get(_url(dataset)).body
    response = client.post(_url(dataset, "request"), data={"_csrf_token": csrf_token(form)})
    assert response.status_code == 200
    assert "An owner service is required before review" in response.body
    assert 'id="governance-request-form"' in response.body


def test_reviewer_sees_the_decision_form_with_the_checklist(app):
    """A reviewer sees the decision form, its CSRF token and one verdict per checklist item."""
    portal = make_portal()
    dataset = _dataset(portal)
    _request(portal, dataset)
    body = login(app, _reviewer(portal)).get(_url(dataset)).body
    assert 'id="governance-decide-form"' in body
    for item in ("licence", "personal_data", "schema", "open_format", "metadata"):
        assert f'name="verdict-{item}"' in body
    assert 'name="override"' not in body
    assert csrf_token(body)


def test_requester_does_not_see_the_decision_form(app):
    """The sysadmin who requested a review sees no decision form on it."""
    portal = make_portal()
    dataset = _dataset(portal)
    helpers.call_action("governance_review_request", {"user": portal.sysadmin["name"]},
                        id=dataset["id"])
    body = login(app, portal.sysadmin).get(_url(dataset)).body
    assert 'id="governance-decide-form"' not in body
    assert "Pending" in body


def test_approving_through_the_form_publishes_the_dataset(app):
    """A reviewer approving with every item ok makes the private dataset public."""
    portal = make_portal()
    dataset = _dataset(portal)
    review = _request(portal, dataset)
    client = login(app, _reviewer(portal))
    form = client.get(_url(dataset)).body
    body = client.post(_url(dataset, "decide"), data={
        "_csrf_token": csrf_token(form), "review_id": review["id"],
        "decision": "approve", "comment": "Conforme", **CHECKLIST_OK},
        follow_redirects=True).body
    assert "Review approved" in body
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
    decided = helpers.call_action("governance_review_show", id=review["id"])
    assert decided["state"] == "approved"
    assert decided["checklist"]["licence"]["verdict"] == "ok"


def test_page_says_the_current_version_is_signed_off_after_approval(app):
    """After approval the status section says a sign-off covers the current version."""
    portal = make_portal()
    dataset = _dataset(portal)
    review = _request(portal, dataset)
    reviewer = _reviewer(portal)
    helpers.call_action("governance_review_decide", {"user": reviewer["name"]},
                        id=review["id"], decision="approve",
                        checklist={k.split("-", 1)[1]: "ok" for k in CHECKLIST_OK})
    body = login(app, portal.editor).get(_url(dataset)).body
    assert "governance-covered" in body
    assert "governance-public" in body


def test_missing_verdicts_re_render_the_form_with_messages(app):
    """A decision without every verdict keeps the review pending and marks the items."""
    portal = make_portal()
    dataset = _dataset(portal)
    review = _request(portal, dataset)
    client = login(app, _reviewer(portal))
    form = client.get(_url(dataset)).body
    response = client.post(_url(dataset, "decide"), data={
        "_csrf_token": csrf_token(form), "review_id": review["id"],
        "decision": "approve", "verdict-licence": "ok", "comment-licence": "Licence vue"})
    assert response.status_code == 200
    assert "Missing checklist item" in response.body
    assert "Choose a verdict" in response.body
    # What the reviewer typed is kept.
    assert 'value="Licence vue"' in response.body
    assert helpers.call_action("governance_review_show", id=review["id"])["state"] == (
        "submitted")


def test_rejecting_without_a_comment_shows_the_error_on_the_comment(app):
    """A rejection without a general comment re-renders the form with the message."""
    portal = make_portal()
    dataset = _dataset(portal)
    review = _request(portal, dataset)
    client = login(app, _reviewer(portal))
    form = client.get(_url(dataset)).body
    body = client.post(_url(dataset, "decide"), data={
        "_csrf_token": csrf_token(form), "review_id": review["id"],
        "decision": "reject", **CHECKLIST_OK}).body
    assert "Say why the request is rejected" in body
    assert 'id="field-decision-comment"' in body


def test_blocking_failure_is_highlighted_and_offers_the_override(app):
    """A failed licence check is flagged and the decision form offers the override box."""
    portal = make_portal()
    dataset = _dataset(portal, license_id="notspecified")
    _request(portal, dataset)
    body = login(app, _reviewer(portal)).get(_url(dataset)).body
    assert "governance-check-blocking-failed" in body
    assert "No licence is set" in body
    assert 'name="override"' in body


def test_comment_with_a_script_tag_is_escaped(app):
    """A request comment holding a script tag is shown as text, never as markup."""
    portal = make_portal()
    dataset = _dataset(portal)
    _request(portal, dataset, comment="<script>alert('x')</script>")
    body = login(app, _reviewer(portal)).get(_url(dataset)).body
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(" in body


def test_history_lists_the_dataset_events_for_its_editor(app):
    """The editor's page lists the review request in the dataset's event history."""
    portal = make_portal()
    dataset = _dataset(portal)
    _request(portal, dataset)
    body = login(app, portal.editor).get(_url(dataset)).body
    assert 'class="governance-event-review_requested">Review requested' in body


def test_queue_lists_pending_reviews_for_a_reviewer(app):
    """A reviewer's queue shows the pending review with its dataset and organization."""
    portal = make_portal()
    dataset = _dataset(portal, title="Budget à signer")
    _request(portal, dataset)
    body = login(app, _reviewer(portal)).get("/governance/reviews").body
    assert "Budget à signer" in body
    assert _url(dataset) in body
    row = BeautifulSoup(body, "html.parser").select_one("table.governance-queue tbody tr")
    assert row.select("td")[1].get_text(strip=True) == portal.org["title"]


def test_queue_filter_offers_only_the_organizations_the_user_reviews(app):
    """The reviewer's filter lists their organization, not every organization of the
    portal; a sysadmin's lists them all."""
    portal = make_portal()
    factories.Organization(title="Commune voisine")
    options = BeautifulSoup(login(app, _reviewer(portal)).get("/governance/reviews").body,
                            "html.parser").select("select#field-organization option")
    assert [option.get_text() for option in options[1:]] == [portal.org["title"]]
    everything = BeautifulSoup(login(app, portal.sysadmin).get("/governance/reviews").body,
                               "html.parser").select("select#field-organization option")
    assert "Commune voisine" in [option.get_text() for option in everything]


def test_queue_leaves_out_decided_reviews(app):
    """An approved review is no longer in the queue."""
    portal = make_portal()
    dataset = _dataset(portal, title="Budget signé")
    review = _request(portal, dataset)
    reviewer = _reviewer(portal)
    helpers.call_action("governance_review_decide", {"user": reviewer["name"]},
                        id=review["id"], decision="approve",
                        checklist={k.split("-", 1)[1]: "ok" for k in CHECKLIST_OK})
    body = login(app, reviewer).get("/governance/reviews").body
    assert "Budget signé" not in body


def test_queue_hides_other_organizations_reviews(app):
    """An editor of another organization does not see this organization's pending review."""
    portal = make_portal()
    dataset = _dataset(portal, title="Budget confidentiel")
    _request(portal, dataset)
    response = login(app, portal.other_editor).get("/governance/reviews")
    assert response.status_code == 200
    assert "Budget confidentiel" not in response.body


def test_queue_is_403_for_anonymous_and_plain_users(app):
    """Anonymous visitors and users of no organization are refused the queue."""
    portal = make_portal()
    assert app.get("/governance/reviews").status_code == 403
    assert login(app, portal.plain).get("/governance/reviews").status_code == 403


def test_queue_filters_by_organization(app):
    """Filtering the sysadmin's queue by the other organization leaves this one's review out."""
    portal = make_portal()
    dataset = _dataset(portal, title="Budget filtré")
    _request(portal, dataset)
    client = login(app, portal.sysadmin)
    assert "Budget filtré" in client.get("/governance/reviews").body
    body = client.get("/governance/reviews",
                      query_string={"organization": portal.other_org["name"]}).body
    assert "Budget filtré" not in body


def test_queue_pages_twenty_reviews_at_a_time(app):
    """With 21 pending reviews, page 1 links to page 2, which holds the oldest one."""
    portal = make_portal()
    for number in range(21):
        _request(portal, _dataset(portal, title=f"Budget annexe {number:02d}"))
    client = login(app, _reviewer(portal))
    first = client.get("/governance/reviews").body
    assert "/governance/reviews?page=2" in first and "Budget annexe 00" not in first
    second = client.get("/governance/reviews?page=2").body
    assert "Budget annexe 00" in second and "page=1" in second
