"""The organization tab "To open" ("À ouvrir"): suggestions, dismissal form, agent count."""
from __future__ import annotations

import html

from ckan.tests import helpers

from tests.opendata_governance.suggest_setup import (
    MARKS, PEERS, SUBVENTIONS_URL, as_user, harvest, make_portal, suggestion, suggestions)
from tests.shared import csrf_token, login

pytestmark = MARKS

FIVE = ["35238", "35051", "35288", "35360", "35115"]


def _portal_with_peers():
    portal = make_portal()
    for code in FIVE:
        harvest(portal, code, f"Subventions de {PEERS[code]}", schema=SUBVENTIONS_URL)
    return portal


def _url(portal, suffix="", lang="fr"):
    return f"/{lang}/organization/to-open/{portal.org['name']}{suffix}"


def test_the_tab_shows_ranked_suggestions_in_french_with_their_evidence(app):
    """An editor sees "À ouvrir", the subventions suggestion naming the five communes
    in French, links to their datasets, and a dismissal form with a CSRF token."""
    portal = _portal_with_peers()
    client = login(app, portal.editor)
    page = client.get(_url(portal))
    assert page.status_code == 200
    body = html.unescape(page.body)
    assert "À ouvrir" in body
    assert "Publié par 5 communes du département Ille-et-Vilaine" in body
    for code in FIVE:
        assert PEERS[code] in body
    first = next(item for item in suggestions(portal)["suggestions"]
                 if item["key"] == "subventions")
    assert f"/dataset/{first['reasons'][1]['evidence'][0]['name']}" in body
    assert 'name="_csrf_token"' in page.body and 'value="subventions"' in page.body


def test_dismissing_through_the_form_removes_the_suggestion_and_shows_it_to_admins(app):
    """The form dismisses subventions; the admin's page lists it with its reason, escaped."""
    portal = _portal_with_peers()
    client = login(app, portal.editor)
    page = client.get(_url(portal))
    response = client.post(_url(portal, "/dismiss"), data={
        "_csrf_token": csrf_token(page.body), "key": "subventions",
        "reason": "<b>Aucune</b> subvention versée"}, follow_redirects=False)
    assert response.status_code == 302
    assert suggestion(suggestions(portal), "subventions") is None
    admin_page = login(app, portal.admin).get(_url(portal)).body
    assert "&lt;b&gt;Aucune&lt;/b&gt; subvention versée" in admin_page
    assert "<b>Aucune</b>" not in admin_page


def test_a_dismissal_without_csrf_token_is_refused(app):
    """A POST without the form's token is refused and dismisses nothing."""
    portal = _portal_with_peers()
    client = login(app, portal.editor)
    response = client.post(_url(portal, "/dismiss"), data={
        "key": "subventions", "reason": "Sans jeton"}, follow_redirects=False)
    assert response.status_code in (400, 403)
    assert suggestion(suggestions(portal), "subventions") is not None


def test_a_dismissal_without_reason_shows_the_error_on_the_page(app):
    """An empty reason: a 400 page saying what is missing; nothing dismissed."""
    portal = _portal_with_peers()
    client = login(app, portal.editor)
    page = client.get(_url(portal, lang="en"))
    response = client.post(_url(portal, "/dismiss", lang="en"), data={
        "_csrf_token": csrf_token(page.body), "key": "subventions", "reason": " "})
    assert response.status_code == 400 and "Missing value" in response.body
    assert suggestion(suggestions(portal), "subventions") is not None


def test_members_read_without_forms_and_outsiders_are_kept_out(app):
    """A member sees the list without dismissal form; a plain user gets a 403;
    an anonymous visitor is sent to the login page."""
    portal = _portal_with_peers()
    member_page = login(app, portal.member).get(_url(portal)).body
    assert "Subventions" in member_page and "opening-dismiss" not in member_page
    assert login(app, portal.plain).get(_url(portal)).status_code == 403
    anonymous = app.get(_url(portal), follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]


def test_the_obligation_shows_above_the_thresholds_only(app):
    """Bruz (19,667 inhabitants) with 60 agents shows "open by default"; with 40 it does not."""
    portal = make_portal()
    client = login(app, portal.admin)
    for agents, shown in ((60, True), (40, False)):
        page = client.get(_url(portal))
        response = client.post(_url(portal, "/agents"), data={
            "_csrf_token": csrf_token(page.body), "agent_count": str(agents)})
        assert response.status_code == 200
        body = html.unescape(client.get(_url(portal)).body)
        assert ("soumise à l'ouverture des données par défaut" in body) is shown
        assert ("L312-1-1" in body) is shown


def test_a_bad_agent_count_is_refused_on_the_page(app):
    """"beaucoup" agents: a 400 page with the error; nothing saved."""
    portal = make_portal()
    client = login(app, portal.admin)
    page = client.get(_url(portal, lang="en"))
    response = client.post(_url(portal, "/agents", lang="en"), data={
        "_csrf_token": csrf_token(page.body), "agent_count": "beaucoup"})
    assert response.status_code == 400 and "Must be a whole number" in response.body
    settings = helpers.call_action("governance_settings_show", as_user(portal.admin),
                                   organization_id=portal.org["id"])
    assert settings["agent_count"] is None


def test_planning_a_suggestion_through_the_form_lists_it_as_planned(app):
    """"Plan" with a target date creates the plan with the suggestion's schema and
    frequency; the page then lists it and marks the suggestion planned."""
    portal = make_portal()
    client = login(app, portal.editor)
    page = client.get(_url(portal))
    target = "2099-06-30"
    response = client.post(_url(portal, "/plan"), data={
        "_csrf_token": csrf_token(page.body), "suggestion_key": "prenoms",
        "title": "Prénoms des nouveau-nés", "target_date": target,
        "conforms_to": "https://schema.data.gouv.fr/scdl/prenoms/",
        "update_frequency": "ANNUAL"})
    assert response.status_code == 200
    listed = helpers.call_action("planned_dataset_list", as_user(portal.editor),
                                 organization_id=portal.org["id"])
    assert [(row["title"], row["target_date"], row["update_frequency"])
            for row in listed["results"]] == [("Prénoms des nouveau-nés", target, "ANNUAL")]
    body = html.unescape(client.get(_url(portal)).body)
    assert "Prévu pour le 2099-06-30" in body


def test_planning_with_a_past_date_shows_the_error(app):
    """A past target date: a 400 page naming target_date; nothing planned."""
    portal = make_portal()
    client = login(app, portal.editor)
    page = client.get(_url(portal, lang="en"))
    response = client.post(_url(portal, "/plan", lang="en"), data={
        "_csrf_token": csrf_token(page.body), "suggestion_key": "prenoms",
        "title": "Prénoms", "target_date": "2001-01-01"})
    assert response.status_code == 400 and "target_date" in response.body
    assert "The target date is in the past" in response.body
    assert helpers.call_action("planned_dataset_list", as_user(portal.editor),
                               organization_id=portal.org["id"])["count"] == 0


def test_an_organization_without_territory_is_asked_for_it_on_the_page(app):
    """No territory: the tab says, in French, to set it."""
    portal = make_portal(territory=None, load=False)
    body = html.unescape(login(app, portal.editor).get(_url(portal)).body)
    assert "Renseignez le territoire de l'organisation" in body
