"""The public progress page (organization_progress_show and its page), starting a planned
dataset (planned_dataset_start, the "Start" button) and the blank plan form."""
from __future__ import annotations

import datetime as dt
import html

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from tests.opendata_governance.services_setup import SCHEMA
from tests.opendata_governance.suggest_setup import (
    PRENOMS_URL, SUBVENTIONS_URL, as_user, make_portal)
from tests.shared import csrf_token, login

#: The portal's dataset form (scheming), where a started plan's fields land.
pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search scheming_datasets "
                            "opendata_governance territorial_consolidation reuse_tracker"),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

NEXT_MONTH = (dt.date.today() + dt.timedelta(days=30)).isoformat()
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def _service(portal, name="direction-des-finances", title="Direction des finances"):
    return helpers.call_action("governance_service_create", as_user(portal.sysadmin),
                               organization_id=portal.org["id"], name=name, title=title)


def _plan(portal, **data):
    fields = {"organization_id": portal.org["id"], "title": "Subventions 2026",
              "target_date": NEXT_MONTH, **data}
    return helpers.call_action("planned_dataset_create", as_user(portal.editor), **fields)


def _settings(portal, **values):
    return helpers.call_action("governance_settings_update", as_user(portal.admin),
                               organization_id=portal.org["id"], **values)


def _progress(portal, user=None):
    context = as_user(user) if user else {"user": "", "ignore_auth": False}
    return helpers.call_action("organization_progress_show", context,
                               organization_id=portal.org["id"])


def _published(portal, title, schema=None, service=None, private=False):
    resources = [{"url": "https://example.org/data.csv", "name": "data",
                  **({"conforms_to": schema} if schema else {})}]
    return factories.Dataset(owner_org=portal.org["id"], title=title, private=private,
                             resources=resources, **({"owner_service": service} if service else {}))


def _portal_with_data():
    """Bruz publishes subsidies (finances) and an unschemed dataset, keeps one private,
    and plans first names (civil status, named) and subsidies 2027."""
    portal = make_portal(territory=None, load=False)
    _service(portal)
    _service(portal, "etat-civil", "État civil")
    _published(portal, "Subventions 2025", SUBVENTIONS_URL, "direction-des-finances")
    _published(portal, "Horaires des piscines")
    _published(portal, "Fichier des agents", private=True)
    _plan(portal, title="Prénoms donnés en 2026", conforms_to=PRENOMS_URL,
          owner_service="etat-civil", target_date=NEXT_MONTH)
    _plan(portal, title="Subventions 2027", suggestion_key="subventions",
          owner_service="direction-des-finances", target_date=NEXT_YEAR)
    return portal


def test_figures_count_public_datasets_and_open_plans_by_kind_and_service():
    """Two public datasets (the private one never counts), two plans; subsidies counted
    under their reference entry, the unschemed dataset under "other"."""
    portal = _portal_with_data()
    figures = _progress(portal, portal.member)
    assert (figures["published"], figures["planned"], figures["late"]) == (2, 2, 0)
    themes = {row["key"]: (row["published"], row["planned"]) for row in figures["themes"]}
    assert themes == {"subventions": (1, 1), "prenoms": (0, 1), "": (1, 0)}
    assert figures["themes"][-1]["key"] == ""  # "other data" comes last
    services = {row["name"]: (row["title"], row["published"], row["planned"])
                for row in figures["services"]}
    assert services == {"direction-des-finances": ("Direction des finances", 1, 1),
                        "etat-civil": ("État civil", 0, 1), "": (None, 1, 0)}
    assert [row["title"] for row in figures["recent"]] == [
        "Horaires des piscines", "Subventions 2025"]
    assert [row["target_date"] for row in figures["next"]] == [NEXT_MONTH, NEXT_YEAR]


def test_plan_titles_are_named_only_when_the_organization_chose_to():
    """By default the next plans have no title; with the option, they do."""
    portal = _portal_with_data()
    assert [row["title"] for row in _progress(portal, portal.member)["next"]] == [None, None]
    _settings(portal, progress_planned_titles=True)
    assert [row["title"] for row in _progress(portal, portal.member)["next"]] == [
        "Prénoms donnés en 2026", "Subventions 2027"]


@pytest.mark.parametrize("role,public,allowed", [
    ("anonymous", False, False), ("plain", False, False), ("member", False, True),
    ("admin", False, True), ("sysadmin", False, True),
    ("anonymous", True, True), ("plain", True, True),
])
def test_who_may_see_the_progress(role, public, allowed):
    """Members before the admins make the page public; everyone after."""
    portal = make_portal(territory=None, load=False)
    if public:
        _settings(portal, progress_public=True)
    user = None if role == "anonymous" else getattr(portal, role)
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth("organization_progress_show", context,
                          organization_id=portal.org["id"])
        result = True
    except tk.NotAuthorized:
        result = False
    assert result is allowed


def test_only_admins_change_the_progress_settings():
    """An editor cannot make the page public."""
    portal = make_portal(territory=None, load=False)
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("governance_settings_update", as_user(portal.editor),
                            organization_id=portal.org["id"], progress_public=True)
    with pytest.raises(tk.ValidationError) as error:
        _settings(portal, progress_public="peut-être")
    assert "progress_public" in error.value.error_dict


def test_the_public_page_in_french_never_shows_a_private_title(app):
    """Anonymous visitors read the page once public: figures, kinds of data, services,
    recent publications; no private dataset, no plan title, escaped names."""
    portal = _portal_with_data()
    _published(portal, "<script>alert(1)</script> Budget")
    url = f"/fr/organization/progress/{portal.org['name']}"
    assert app.get(url, follow_redirects=False).status_code == 302  # not public yet: login
    _settings(portal, progress_public=True)
    page = app.get(url)
    assert page.status_code == 200
    body = html.unescape(page.body)
    assert "Avancement" in body and "Jeux de données publiés" in body
    assert "Subventions" in body and "Prénoms" in body and "Autres données" in body
    assert "Direction des finances" in body and "État civil" in body
    assert "Horaires des piscines" in body
    assert "Fichier des agents" not in body
    assert "Prénoms donnés en 2026" not in body and "Un jeu de données planifié" in body
    assert "<script>alert(1)</script>" not in page.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Budget" in page.body


def test_admins_make_the_page_public_through_the_to_open_tab(app):
    """The form's two boxes are saved; without the CSRF token nothing changes."""
    portal = make_portal(territory=None, load=False)
    client = login(app, portal.admin)
    url = f"/fr/organization/to-open/{portal.org['name']}"
    page = client.get(url)
    assert "Page d'avancement publique" in html.unescape(page.body)
    refused = client.post(url + "/progress", data={"progress_public": "true"},
                          follow_redirects=False)
    assert refused.status_code in (400, 403)
    assert _progress(portal, portal.admin)["public"] is False
    response = client.post(url + "/progress", data={
        "_csrf_token": csrf_token(page.body), "progress_public": "true",
        "progress_planned_titles": "true"}, follow_redirects=False)
    assert response.status_code == 302
    figures = _progress(portal)
    assert (figures["public"], figures["planned_titles"]) == (True, True)


def test_starting_a_plan_creates_its_draft_dataset_prefilled():
    """A private draft of the organization with the plan's title, service, frequency and
    notes; the plan follows it (in progress) and cannot be started twice."""
    portal = make_portal(territory=None, load=False)
    _service(portal)
    planned = _plan(portal, owner_service="direction-des-finances",
                    update_frequency="ANNUAL", notes="Après le vote du budget")
    dataset = helpers.call_action("planned_dataset_start", as_user(portal.editor),
                                  id=planned["id"])
    assert (dataset["state"], dataset["private"], dataset["owner_org"]) == (
        "draft", True, portal.org["id"])
    assert (dataset["title"], dataset["owner_service"], dataset["update_frequency"],
            dataset["notes"]) == ("Subventions 2026", "direction-des-finances", "ANNUAL",
                                  "Après le vote du budget")
    shown = helpers.call_action("planned_dataset_show", as_user(portal.member),
                                id=planned["id"])
    assert (shown["state"], shown["package_id"], shown["package_name"]) == (
        "in_progress", dataset["id"], dataset["name"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("planned_dataset_start", as_user(portal.editor),
                            id=planned["id"])
    assert "id" in error.value.error_dict


def test_two_plans_of_the_same_title_get_their_own_datasets():
    """The second draft's name is numbered, not refused."""
    portal = make_portal(territory=None, load=False)
    first = helpers.call_action("planned_dataset_start", as_user(portal.editor),
                                id=_plan(portal)["id"])
    second = helpers.call_action("planned_dataset_start", as_user(portal.editor),
                                 id=_plan(portal)["id"])
    assert first["name"] != second["name"] and second["name"].startswith(first["name"])


def test_members_and_outsiders_cannot_start_a_plan():
    """Starting creates a dataset: editors and admins only."""
    portal = make_portal(territory=None, load=False)
    planned = _plan(portal)
    for user in (portal.member, portal.plain):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("planned_dataset_start", as_user(user), id=planned["id"])
    assert helpers.call_action("planned_dataset_show", as_user(portal.admin),
                               id=planned["id"])["state"] == "planned"


def test_a_dropped_plan_cannot_be_started():
    portal = make_portal(territory=None, load=False)
    planned = _plan(portal)
    helpers.call_action("planned_dataset_update", as_user(portal.editor), id=planned["id"],
                        state="dropped")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("planned_dataset_start", as_user(portal.editor), id=planned["id"])
    assert "state" in error.value.error_dict


def test_the_start_button_opens_the_dataset_form_and_publishing_closes_the_plan(app):
    """From the tab: "Commencer le jeu de données" leads to the form of the draft, prefilled;
    once the dataset is public the plan is published."""
    portal = make_portal(territory=None, load=False)
    _service(portal)
    planned = _plan(portal, owner_service="direction-des-finances")
    client = login(app, portal.editor)
    url = f"/fr/organization/to-open/{portal.org['name']}"
    page = client.get(url)
    assert "Commencer le jeu de données" in html.unescape(page.body)
    assert "Direction des finances" in page.body  # the service's title, not its name
    response = client.post(f"{url}/start/{planned['id']}",
                           data={"_csrf_token": csrf_token(page.body)},
                           follow_redirects=False)
    assert response.status_code == 302 and "/dataset/edit/" in response.headers["Location"]
    form = client.get(response.headers["Location"])
    assert form.status_code == 200 and 'value="Subventions 2026"' in form.body
    shown = helpers.call_action("planned_dataset_show", as_user(portal.editor),
                                id=planned["id"])
    assert shown["state"] == "in_progress"
    helpers.call_action("package_patch", as_user(portal.sysadmin), id=shown["package_id"],
                        state="active", private=False)
    assert helpers.call_action("planned_dataset_show", as_user(portal.editor),
                               id=planned["id"])["state"] == "published"
    listed = html.unescape(client.get(url).body)
    assert "Voir le jeu de données" in listed


def test_the_blank_plan_form_plans_and_names_its_errors_by_label(app):
    """"Planifier un autre jeu de données": a past date is refused under the field's French
    label (never its key), a good one is planned."""
    portal = make_portal(territory=None, load=False)
    client = login(app, portal.editor)
    url = f"/fr/organization/to-open/{portal.org['name']}"
    page = client.get(url)
    assert "Planifier un autre jeu de données" in html.unescape(page.body)
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    response = client.post(f"{url}/plan", data={
        "_csrf_token": csrf_token(page.body), "title": "Budget primitif",
        "target_date": past, "conforms_to": "", "notes": "Voté en mars"})
    assert response.status_code == 400
    body = html.unescape(response.body)
    assert "La date cible est dans le passé" in body and "target_date :" not in body
    assert 'value="Budget primitif"' in response.body
    response = client.post(f"{url}/plan", data={
        "_csrf_token": csrf_token(page.body), "title": "Budget primitif",
        "target_date": NEXT_MONTH, "update_frequency": "ANNUAL"}, follow_redirects=False)
    assert response.status_code == 302
    listed = helpers.call_action("planned_dataset_list", as_user(portal.member),
                                 organization_id=portal.org["id"])["results"]
    assert [(row["title"], row["update_frequency"]) for row in listed] == [
        ("Budget primitif", "ANNUAL")]


def test_the_started_datasets_resource_form_proposes_the_planned_schema(app):
    """The plan's expected schema (subventions) fills the new resource's conforms_to with
    the Table Schema the portal ships, and the form says it was planned so."""
    portal = make_portal(territory=None, load=False)
    planned = _plan(portal, suggestion_key="subventions",
                    conforms_to="https://schema.data.gouv.fr/scdl/subventions/")
    dataset = helpers.call_action("planned_dataset_start", as_user(portal.editor),
                                  id=planned["id"])
    client = login(app, portal.editor)
    page = client.get(f"/fr/dataset/{dataset['name']}/resource/new")
    assert page.status_code == 200
    field = BeautifulSoup(page.body, "html.parser").select_one("input#field-conforms_to")
    assert field["value"] == SUBVENTIONS_URL
    assert "Ce jeu de données a été planifié avec le schéma" in html.unescape(page.body)
    other = factories.Dataset(owner_org=portal.org["id"], private=True)
    plain = BeautifulSoup(client.get(f"/fr/dataset/{other['name']}/resource/new").body,
                          "html.parser").select_one("input#field-conforms_to")
    assert not plain.get("value")
