"""The governance_dashboard and governance_inventory actions: figures and rows on a known portal."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.dashboard_setup import (
    COMPLETE, add_review, add_service, dataset, days_ago, gate_off, now, other_dataset)
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS


def _dashboard(user: dict[str, Any], **params: Any) -> dict[str, Any]:
    return helpers.call_action("governance_dashboard", as_user(user), **params)


def _org(figures: dict[str, Any], org_id: str) -> dict[str, Any]:
    [org] = [org for org in figures["organizations"] if org["id"] == org_id]
    return org


def _service(org: dict[str, Any], name: Any) -> dict[str, Any]:
    [service] = [service for service in org["services"] if service["name"] == name]
    return service


def test_counts_public_and_private_datasets_per_service():
    """Each service counts its public and private datasets; the organization sums them."""
    portal = make_portal()
    gate_off(portal.org["id"])
    add_service(portal, "direction-mobilite", "Direction de la mobilité")
    dataset(portal, private=False)
    dataset(portal, private=True)
    dataset(portal, private=True)
    dataset(portal, service="direction-mobilite", private=False)
    org = _org(_dashboard(portal.sysadmin), portal.org["id"])
    finances = _service(org, "direction-des-finances")
    assert (finances["datasets"], finances["public"], finances["private"]) == (3, 1, 2)
    mobility = _service(org, "direction-mobilite")
    assert (mobility["title"], mobility["public"], mobility["private"]) == (
        "Direction de la mobilité", 1, 0)
    assert (org["datasets"], org["public"], org["private"]) == (4, 2, 2)


def test_datasets_without_service_fall_in_the_no_service_bucket():
    """Datasets without an owner service are counted under a service named null."""
    portal = make_portal()
    dataset(portal, service=None, private=True)
    dataset(portal, service=None, private=True)
    org = _org(_dashboard(portal.sysadmin), portal.org["id"])
    bucket = _service(org, None)
    assert bucket["datasets"] == 2
    assert bucket["title"] == "No owner service"
    assert org["services"][-1]["name"] is None


def test_declared_service_without_datasets_is_listed_with_zero():
    """A service that has no dataset yet still shows, with zero datasets."""
    portal = make_portal()
    org = _org(_dashboard(portal.sysadmin), portal.org["id"])
    service = _service(org, "direction-des-finances")
    assert service["datasets"] == 0
    assert service["complete_metadata_share"] is None


def test_deleted_datasets_are_not_counted():
    """A deleted dataset leaves the figures; a private one stays."""
    portal = make_portal()
    kept = dataset(portal, private=True)
    gone = dataset(portal, private=True)
    helpers.call_action("package_delete", {"user": portal.sysadmin["name"]}, id=gone["id"])
    org = _org(_dashboard(portal.sysadmin), portal.org["id"])
    assert org["datasets"] == 1
    assert kept["private"] is True


def test_pending_reviews_have_their_oldest_and_median_age():
    """Submitted reviews count as pending, aged in days from their request."""
    portal = make_portal()
    first, second, third = (dataset(portal, private=True) for _ in range(3))
    add_review(first["id"], created=now() - dt.timedelta(days=10))
    add_review(second["id"], created=now() - dt.timedelta(days=2))
    add_review(third["id"], created=now() - dt.timedelta(days=40))
    add_review(third["id"], "approved", created=now() - dt.timedelta(days=50),
               decided=now() - dt.timedelta(days=49))
    org = _org(_dashboard(portal.sysadmin), portal.org["id"])
    assert org["pending_reviews"] == 3
    ages = org["pending_review_age_days"]
    assert ages["oldest"] == pytest.approx(40, abs=0.1)
    assert ages["median"] == pytest.approx(10, abs=0.1)
    assert ages["buckets"] == {"under_7_days": 1, "7_to_30_days": 1, "over_30_days": 1}


def test_median_time_from_request_to_decision_in_hours():
    """The median request-to-decision time covers approved and rejected reviews only."""
    portal = make_portal()
    package = dataset(portal, private=True)
    start = now() - dt.timedelta(days=30)
    for hours, state in ((2, "approved"), (10, "rejected"), (30, "approved")):
        add_review(package["id"], state, created=start,
                   decided=start + dt.timedelta(hours=hours))
    add_review(package["id"], created=now())
    figures = _dashboard(portal.sysadmin)
    org = _org(figures, portal.org["id"])
    assert org["decided_reviews"] == 3
    assert org["median_decision_hours"] == 10
    assert _service(org, "direction-des-finances")["median_decision_hours"] == 10
    assert figures["totals"]["median_decision_hours"] == 10


def test_overdue_datasets_are_counted_per_service():
    """A monthly dataset last updated 40 days ago is overdue; one updated 2 days ago is not."""
    portal = make_portal()
    dataset(portal, private=True, update_frequency="MONTHLY", last_data_update=days_ago(40))
    dataset(portal, private=True, update_frequency="MONTHLY", last_data_update=days_ago(2))
    dataset(portal, service=None, private=True, update_frequency="WEEKLY",
            last_data_update=days_ago(30))
    org = _org(_dashboard(portal.sysadmin), portal.org["id"])
    assert _service(org, "direction-des-finances")["overdue"] == 1
    assert _service(org, None)["overdue"] == 1
    assert org["overdue"] == 2


def test_complete_metadata_share():
    """Only datasets with every listed field filled count as complete."""
    portal = make_portal()
    dataset(portal, private=True, **COMPLETE)
    dataset(portal, private=True, **{**COMPLETE, "data_steward": "",
                                     "maintainer_email": "m@example.org"})
    dataset(portal, private=True, **{**COMPLETE, "tags": []})
    dataset(portal, service=None, private=True, **COMPLETE)
    figures = _dashboard(portal.sysadmin)
    org = _org(figures, portal.org["id"])
    assert org["complete_metadata"] == 2
    assert org["complete_metadata_share"] == 0.5
    assert _service(org, "direction-des-finances")["complete_metadata_share"] == 0.667
    assert "owner_service" in figures["complete_metadata_fields"]


def test_organization_filter_keeps_one_organization():
    """With organization_id, only that organization's figures come back."""
    portal = make_portal()
    dataset(portal, private=True)
    other_dataset(portal)
    figures = _dashboard(portal.sysadmin, organization_id=portal.other_org["name"])
    assert [org["id"] for org in figures["organizations"]] == [portal.other_org["id"]]
    assert figures["totals"]["datasets"] == 1


def test_sysadmin_sees_every_organization_in_the_totals():
    """Without a filter a sysadmin gets every organization and their sum."""
    portal = make_portal()
    dataset(portal, private=True)
    other_dataset(portal)
    figures = _dashboard(portal.sysadmin)
    assert {org["id"] for org in figures["organizations"]} == {
        portal.org["id"], portal.other_org["id"]}
    assert figures["totals"]["datasets"] == 2


def test_org_admin_without_filter_gets_only_their_organizations():
    """An organization admin sees the organizations they administer, nothing else."""
    portal = make_portal()
    dataset(portal, private=True)
    other_dataset(portal)
    figures = _dashboard(portal.admin)
    assert [org["id"] for org in figures["organizations"]] == [portal.org["id"]]
    assert figures["totals"]["datasets"] == 1


def test_unknown_organization_is_a_validation_error():
    """An unknown organization_id is refused with an error naming the field."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _dashboard(portal.sysadmin, organization_id="nowhere")
    assert "organization_id" in error.value.error_dict


def test_inventory_lists_every_dataset_with_cadence_and_last_review():
    """The inventory has private datasets with their service, cadence and last review."""
    portal = make_portal()
    package = dataset(portal, private=True, update_frequency="MONTHLY",
                      last_data_update=days_ago(40), contains_personal_data="false",
                      license_id="cc-by-4.0")
    add_review(package["id"], "rejected", created=now() - dt.timedelta(days=3),
               decided=dt.datetime(2026, 1, 2, 10, 0), decided_by=portal.sysadmin["id"])
    result = helpers.call_action("governance_inventory", as_user(portal.admin))
    assert result["count"] == 1
    [row] = result["results"]
    assert row["name"] == package["name"]
    assert row["private"] is True
    assert row["organization"] == portal.org["name"]
    assert (row["owner_service"], row["owner_service_title"]) == (
        "direction-des-finances", "Direction des finances")
    assert row["update_status"] == "overdue"
    assert row["next_update_due"] < dt.date.today().isoformat()
    assert row["contains_personal_data"] == "false"
    assert row["license_id"] == "cc-by-4.0"
    assert (row["last_review_state"], row["last_review_decided"],
            row["last_review_decided_by"]) == (
        "rejected", "2026-01-02T10:00:00", portal.sysadmin["name"])
    assert row["num_resources"] == 0


def test_inventory_pages_with_limit_and_offset():
    """limit and offset page the inventory; count is the total."""
    portal = make_portal()
    names = sorted(dataset(portal, private=True)["name"] for _ in range(3))
    first = helpers.call_action("governance_inventory", as_user(portal.sysadmin), limit=2)
    rest = helpers.call_action("governance_inventory", as_user(portal.sysadmin),
                               limit=2, offset=2)
    assert first["count"] == rest["count"] == 3
    assert [row["name"] for row in first["results"] + rest["results"]] == names


def test_inventory_refuses_a_page_too_large():
    """A limit above 1000 is a ValidationError on limit."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_inventory", as_user(portal.sysadmin), limit=5000)
    assert "limit" in error.value.error_dict
