"""Each check result says, in French, what it checks, why it matters and how to fix it;
pending checks show as running, and reviewer errors name items by their French labels."""
from __future__ import annotations

import html
import re

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.check_setup import BIG, private_dataset, resource
from tests.opendata_governance.review_setup import (
    MARKS, as_user, make_review_portal, request_review, reviewable_dataset)
from tests.shared import csrf_token, login

pytestmark = MARKS


def _row(body: str, check_id: str) -> str:
    row = body[body.index(f'data-check="{check_id}"'):]
    return html.unescape(row[:row.index("</tr>")])


def test_the_api_lists_each_result_with_its_french_title_and_explanation(app):
    """governance_check_result_list in French gives translated titles, what, why and fix."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    token = factories.APIToken(user=portal.editor["name"])["token"]
    listed = app.get("/fr/api/3/action/governance_check_result_list",
                     query_string={"package_id": dataset["id"]},
                     headers={"Authorization": token}).json["result"]["results"]
    (licence,) = [result for result in listed if result["check_id"] == "licence_open"]
    assert licence["title"] == "Licence ouverte"
    assert licence["explanation"].startswith("Le jeu de données a une licence")
    assert "Licence Ouverte ou ODbL" in licence["why"]
    assert "champ Licence" in licence["fix"]
    assert all(result["why"] and result["fix"] for result in listed)


def test_the_french_resource_page_opens_the_explanation_of_a_failed_check(app):
    """A failed licence check shows, opened, why it matters and how to fix it."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, license_id="notspecified")
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    body = login(app, portal.editor).get("/fr/dataset/{}/resource/{}".format(
        dataset["name"], dataset["resources"][0]["id"])).body
    failed, passed = _row(body, "licence_open"), _row(body, "personal_data_declared")
    assert "<details class=\"governance-check-explanation\" open>" in failed
    assert "Pourquoi c'est important" in failed and "champ Licence" in failed
    assert "<details class=\"governance-check-explanation\">" in passed


@pytest.mark.usefixtures("clean_queues")
def test_checks_still_running_show_as_running_and_approving_waits(app):
    """While the file checks run in the background, nothing reads as failed and the
    approve button waits; a forced approval names the check by its French title."""
    portal = make_review_portal()
    dataset = private_dataset(portal, resource(BIG))
    review = request_review(portal.editor, dataset)
    reviewer = login(app, portal.reviewer)
    body = reviewer.get("/fr/dataset/{}/governance".format(dataset["name"])).body
    # The personal-data scan and the schema conformity read the file: both wait.
    assert "2 contrôles bloquants sont encore en cours" in html.unescape(body)
    assert "a échoué" not in html.unescape(body)
    assert "En cours" in _row(body, "personal_data_scan")
    queue = reviewer.get("/fr/governance/reviews").body
    assert "4 contrôles encore en cours" in queue and "governance-blocking-count" not in queue
    assert re.search(r'<button[^>]*value="approve"[^>]*disabled[^>]*>\s*'
                     r'Approuver \(à la fin des contrôles en cours\)', body)
    forced = reviewer.post("/fr/dataset/{}/governance/decide".format(dataset["name"]), data={
        "_csrf_token": csrf_token(body), "review_id": review["id"], "decision": "approve",
        **{f"verdict-{item}": "ok" for item in
           ("licence", "personal_data", "schema", "open_format", "metadata")}}).body
    message = html.unescape(forced)
    assert ("Des contrôles bloquants sont encore en cours (Aucune donnée personnelle "
            "détectée, Conformité au schéma)") in message
    assert "(personal_data_scan)" not in message


def test_a_missing_verdict_is_named_by_its_french_label(app):
    """The reviewer's error names the checklist items as the form shows them, not by key."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    review = request_review(portal.editor, dataset)
    reviewer = login(app, portal.reviewer)
    form = reviewer.get("/fr/dataset/{}/governance".format(dataset["name"])).body
    body = html.unescape(reviewer.post(
        "/fr/dataset/{}/governance/decide".format(dataset["name"]), data={
            "_csrf_token": csrf_token(form), "review_id": review["id"],
            "decision": "approve", "verdict-licence": "ok"}).body)
    assert ("Point manquant dans la liste de contrôle : Données personnelles et "
            "anonymisation, Conformité au schéma, Format ouvert, Métadonnées complètes"
            ) in body
    assert "personal_data, schema" not in body
