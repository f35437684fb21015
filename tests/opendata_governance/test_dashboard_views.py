"""The /governance page and the /governance/inventory.csv export."""
from __future__ import annotations

import csv
import io
from typing import Any

from ckan.tests import factories, helpers

from tests.opendata_governance.dashboard_setup import dataset, gate_off, other_dataset
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

PAGE = "/governance"
CSV = "/governance/inventory.csv"


def _csv(body: bytes, delimiter: str = ",") -> list[dict[str, Any]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_page_renders_svg_charts_for_an_admin(app, api_headers):
    """An organization admin gets the page with accessible inline SVG charts."""
    portal = make_portal()
    dataset(portal, private=True)
    response = app.get(PAGE, headers=api_headers(portal.admin))
    assert response.status_code == 200
    body = response.body
    assert body.count("<svg") >= 5
    assert 'role="img"' in body and "<title" in body
    assert "Direction des finances" in body
    assert portal.other_org["title"] not in body


def test_page_is_forbidden_to_an_editor(app, api_headers):
    """An editor who administers nothing gets a 403."""
    portal = make_portal()
    response = app.get(PAGE, headers=api_headers(portal.editor), status=403)
    assert response.status_code == 403


def test_page_sends_anonymous_visitors_to_log_in(app):
    """An anonymous visitor is redirected to the login page."""
    make_portal()
    response = app.get(PAGE, follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_page_filters_by_organization(app, api_headers):
    """The organization parameter keeps one organization on the page."""
    portal = make_portal()
    response = app.get(PAGE, query_string={"organization": portal.other_org["name"]},
                       headers=api_headers(portal.sysadmin))
    assert 'id="organization-{}"'.format(portal.other_org["name"]) in response.body
    assert 'id="organization-{}"'.format(portal.org["name"]) not in response.body


def test_page_refuses_another_organization_to_an_admin(app, api_headers):
    """An organization admin filtering on another organization gets a 403."""
    portal = make_portal()
    app.get(PAGE, query_string={"organization": portal.other_org["name"]},
            headers=api_headers(portal.admin), status=403)


def test_script_in_a_service_title_is_escaped(app, api_headers):
    """A service title with markup shows as text, in the tables and the SVG."""
    portal = make_portal()
    helpers.call_action("governance_service_update", {"user": portal.sysadmin["name"]},
                        id=portal.service["id"], title="<script>alert(1)</script>")
    dataset(portal, private=True)
    body = app.get(PAGE, headers=api_headers(portal.admin)).body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_csv_has_every_dataset_of_the_admins_organizations(app, api_headers):
    """The CSV lists private and public datasets of the admin's organization, not others."""
    portal = make_portal()
    gate_off(portal.org["id"])
    private = dataset(portal, private=True)
    public = dataset(portal, private=False)
    other_dataset(portal)
    response = app.get(CSV, headers=api_headers(portal.admin))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response.data)
    assert {row["name"]: row["private"] for row in rows} == {
        private["name"]: "true", public["name"]: "false"}
    assert rows[0]["owner_service_title"] == "Direction des finances"


def test_csv_for_a_sysadmin_covers_every_organization(app, api_headers):
    """A sysadmin's CSV has the datasets of every organization."""
    portal = make_portal()
    dataset(portal, private=True)
    other_dataset(portal)
    rows = _csv(app.get(CSV, headers=api_headers(portal.sysadmin)).data)
    assert {row["organization"] for row in rows} == {
        portal.org["name"], portal.other_org["name"]}


def test_csv_neutralises_formulas(app, api_headers):
    """Cells starting with = + - @ get a leading quote so spreadsheets do not run them."""
    portal = make_portal()
    for title in ("=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)"):
        dataset(portal, private=True, title=title)
    rows = _csv(app.get(CSV, headers=api_headers(portal.admin)).data)
    assert sorted(row["title"] for row in rows) == sorted(
        ["'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2+3", "'@SUM(A1)"])


def test_csv_neutralises_formulas_after_leading_whitespace(app, api_headers):
    """Spaces, tabs or no-break spaces before = or @ do not get a formula past the guard;
    a title ``-12.5`` is text, so it is quoted too."""
    portal = make_portal()
    titles = ("  =1+1", "\t=cmd", "\u00a0@SUM(A1)", "-12.5")
    for title in titles:
        dataset(portal, private=True, title=title)
    rows = _csv(app.get(CSV, headers=api_headers(portal.admin)).data)
    assert sorted(row["title"] for row in rows) == sorted("'" + title for title in titles)


def test_csv_with_semicolons_keeps_accents(app, api_headers):
    """sep=semicolon gives a semicolon-separated file; accents survive in UTF-8."""
    portal = make_portal()
    dataset(portal, private=True, title="Équipements sportifs; piscines")
    response = app.get(CSV, query_string={"sep": "semicolon"},
                       headers=api_headers(portal.admin))
    rows = _csv(response.data, delimiter=";")
    assert rows[0]["title"] == "Équipements sportifs; piscines"
    assert response.data.decode("utf-8-sig").splitlines()[0].startswith("id;name;title")


def test_csv_with_an_unknown_separator_is_a_bad_request(app, api_headers):
    """An unknown sep value is a 400 naming the parameter."""
    portal = make_portal()
    response = app.get(CSV, query_string={"sep": "tab"},
                       headers=api_headers(portal.admin), status=400)
    assert "sep" in response.body


def test_csv_is_forbidden_to_a_plain_user(app, api_headers):
    """A logged-in user who administers nothing gets a 403."""
    make_portal()
    app.get(CSV, headers=api_headers(factories.User()), status=403)


def test_header_links_to_the_dashboard_for_admins_only(app, api_headers):
    """The account bar shows the governance link to an admin but not to an editor."""
    portal = make_portal()
    assert 'href="/governance"' in app.get("/dataset/", headers=api_headers(portal.admin)).body
    assert 'href="/governance"' not in app.get(
        "/dataset/", headers=api_headers(portal.editor)).body
