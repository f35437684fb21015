"""Planned datasets in the data inventory (action and CSV) and on the governance dashboard,
whose charts are titled and whose organizations fold."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
from typing import Any

from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import helpers

from ckanext.opendata_governance.model import PlannedDataset
from tests.opendata_governance.dashboard_setup import dataset, gate_off
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

NEXT_MONTH = (dt.date.today() + dt.timedelta(days=30)).isoformat()
LAST_WEEK = dt.date.today() - dt.timedelta(days=7)


def _plan(portal, **data) -> dict[str, Any]:
    fields = {"organization_id": portal.org["id"], "title": "Budget primitif",
              "target_date": NEXT_MONTH, "owner_service": "direction-des-finances", **data}
    return helpers.call_action("planned_dataset_create", as_user(portal.editor), **fields)


def _make_late(plan: dict[str, Any]) -> None:
    """A plan whose target date has passed (a new plan cannot be given one)."""
    model.Session.get(PlannedDataset, plan["id"]).target_date = LAST_WEEK
    model.Session.commit()


def _csv(body: bytes) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _inventory(portal, **paging) -> dict[str, Any]:
    return helpers.call_action("governance_inventory", as_user(portal.admin),
                               organization_id=portal.org["id"], **paging)


def test_a_plan_without_dataset_has_its_own_row_and_a_started_one_marks_its_dataset(
        app, api_headers):
    """The CSV ends with the late plan that no dataset stands for; the plan that became a
    dataset is on that dataset's row, not twice."""
    portal = make_portal()
    gate_off(portal.org["id"])
    started = dataset(portal, private=True, title="Subventions 2026")
    _plan(portal, title="Subventions 2026", package_id=started["id"], state="in_progress")
    late = _plan(portal, title="Budget primitif")
    _make_late(late)
    rows = _csv(app.get("/governance/inventory.csv", headers=api_headers(portal.admin)).data)
    assert [row["title"] for row in rows] == ["Subventions 2026", "Budget primitif"]
    dataset_row, plan_row = rows
    assert (dataset_row["name"], dataset_row["planned_state"],
            dataset_row["planned_late"]) == (started["name"], "in_progress", "false")
    assert (plan_row["id"], plan_row["name"], plan_row["planned_state"],
            plan_row["planned_target_date"], plan_row["planned_late"],
            plan_row["owner_service_title"]) == (
        late["id"], "", "planned", LAST_WEEK.isoformat(), "true", "Direction des finances")


def test_a_plan_whose_dataset_was_deleted_is_listed_again_on_its_own():
    portal = make_portal()
    started = dataset(portal, private=True, title="Subventions 2026")
    plan = _plan(portal, title="Subventions 2026", package_id=started["id"])
    helpers.call_action("package_delete", as_user(portal.sysadmin), id=started["id"])
    result = _inventory(portal)
    assert result["count"] == 1
    assert [row["id"] for row in result["results"]] == [plan["id"]]


def test_paging_walks_the_datasets_then_the_plans():
    """Pages of two over three datasets and two plans: five rows, each once, in order."""
    portal = make_portal()
    names = sorted(dataset(portal, private=True)["name"] for _ in range(3))
    plans = [_plan(portal, title=title)["id"] for title in ("Budget", "Marchés publics")]
    seen = []
    for offset in (0, 2, 4, 6):
        result = _inventory(portal, limit=2, offset=offset)
        assert result["count"] == 5
        seen += [row["name"] or row["id"] for row in result["results"]]
    assert seen == names + plans


def test_the_dashboard_counts_plans_by_state_and_lists_the_late_ones(app, api_headers):
    """Figures by state and the late plans (titles escaped) on the admin's dashboard."""
    portal = make_portal()
    _plan(portal, title="Budget")
    dropped = _plan(portal, title="Annuaire")
    helpers.call_action("planned_dataset_update", as_user(portal.editor), id=dropped["id"],
                        state="dropped")
    _make_late(_plan(portal, title="<b>Marchés</b> publics"))
    figures = helpers.call_action("governance_dashboard", as_user(portal.admin),
                                  organization_id=portal.org["id"])
    plans = figures["organizations"][0]["plans"]
    assert {key: plans[key] for key in ("planned", "in_progress", "published", "dropped",
                                        "late")} == {
        "planned": 2, "in_progress": 0, "published": 0, "dropped": 1, "late": 1}
    assert [plan["title"] for plan in plans["late_plans"]] == ["<b>Marchés</b> publics"]
    assert figures["totals"]["plans"]["planned"] == 2
    page = app.get("/fr/governance", headers=api_headers(portal.admin))
    body = html.unescape(page.body)
    assert "Données planifiées" in body and "1 planification en retard" in body
    assert "&lt;b&gt;Marchés&lt;/b&gt; publics" in page.body and "<b>Marchés</b>" not in page.body


def test_each_chart_shows_its_title_and_many_organizations_fold(app, api_headers):
    """Every chart has a visible French title; a sysadmin's page folds each organization
    into a summary line instead of one long page, an admin's single one is open."""
    portal = make_portal()
    page = app.get("/fr/governance", headers=api_headers(portal.sysadmin))
    soup = BeautifulSoup(page.body, "html.parser")
    figures = soup.select("figure.governance-figure")
    assert figures and all(figure.select_one("figcaption").get_text(strip=True)
                           for figure in figures)
    assert "Jeux de données publics et privés par organisation" in page.body
    folded = soup.select("details.governance-organization")
    assert len(folded) == 2 and not any(item.has_attr("open") for item in folded)
    single = BeautifulSoup(app.get("/fr/governance", headers=api_headers(portal.admin)).body,
                           "html.parser").select("details.governance-organization")
    assert len(single) == 1 and single[0].has_attr("open")


def test_the_spreadsheet_inventory_reads_in_french(app, api_headers):
    """labels=1 on a French page: French headers, statuses, states, frequencies, licences
    and yes/no instead of codes; without it, the codes stay for tools."""
    portal = make_portal()
    gate_off(portal.org["id"])
    dataset(portal, private=True, title="Budget", update_frequency="ANNUAL",
            license_id="etalab-2.0")
    _plan(portal, title="Marchés publics")
    response = app.get("/fr/governance/inventory.csv",
                       query_string={"sep": "semicolon", "labels": "1"},
                       headers=api_headers(portal.admin))
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    first = rows[0]
    assert (first["Intitulé"], first["Privé"], first["Fréquence de mise à jour"]) == (
        "Budget", "Oui", "annuel")
    assert first["Licence"].startswith("Licence Ouverte")
    assert rows[1]["Planification"] == "planifié"
    coded = _csv(app.get("/fr/governance/inventory.csv",
                         headers=api_headers(portal.admin)).data)
    assert (coded[0]["private"], coded[0]["update_frequency"]) == ("true", "ANNUAL")
