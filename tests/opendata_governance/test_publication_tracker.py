"""The publication tracker on the Gouvernance tab and the private dataset page, the gate's
refusal on the Visibilité field, and one French word for the sign-off."""
from __future__ import annotations

import html
import pathlib
import re

from babel.messages.pofile import read_po

from ckan.tests import helpers

from tests.opendata_governance.review_setup import (
    MARKS, approve, as_user, make_review_portal, request_review, reviewable_dataset)
from tests.shared import csrf_token, login

pytestmark = MARKS

CATALOGUE = (pathlib.Path(__file__).parents[2] / "ckanext" / "opendata_governance" / "i18n"
             / "fr" / "LC_MESSAGES" / "ckanext-opendata_governance.po")


def _steps(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', body))


def _next_action(body: str) -> str:
    found = re.search(r'class="governance-next-action">\s*(.*?)\s*</p>', body, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_the_tracker_leads_a_dataset_from_draft_to_public(app):
    """Each step's state and the next action follow the dataset from missing metadata
    to public, for its editor and its reviewer, in French."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, update_frequency="", tags=[])
    tab = "/fr/dataset/{}/governance".format(dataset["name"])
    editor, reviewer = login(app, portal.editor), login(app, portal.reviewer)

    body = editor.get("/fr/dataset/{}".format(dataset["name"])).body
    assert _steps(body) == {"metadata": "failed", "checks": "todo", "requested": "todo",
                            "decided": "todo", "public": "todo"}
    assert "Compléter les métadonnées" in _next_action(body)
    assert 'href="/fr/dataset/edit/{}"'.format(dataset["name"]) in _next_action(body)

    helpers.call_action("package_patch", as_user(portal.editor), id=dataset["id"],
                        update_frequency="ANNUAL", tags=[{"name": "budget"}],
                        data_steward="Claire Martin, service des finances")
    assert "Demander la validation de conformité" in _next_action(editor.get(tab).body)

    review = request_review(portal.editor, dataset)
    body = editor.get(tab).body
    assert _steps(body)["checks"] == "done" and _steps(body)["decided"] == "waiting"
    assert "En attente de la décision d'un valideur" in _next_action(body)
    assert "Statuer sur la demande" in _next_action(reviewer.get(tab).body)

    approve(review, portal.reviewer)
    body = editor.get(tab).body
    assert set(_steps(body).values()) == {"done"} and _next_action(body) == ""
    assert "governance-tracker" not in editor.get(
        "/fr/dataset/{}".format(dataset["name"])).body


def test_with_the_gate_off_the_next_action_is_to_publish(app):
    """An organization without the gate: once the metadata is complete, publish directly."""
    portal = make_review_portal()
    helpers.call_action("governance_settings_update", as_user(portal.sysadmin),
                        organization_id=portal.org["id"], gate_enabled=False)
    dataset = reviewable_dataset(portal, data_steward="Claire Martin")
    body = login(app, portal.editor).get("/fr/dataset/{}".format(dataset["name"])).body
    assert "Rendre le jeu de données public" in _next_action(body)
    assert "/fr/dataset/edit/{}#field-private".format(dataset["name"]) in _next_action(body)


def test_a_refused_publication_marks_the_visibility_field_and_points_at_the_tracker(app):
    """The edit form's refusal reads "Visibilité", marks that field and links the tracker."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    editor = login(app, portal.editor)
    form = editor.get("/fr/dataset/edit/{}".format(dataset["name"])).body
    body = editor.post("/fr/dataset/edit/{}".format(dataset["name"]), data={
        "_csrf_token": csrf_token(form), "name": dataset["name"], "title": dataset["title"],
        "notes": dataset["notes"], "owner_org": dataset["owner_org"],
        "license_id": dataset["license_id"], "contains_personal_data": "false",
        "owner_service": "direction-des-finances", "private": "False", "save": ""},
        follow_redirects=False).body
    text = html.unescape(body)
    assert '<a href="#field-private">Visibilité</a>: Le jeu de données ne peut pas' in text
    assert "private: " not in text
    field = text[text.index('for="field-private"') - 200:text.index("field-private-error") + 900]
    assert "form-group control-medium error" in field
    assert "/fr/dataset/{}/governance#governance-tracker".format(dataset["name"]) in field
    assert "Voir le suivi de publication" in field


def test_the_french_catalogue_calls_the_sign_off_validation_de_conformite():
    """No French message calls the sign-off "visa" or "relecture", nor a reviewer "relecteur"."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    texts = [text for message in catalogue if message.id
             for text in (message.string if isinstance(message.string, tuple)
                          else (message.string,))]
    assert not [text for text in texts
                if re.search(r"\bvisas?\b|relecture|relecteur", text, re.I)]
    assert any("validation de conformité" in text for text in texts)
