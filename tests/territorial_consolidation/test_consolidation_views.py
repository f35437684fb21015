"""Consolidation pages (list, report, run button) and the coverage page with its grid and CSV."""
from __future__ import annotations

import csv
import io

from ckan.tests import helpers

from tests.territorial_consolidation.consolidation_setup import (
    BRUZ, MARKS, RENNES, RENNES_METROPOLE, SUBVENTIONS_URL, make_consolidation, make_portal,
    publish, run_now, subventions_rows)

pytestmark = MARKS


def test_the_report_page_shows_figures_sources_and_history(app):
    """The consolidation page lists the last run's sources with verdicts, and its history."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(2).encode(),
            title="Subventions <b>Rennes</b>")
    consolidation = make_consolidation(portal)
    run_now(consolidation)
    page = app.get(f"/consolidation/{consolidation['name']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Subventions &lt;b&gt;Rennes&lt;/b&gt;" in body
    assert 'class="consolidation-valid"' in body
    assert "consolidation-history" in body
    assert "Run now" not in body


def test_admins_see_a_run_button_with_a_csrf_token(app, api_headers):
    """The run form is shown to the organization's admins, with its CSRF field."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    body = app.get(f"/consolidation/{consolidation['name']}",
                   headers=api_headers(portal.admin)).get_data(as_text=True)
    assert "Run now" in body
    assert 'name="_csrf_token"' in body


def test_posting_run_as_a_stranger_is_forbidden(app, api_headers):
    """A user who is not an admin of the organization gets a 403."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    response = app.post(f"/consolidation/{consolidation['name']}/run",
                        headers=api_headers(portal.plain))
    assert response.status_code == 403


def test_posting_run_as_an_admin_queues_it(app, api_headers, monkeypatch):
    """An admin's run is queued and the page says so."""
    from ckanext.territorial_consolidation.consolidation import jobs as consolidation_jobs

    monkeypatch.setattr(consolidation_jobs.tk, "enqueue_job", lambda *args, **kwargs: None)
    portal = make_portal()
    consolidation = make_consolidation(portal)
    response = app.post(f"/consolidation/{consolidation['name']}/run",
                        headers=api_headers(portal.admin), follow_redirects=True)
    assert response.status_code == 200
    shown = helpers.call_action("consolidation_show", id=consolidation["id"])
    assert shown["last_run"]["state"] == "pending"


def test_an_unknown_consolidation_is_a_404(app):
    """The page of a consolidation that does not exist is a 404."""
    assert app.get("/consolidation/nope").status_code == 404


def test_the_list_page_links_each_consolidation(app):
    """The consolidations page links to each consolidation."""
    portal = make_portal()
    make_consolidation(portal)
    body = app.get("/consolidation/").get_data(as_text=True)
    assert "/consolidation/subventions-rennes-metropole" in body


def test_the_coverage_page_draws_a_grid_and_a_table(app):
    """The coverage page has an SVG square per commune and the table of statuses."""
    portal = make_portal(full=True)
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    run_now(make_consolidation(portal))
    page = app.get("/coverage/", query_string={"schema": SUBVENTIONS_URL,
                                               "territory": RENNES_METROPOLE})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert body.count("<rect x=") == 43
    assert 'class="coverage-valid"' in body
    assert "Rennes (35238)" in body


def test_the_coverage_page_reports_a_bad_territory_in_the_form(app):
    """An unknown territory gives the form back with the error, status 400."""
    page = app.get("/coverage/", query_string={"schema": SUBVENTIONS_URL,
                                               "territory": "epci:000"})
    assert page.status_code == 400
    assert "Territory not found" in page.get_data(as_text=True)


def test_the_coverage_csv_has_one_row_per_commune(app):
    """The CSV export lists every commune with its status."""
    portal = make_portal(full=True)
    publish(portal.communes[BRUZ], subventions_rows(1).encode())
    run_now(make_consolidation(portal))
    response = app.get("/coverage/export.csv", query_string={
        "schema": SUBVENTIONS_URL, "territory": RENNES_METROPOLE})
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 43
    assert next(row for row in rows if row["code"] == "35047")["status"] == "valid"


def _form(**overrides):
    data = {"name": "prenoms-35", "title": "Prénoms d'Ille-et-Vilaine",
            "schema_url": SUBVENTIONS_URL, "scope_territory_id": RENNES_METROPOLE,
            "dedup_key": "idAttribuant, dateConvention", "schedule": "weekly",
            "keep_valid_rows": "true"}
    data.update(overrides)
    return data


def test_an_admin_sets_up_a_consolidation_with_the_form(app, api_headers):
    """The new-consolidation form creates it and leads to its page."""
    portal = make_portal()
    form = app.get("/consolidation/new", headers=api_headers(portal.admin))
    assert 'name="_csrf_token"' in form.get_data(as_text=True)
    response = app.post("/consolidation/new", headers=api_headers(portal.admin),
                        data=_form(organization_id=portal.org["id"]), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/consolidation/prenoms-35")
    created = helpers.call_action("consolidation_show", id="prenoms-35")
    assert (created["schedule"], created["keep_valid_rows"], created["notify_owners"]) == \
        ("weekly", True, False)
    assert created["dedup_key"] == ["idAttribuant", "dateConvention"]


def test_the_form_shows_validation_errors_by_field(app, api_headers):
    """A bad territory comes back in the form, next to its field, nothing created."""
    portal = make_portal()
    response = app.post("/consolidation/new", headers=api_headers(portal.admin),
                        data=_form(organization_id=portal.org["id"],
                                   scope_territory_id="epci:000"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="scope_territory_id-error"' in body
    assert helpers.call_action("consolidation_list")["count"] == 0


def test_a_stranger_cannot_create_through_the_form(app, api_headers):
    """A user who administers no organization gets a 403 on posting the form."""
    portal = make_portal()
    response = app.post("/consolidation/new", headers=api_headers(portal.plain),
                        data=_form(organization_id=portal.org["id"]))
    assert response.status_code == 403


def test_the_edit_form_saves_the_changes(app, api_headers):
    """Editing the schedule and unticking "keep valid rows" is saved."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    page = app.get(f"/consolidation/{consolidation['name']}/edit",
                   headers=api_headers(portal.admin)).get_data(as_text=True)
    assert "idAttribuant, dateConvention" in page
    response = app.post(f"/consolidation/{consolidation['name']}/edit",
                        headers=api_headers(portal.admin),
                        data=_form(name=consolidation["name"],
                                   organization_id=portal.org["id"], schedule="monthly",
                                   keep_valid_rows=""), follow_redirects=False)
    assert response.status_code == 302
    shown = helpers.call_action("consolidation_show", id=consolidation["id"])
    assert (shown["schedule"], shown["keep_valid_rows"]) == ("monthly", False)
