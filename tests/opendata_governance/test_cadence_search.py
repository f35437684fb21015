"""Update status in the search index, its facet, and the badge on the dataset page."""
from __future__ import annotations

import datetime as dt

from ckan.tests import helpers

from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS


def _days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def _names(**params) -> set[str]:
    found = helpers.call_action("package_search", include_private=True, **params)
    return {item["name"] for item in found["results"]}


def test_old_monthly_dataset_is_indexed_overdue():
    """A monthly dataset last updated 100 days ago is found with update_status:overdue."""
    portal = make_portal()
    late = dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(100))
    dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(1))
    assert _names(fq="update_status:overdue") == {late["name"]}


def test_next_update_due_is_indexed():
    """The index holds the next due date, as an ISO date."""
    portal = make_portal()
    created = dataset(portal, update_frequency="MONTHLY", last_data_update="2020-01-15")
    assert _names(fq='next_update_due:"2020-02-15"') == {created["name"]}


def test_every_status_is_indexed():
    """On time, due soon, overdue and not applicable are told apart in the index."""
    portal = make_portal()
    expected = {
        "on_time": dataset(portal, update_frequency="ANNUAL", last_data_update=_days_ago(10)),
        "due_soon": dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(28)),
        "overdue": dataset(portal, update_frequency="QUARTERLY", last_data_update=_days_ago(200)),
        "not_applicable": dataset(portal, update_frequency="IRREG"),
    }
    for status, created in expected.items():
        assert _names(fq=f"update_status:{status}") == {created["name"]}


def test_facet_counts_statuses_with_translated_names():
    """The update_status facet counts datasets per status and names each status."""
    portal = make_portal()
    for _ in range(2):
        dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(90))
    dataset(portal, update_frequency="ANNUAL", last_data_update=_days_ago(5))
    found = helpers.call_action("package_search", **{"facet.field": '["update_status"]'})
    items = {item["name"]: item for item in found["search_facets"]["update_status"]["items"]}
    assert items["overdue"]["count"] == 2
    assert items["on_time"]["count"] == 1
    assert items["overdue"]["display_name"] == "Update overdue"


def test_search_page_offers_the_facet(app):
    """The dataset search page shows the "Update status" facet."""
    portal = make_portal()
    dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(90))
    page = app.get("/dataset/")
    assert "Update status" in page.body
    assert "Update overdue" in page.body


def test_search_page_facet_is_french_for_a_french_page(app):
    """On the French dataset search page the facet is "Fraîcheur"."""
    portal = make_portal()
    dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(90))
    page = app.get("/fr/dataset/")
    assert "Fraîcheur" in page.body
    assert "Mise à jour en retard" in page.body


def test_dataset_page_shows_an_overdue_badge(app):
    """An overdue dataset's page shows a red badge with the date it was due."""
    portal = make_portal()
    created = dataset(portal, update_frequency="MONTHLY", last_data_update="2020-01-15")
    page = app.get("/dataset/{}".format(created["name"]))
    assert 'data-update-status="overdue"' in page.body
    assert "bg-danger" in page.body
    assert "Update was due on" in page.body
    assert "February 15, 2020" in page.body


def test_dataset_page_badge_is_french_for_a_french_page(app):
    """The badge of a dataset due soon reads in French on the French page."""
    portal = make_portal()
    created = dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(28))
    page = app.get("/fr/dataset/{}".format(created["name"]))
    assert 'data-update-status="due_soon"' in page.body
    assert "Mise à jour bientôt attendue" in page.body


def test_dataset_without_frequency_has_no_badge(app):
    """A dataset without a regular update shows no badge."""
    portal = make_portal()
    created = dataset(portal, update_frequency="IRREG")
    page = app.get("/dataset/{}".format(created["name"]))
    assert "data-update-status" not in page.body
