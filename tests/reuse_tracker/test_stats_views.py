"""The /reuses/stats page, its CSV export, and the chart on the organization's reuse tab."""
from __future__ import annotations

import csv
import io
from typing import Any

from ckan.tests import factories, helpers

from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit

pytestmark = MARKS

PAGE = "/reuses/stats"
CSV = "/reuses/stats.csv"


def _csv(body: bytes, delimiter: str = ",") -> list[dict[str, Any]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def _with_private_reuse(portal: Any) -> dict[str, Any]:
    """A published reuse of the public and the private dataset, proposed by a member."""
    reuse = submit(portal.member, [portal.public, portal.private], type="visualization")
    return helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=reuse["id"],
                               decision="publish")


def test_page_shows_an_svg_chart_and_the_figures(app):
    """Anonymous visitors get the figures, an accessible inline SVG chart, the CSV links."""
    portal = make_portal()
    published(portal, [portal.public])
    body = app.get(PAGE).body
    assert "<svg" in body and 'role="img"' in body
    assert "1 published reuse" in body
    assert "/reuses/stats.csv" in body and "sep=semicolon" in body
    assert "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_page_by_dataset_hides_private_datasets_from_anonymous_visitors(app, api_headers):
    """By dataset, the private dataset's title is shown to members only."""
    portal = make_portal()
    _with_private_reuse(portal)
    anonymous = app.get(PAGE, query_string={"group_by": "dataset"}).body
    assert "Budget primitif" in anonymous
    assert portal.private["title"] not in anonymous
    member = app.get(PAGE, query_string={"group_by": "dataset"},
                     headers=api_headers(portal.member)).body
    assert portal.private["title"] in member


def test_page_escapes_dataset_titles(app):
    """A dataset title with markup shows as text, in the table and in the SVG."""
    portal = make_portal()
    dataset = factories.Dataset(owner_org=portal.org["id"], title="<script>alert(1)</script>")
    published(portal, [dataset])
    body = app.get(PAGE, query_string={"group_by": "dataset"}).body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_page_with_a_bad_grouping_is_a_400(app):
    """An unknown group_by gives a 400 page naming the parameter, not a 500."""
    response = app.get(PAGE, query_string={"group_by": "colour"}, status=400)
    assert "group_by" in response.body


def test_page_for_an_unknown_organization_is_a_404(app):
    """An organization that does not exist gives a 404."""
    app.get(PAGE, query_string={"organization": "nowhere"}, status=404)


def test_page_about_a_private_dataset_is_forbidden_to_outsiders(app, api_headers):
    """The figures of a private dataset are refused to a user outside its organization."""
    portal = make_portal()
    app.get(PAGE, query_string={"dataset": portal.private["name"]},
            headers=api_headers(portal.plain), status=403)


def test_csv_by_dataset_lists_visible_datasets_with_counts(app):
    """The CSV by dataset has one row per visible dataset, private ones left out."""
    portal = make_portal()
    _with_private_reuse(portal)
    published(portal, [portal.public, portal.second])
    response = app.get(CSV, query_string={"group_by": "dataset"})
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "reutilisations-dataset.csv" in response.headers["Content-Disposition"]
    rows = _csv(response.data)
    assert {row["dataset"]: row["reuses"] for row in rows} == {
        "budget-primitif": "2", "arbres-urbains": "1"}


def test_csv_for_a_member_includes_the_private_dataset(app, api_headers):
    """A member of the organization gets the private dataset's row."""
    portal = make_portal()
    _with_private_reuse(portal)
    rows = _csv(app.get(CSV, query_string={"group_by": "dataset"},
                        headers=api_headers(portal.member)).data)
    assert portal.private["name"] in [row["dataset"] for row in rows]


def test_csv_neutralises_formulas(app):
    """Cells starting with = + - @ get a leading quote so spreadsheets do not run them."""
    portal = make_portal()
    titles = ("=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)")
    datasets = [factories.Dataset(owner_org=portal.org["id"], title=title) for title in titles]
    published(portal, datasets)
    rows = _csv(app.get(CSV, query_string={"group_by": "dataset"}).data)
    assert sorted(row["title"] for row in rows) == sorted(
        ["'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2+3", "'@SUM(A1)"])


def test_csv_neutralises_formulas_after_leading_whitespace(app):
    """Whitespace before = or @ does not get a formula past the guard; counts stay numbers."""
    portal = make_portal()
    titles = ("  =1+1", "\t=cmd", "\u00a0@SUM(A1)", "-12.5")
    datasets = [factories.Dataset(owner_org=portal.org["id"], title=title) for title in titles]
    published(portal, datasets)
    rows = _csv(app.get(CSV, query_string={"group_by": "dataset"}).data)
    assert sorted(row["title"] for row in rows) == sorted("'" + title for title in titles)
    assert {row["reuses"] for row in rows} == {"1"}


def test_csv_with_semicolons_keeps_accents(app):
    """sep=semicolon gives a semicolon-separated file; accents survive in UTF-8."""
    portal = make_portal()
    published(portal, [portal.other])
    response = app.get(CSV, query_string={"group_by": "organization", "sep": "semicolon"})
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "organization;title;reuses"
    assert _csv(response.data, ";") == [
        {"organization": "metropole", "title": "Métropole", "reuses": "1"}]


def test_csv_by_month_of_an_organization(app):
    """The CSV by month of an organization has the current month's count last."""
    portal = make_portal()
    published(portal, [portal.public])
    published(portal, [portal.other])
    rows = _csv(app.get(CSV, query_string={"organization": "ville-de-lyon"}).data)
    assert list(rows[-1].keys()) == ["month", "reuses"]
    assert rows[-1]["reuses"] == "1"


def test_csv_with_a_bad_separator_is_a_400(app):
    """An unknown separator is refused with a 400 naming the parameter."""
    assert "sep" in app.get(CSV, query_string={"sep": "tab"}, status=400).body


def test_organization_tab_shows_the_reuse_charts(app):
    """The organization's reuse tab has the monthly and type charts and the most reused."""
    portal = make_portal()
    published(portal, [portal.public], type="paper")
    body = app.get("/organization/reuses/ville-de-lyon").body
    assert 'id="reuse-org-stats"' in body
    assert body.count('class="reuse-chart"') == 2
    assert "Paper : 1" in body
    assert "Budget primitif" in body.split('id="reuse-org-stats"', 1)[1]


def test_organization_tab_without_reuses_has_no_chart(app):
    """An organization whose data nobody reused yet shows no empty charts."""
    make_portal()
    body = app.get("/organization/reuses/metropole").body
    assert 'id="reuse-org-stats"' not in body


def test_organization_tab_never_names_a_private_dataset_to_visitors(app):
    """The most reused list of the tab leaves out a private dataset for anonymous visitors."""
    portal = make_portal()
    _with_private_reuse(portal)
    body = app.get("/organization/reuses/ville-de-lyon").body
    assert portal.private["title"] not in body
