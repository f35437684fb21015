"""Territory pages: search, territory page by level, organization territory, rules, dataset copies."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation import duplicates
from tests.shared import PASSWORD, csrf_token, login
from tests.territorial_consolidation.territory_setup import (BRUZ, ILLE_ET_VILAINE, MARKS,
                                                             RENNES, RENNES_METROPOLE,
                                                             harvested_dataset, load_dep35)

pytestmark = MARKS


def test_search_page_finds_territories_by_name(app) -> None:
    """The search page lists territories matching the text, with links to their pages."""
    load_dep35()
    body = app.get("/territory/", query_string={"q": "acigne"}).body
    assert "Acigné" in body
    assert "/territory/commune:35001" in body
    assert "1 territory found" in body


def test_search_page_reports_a_bad_level(app) -> None:
    """An unknown level is shown as an error, not a server error."""
    load_dep35()
    response = app.get("/territory/", query_string={"level": "canton"})
    assert response.status_code == 200
    assert "Must be one of" in response.body


def test_territory_page_lists_datasets_by_level(app) -> None:
    """A département's page lists its own and its members' datasets under their level."""
    load_dep35()
    town = factories.Organization()
    helpers.call_action("territory_organization_set", organization_id=town["id"],
                        territory_id=BRUZ)
    factories.Dataset(owner_org=town["id"], title="Arbres de Bruz")
    harvested_dataset(factories.Organization(), "https://data.metropole.example", "epci",
                      "243500139", "Vélos en libre service")
    body = app.get(f"/territory/{ILLE_ET_VILAINE}").body
    assert "Arbres de Bruz" in body and "Vélos en libre service" in body
    assert body.index("Vélos en libre service") > body.index("Arbres de Bruz")
    assert "Intercommunality (EPCI) (1)" in body
    assert "Rennes Métropole" in body  # among the children
    only_epci = app.get(f"/territory/{ILLE_ET_VILAINE}", query_string={"level": "epci"}).body
    assert "Arbres de Bruz" not in only_epci


def test_territory_page_hides_private_datasets(app) -> None:
    """A private dataset of the territory is not listed to anonymous visitors."""
    load_dep35()
    town = factories.Organization()
    helpers.call_action("territory_organization_set", organization_id=town["id"],
                        territory_id=RENNES)
    factories.Dataset(owner_org=town["id"], title="Brouillon secret", private=True)
    body = app.get(f"/territory/{RENNES}").body
    assert "Brouillon secret" not in body
    assert "No dataset of this territory yet." in body


def test_unknown_territory_is_404(app) -> None:
    """An unknown territory id gives a 404 page."""
    assert app.get("/territory/commune:00000", status=404).status_code == 404


def test_organization_admin_sets_the_territory_through_the_form(app) -> None:
    """An admin finds a territory by name and picks it; the page then shows it."""
    load_dep35()
    admin = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    client = login(app, admin)
    url = f"/organization/territory/{org['name']}"
    page = client.get(url, query_string={"q": "Rennes Metropole"}).body
    assert RENNES_METROPOLE in page
    response = client.post(url, data={"_csrf_token": csrf_token(page),
                                      "territory_id": RENNES_METROPOLE},
                           follow_redirects=True)
    assert "Territory saved" in response.body
    assert helpers.call_action("territory_show", organization_id=org["id"])["id"] == \
        RENNES_METROPOLE


def test_organization_territory_form_needs_csrf_and_rights(app) -> None:
    """Without a CSRF token, or as an editor, the territory is not changed."""
    load_dep35()
    admin = factories.User(password=PASSWORD)
    editor = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"},
                                        {"name": editor["name"], "capacity": "editor"}])
    url = f"/organization/territory/{org['name']}"
    response = login(app, admin).post(url, data={"territory_id": RENNES})
    assert response.status_code in (400, 403)
    client = login(app, editor)
    page = client.get(url).body
    assert "Find a territory" not in page
    refused = client.post(url, data={"_csrf_token": csrf_token(page), "territory_id": RENNES})
    assert refused.status_code == 403
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("territory_show", organization_id=org["id"])


def test_organization_page_has_a_territory_tab(app) -> None:
    """The organization page links to its territory tab."""
    org = factories.Organization()
    body = app.get(f"/organization/{org['name']}").body
    assert f"/organization/territory/{org['name']}" in body


def test_sysadmin_adds_and_deletes_a_rule_through_the_page(app) -> None:
    """A sysadmin adds a rule with the form, sees it listed, then deletes it."""
    sysadmin = factories.Sysadmin(password=PASSWORD)
    client = login(app, sysadmin)
    page = client.get("/territory/rules").body
    response = client.post("/territory/rules", data={
        "_csrf_token": csrf_token(page), "kind": "keyword", "value": "Transport",
        "level": "region", "note": "Compétence <b>régionale</b>"}, follow_redirects=True)
    assert "Rule added" in response.body
    assert "Compétence &lt;b&gt;régionale&lt;/b&gt;" in response.body
    rule = helpers.call_action("responsibility_rule_list")["results"][0]
    deleted = client.post(f"/territory/rules/{rule['id']}/delete",
                          data={"_csrf_token": csrf_token(response.body)},
                          follow_redirects=True)
    assert "Rule deleted" in deleted.body
    assert helpers.call_action("responsibility_rule_list")["count"] == 0


def test_rules_page_is_read_only_for_others(app) -> None:
    """Others see the rules without the form, and cannot post one."""
    helpers.call_action("responsibility_rule_create", kind="theme", value="mobilité",
                        level="epci")
    user = factories.User(password=PASSWORD)
    client = login(app, user)
    page = client.get("/territory/rules").body
    assert "mobilité" in page and "Add a rule" not in page
    refused = client.post("/territory/rules", data={
        "_csrf_token": csrf_token(page), "kind": "keyword", "value": "x", "level": "region"})
    assert refused.status_code == 403
    assert helpers.call_action("responsibility_rule_list")["count"] == 1


def test_dataset_page_shows_copies_and_rules(app) -> None:
    """The canonical dataset lists where else it is published, and the rule for it."""
    helpers.call_action("responsibility_rule_create", kind="keyword", value="budget",
                        level="commune", note="Budget voté")
    org = factories.Organization()
    canonical = harvested_dataset(org, "https://data.rennes.example", "commune", "35238",
                                  "Budget", identifier="urn:budget", tags=("budget",))
    mirror = harvested_dataset(org, "https://www.data.gouv.example", "national", "FR",
                               "Budget", identifier="urn:budget", tags=("budget",))
    duplicates.detect([canonical["id"]])
    body = app.get(f"/dataset/{canonical['name']}").body
    assert "Also published on" in body
    assert f"https://www.data.gouv.example/dataset/{mirror['name']}" in body
    assert "Budget voté" in body
    mirror_page = app.get(f"/dataset/{mirror['name']}").body
    assert "This dataset is a copy of" in mirror_page
    assert f"/dataset/{canonical['name']}" in mirror_page
