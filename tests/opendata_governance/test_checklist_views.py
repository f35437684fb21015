"""The review checklist on the organization's Governance tab, the valideur's form built
from it, and the producer guide."""
from __future__ import annotations

import html
import re
from typing import Any

from ckan.tests import helpers

from tests.opendata_governance.review_setup import (
    as_user, make_review_portal, request_review, reviewable_dataset)
from tests.shared import csrf_token, login
from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS

OWN = [{"label": "Accessibilité des documents", "help": "Les PDF sont balisés."},
       {"label": "Relu par le service juridique", "required": False}]


def _tab(org: dict[str, Any]) -> str:
    return "/fr/organization/governance/{}".format(org["name"])


def _own_list(portal: Any) -> None:
    helpers.call_action("governance_checklist_update", as_user(portal.admin),
                        organization_id=portal.org["id"], items=OWN)


def _keys(portal: Any) -> list[str]:
    shown = helpers.call_action("governance_checklist_show", as_user(portal.admin),
                                organization_id=portal.org["id"])
    return [item["key"] for item in shown["items"]]


def _form_of(body: str, form_id: str) -> str:
    found = re.search(r'<form id="{}".*?</form>'.format(form_id), body, re.S)
    assert found, form_id
    return found.group(0)


def _rows(body: str) -> dict[str, str]:
    """The checklist form's fields as the browser would post them unchanged."""
    form = _form_of(body, "governance-checklist-form")
    data = dict(re.findall(r'<input[^>]*type="(?:hidden|number|text)"[^>]*name="([^"]+)"'
                           r'[^>]*value="([^"]*)"', form))
    data.update({name: html.unescape(value) for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form)})
    data.update({name: "on" for name in re.findall(
        r'<input[^>]*name="([^"]+-required)"[^>]*checked', form)})
    return {name: html.unescape(value) for name, value in data.items()}


def test_a_member_reads_the_checklist_without_a_form(app):
    """A plain member sees the built-in items in French, and no form."""
    portal = make_review_portal()
    body = login(app, portal.member).get(_tab(portal.org)).body
    assert "Liste de vérification" in body
    assert "Données personnelles et anonymisation" in body
    assert 'id="governance-checklist-form"' not in body


def test_an_admin_edits_the_checklist_through_the_form(app):
    """Relabelled, reordered, one removed and one added: the list saved is the form's."""
    portal = make_review_portal()
    client = login(app, portal.admin)
    body = client.get(_tab(portal.org)).body
    data = _rows(body)
    assert body.count('name="_csrf_token"') >= 3
    data.update({"_csrf_token": csrf_token(body), "item-0-label": "Licence ouverte",
                 "item-0-position": "9", "item-1-remove": "on",
                 "item-5-label": "Accessibilité", "item-5-help": "Documents balisés"})
    data.pop("item-5-required", None)
    response = client.post(_tab(portal.org) + "/checklist", data=data,
                           follow_redirects=False)
    assert response.status_code == 302, response.body
    shown = helpers.call_action("governance_checklist_show", as_user(portal.admin),
                                organization_id=portal.org["id"])
    assert [item["key"] for item in shown["items"]] == [
        "schema", "open_format", "metadata", "accessibilite", "licence"]
    assert shown["items"][-1]["label"] == "Licence ouverte"
    assert shown["items"][3]["required"] is False


def test_an_error_is_shown_beside_its_item_and_nothing_is_saved(app):
    """A new row with a help text and no label is refused on that row, in French."""
    portal = make_review_portal()
    client = login(app, portal.admin)
    body = client.get(_tab(portal.org)).body
    data = {**_rows(body), "_csrf_token": csrf_token(body), "item-5-help": "Sans titre"}
    response = client.post(_tab(portal.org) + "/checklist", data=data)
    assert response.status_code == 200
    row = re.search(r'<tr id="checklist-row-5" class="error".*?</tr>', response.body, re.S)
    assert row and "Valeur manquante" in row.group(0)
    assert _keys(portal) == ["licence", "personal_data", "schema", "open_format",
                             "metadata"]
    assert helpers.call_action("governance_checklist_show", as_user(portal.admin),
                               organization_id=portal.org["id"])["custom"] is False


def test_the_checklist_form_without_a_csrf_token_is_refused(app):
    """A post without the form's token changes nothing."""
    portal = make_review_portal()
    client = login(app, portal.admin)
    response = client.post(_tab(portal.org) + "/checklist",
                           data={"item-0-label": "Piégé"})
    assert response.status_code in (400, 403)
    assert _keys(portal)[0] == "licence"


def test_a_member_posting_the_checklist_form_is_refused(app):
    """A member with a valid token is not allowed to write the list."""
    portal = make_review_portal()
    client = login(app, portal.member)
    body = client.get(_tab(portal.org)).body
    response = client.post(_tab(portal.org) + "/checklist", data={
        "_csrf_token": csrf_token(body), "item-0-label": "Piégé"})
    assert response.status_code == 403
    assert _keys(portal)[0] == "licence"


def test_the_admin_goes_back_to_the_built_in_checklist(app):
    """The reset form drops the organization's own list."""
    portal = make_review_portal()
    _own_list(portal)
    client = login(app, portal.admin)
    body = client.get(_tab(portal.org)).body
    response = client.post(_tab(portal.org) + "/checklist", data={
        "_csrf_token": csrf_token(body), "reset": "on"}, follow_redirects=False)
    assert response.status_code == 302
    assert _keys(portal)[0] == "licence"


def test_a_valideur_decides_with_the_organizations_own_list_through_the_form(app):
    """The decision form shows the organization's labels and help; approving with the
    required items ok grants the validation."""
    portal = make_review_portal()
    _own_list(portal)
    dataset = reviewable_dataset(portal)
    request_review(portal.editor, dataset)
    client = login(app, portal.reviewer)
    tab = "/fr/dataset/{}/governance".format(dataset["name"])
    body = client.get(tab).body
    form = _form_of(body, "governance-decide-form")
    assert "Accessibilité des documents" in form and "Les PDF sont balisés." in form
    assert 'name="verdict-licence"' not in form
    review_id = re.search(r'name="review_id" value="([^"]+)"', form).group(1)
    response = client.post(tab + "/decide", data={
        "_csrf_token": csrf_token(body), "review_id": review_id, "decision": "approve",
        "verdict-accessibilite_des_documents": "ok"}, follow_redirects=False)
    assert response.status_code == 302, response.body
    review = helpers.call_action("governance_review_show", as_user(portal.reviewer),
                                 id=review_id)
    assert review["state"] == "approved"
    assert set(review["checklist"]) == {"accessibilite_des_documents"}


def test_a_missing_verdict_is_named_by_the_organizations_label(app):
    """Approving without the required item's verdict shows its label beside it."""
    portal = make_review_portal()
    _own_list(portal)
    dataset = reviewable_dataset(portal)
    review = request_review(portal.editor, dataset)
    client = login(app, portal.reviewer)
    tab = "/fr/dataset/{}/governance".format(dataset["name"])
    body = client.get(tab).body
    response = client.post(tab + "/decide", data={
        "_csrf_token": csrf_token(body), "review_id": review["id"], "decision": "approve"})
    assert response.status_code == 200
    assert ("Point manquant dans la liste de contrôle : Accessibilité des documents"
            in html.unescape(response.body))
    row = re.search(r'<tr id="checklist-accessibilite_des_documents" class="error"',
                    response.body)
    assert row


def test_a_past_decision_shows_its_own_checklist_after_an_edit(app):
    """The Governance tab shows the items a past review was decided on."""
    portal = make_review_portal()
    _own_list(portal)
    dataset = reviewable_dataset(portal)
    review = request_review(portal.editor, dataset)
    helpers.call_action("governance_review_decide", as_user(portal.reviewer),
                        id=review["id"], decision="approve",
                        checklist={"accessibilite_des_documents": "ok"})
    helpers.call_action("governance_checklist_update", as_user(portal.admin),
                        organization_id=portal.org["id"], items=[{"label": "Autre chose"}])
    body = login(app, portal.editor).get(
        "/fr/dataset/{}/governance".format(dataset["name"])).body
    listed = re.search(r'<ul class="governance-checklist">.*?</ul>', body, re.S).group(0)
    assert "Accessibilité des documents" in listed and "Autre chose" not in listed


def test_the_guide_is_french_documentation_for_anonymous_visitors(app):
    """Anonymous visitors read the steps, the roles, every check explained and the
    built-in checklist, in French."""
    body = html.unescape(app.get("/fr/governance/guide").body)
    assert app.get("/fr/governance/guide").status_code == 200
    for text in ("Guide du producteur", "Demander la validation de conformité",
                 "Le valideur statue", "Administrateur de l'organisation",
                 "Licence Ouverte", "Pourquoi c'est important", "Comment corriger",
                 "Données personnelles et anonymisation"):
        assert text in body, text
    assert body.count('class="governance-guide-check"') >= 9


def test_the_guide_shows_an_organizations_list_to_its_members_only(app):
    """A member sees the organization's own items; an anonymous visitor the built-in
    ones, told that the organization may have its own."""
    portal = make_review_portal()
    _own_list(portal)
    url = "/fr/governance/guide?organization={}".format(portal.org["name"])
    member = html.unescape(login(app, portal.member).get(url).body)
    assert "Relu par le service juridique" in member and "Les PDF sont balisés." in member
    anonymous = html.unescape(app.get(url).body)
    assert "Relu par le service juridique" not in anonymous
    assert "governance-guide-checklist-hidden" in anonymous


def test_the_guide_reached_from_a_private_dataset_tells_outsiders_nothing(app):
    """A private dataset named in the address is not shown to those who may not see it,
    nor its organization's list."""
    portal = make_review_portal()
    _own_list(portal)
    dataset = reviewable_dataset(portal, title="Budget confidentiel")
    url = "/fr/governance/guide?dataset={}".format(dataset["name"])
    anonymous = html.unescape(app.get(url).body)
    assert "Budget confidentiel" not in anonymous
    assert "Relu par le service juridique" not in anonymous
    editor = html.unescape(login(app, portal.editor).get(url).body)
    assert "Budget confidentiel" in editor and "Relu par le service juridique" in editor


def test_the_dataset_form_and_the_governance_tab_link_the_guide(app):
    """The dataset form, the Governance tab and its tracker lead to the guide."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    client = login(app, portal.editor)
    link = "/governance/guide?dataset={}".format(dataset["name"])
    assert link in client.get("/fr/dataset/edit/{}".format(dataset["name"])).body
    tab = client.get("/fr/dataset/{}/governance".format(dataset["name"])).body
    assert tab.count(link) >= 2
    assert "/governance/guide" in client.get("/fr/dataset/new").body


def test_an_items_label_and_help_are_escaped_on_every_page(app):
    """Markup in an item's label or help is shown as text on the tab, the guide and the
    decision form."""
    portal = make_review_portal()
    helpers.call_action("governance_checklist_update", as_user(portal.admin),
                        organization_id=portal.org["id"], items=[
                            {"label": "<script>alert(1)</script>", "help": "<b>gras</b>"}])
    dataset = reviewable_dataset(portal)
    request_review(portal.editor, dataset)
    pages = [login(app, portal.admin).get(_tab(portal.org)).body,
             login(app, portal.member).get(
                 "/fr/governance/guide?organization={}".format(portal.org["name"])).body,
             login(app, portal.reviewer).get(
                 "/fr/dataset/{}/governance".format(dataset["name"])).body]
    for body in pages:
        assert "<script>alert(1)</script>" not in body and "<b>gras</b>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
