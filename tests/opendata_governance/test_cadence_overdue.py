"""The governance_overdue_list action: results, filters and who may call it."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.gate_setup import published
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS

ROLES = ("anonymous", "plain", "editor", "other_editor", "admin", "sysadmin")
ALLOWED = {"editor", "admin", "sysadmin"}


def _days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def _overdue(portal, **kwargs) -> dict[str, Any]:
    return dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(40),
                   **kwargs)


def _list(user, **params) -> dict[str, Any]:
    return helpers.call_action("governance_overdue_list", as_user(user), **params)


def test_lists_overdue_datasets_with_their_cadence():
    """An overdue dataset comes back with its cadence and days overdue."""
    portal = make_portal()
    late = _overdue(portal)
    dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(2))
    result = _list(portal.admin, organization=portal.org["name"])
    assert result["count"] == 1
    [row] = result["results"]
    assert row["name"] == late["name"]
    assert row["organization"] == portal.org["name"]
    assert row["owner_service"] == "direction-des-finances"
    assert row["update_frequency"] == "MONTHLY"
    assert row["last_data_update"] == _days_ago(40)
    assert row["update_status"] == "overdue"
    due = dt.date.fromisoformat(row["next_update_due"])
    assert row["days_overdue"] == (dt.date.today() - due).days > 0


def test_due_soon_datasets_are_listed_on_request():
    """Datasets due soon are left out unless include_due_soon is set."""
    portal = make_portal()
    _overdue(portal)
    soon = dataset(portal, update_frequency="MONTHLY", last_data_update=_days_ago(27))
    assert _list(portal.admin)["count"] == 1
    names = {row["name"] for row in _list(portal.admin, include_due_soon=True)["results"]}
    assert soon["name"] in names and len(names) == 2


def test_filter_by_owner_service():
    """owner_service keeps the datasets of that service only."""
    portal = make_portal()
    helpers.call_action("governance_service_create", organization_id=portal.org["id"],
                        name="direction-de-la-mobilite", title="Direction de la mobilité")
    _overdue(portal)
    mobility = _overdue(portal, service="direction-de-la-mobilite")
    result = _list(portal.admin, owner_service="direction-de-la-mobilite")
    assert [row["name"] for row in result["results"]] == [mobility["name"]]


def test_filter_by_organization():
    """organization keeps that organization's datasets only (sysadmin asking)."""
    portal = make_portal()
    _overdue(portal)
    other = published(owner_org=portal.other_org["id"], update_frequency="MONTHLY",
                      last_data_update=_days_ago(40))
    result = _list(portal.sysadmin, organization=portal.other_org["id"])
    assert [row["name"] for row in result["results"]] == [other["name"]]


def test_editor_without_organization_sees_only_their_organizations():
    """Without an organization, an editor gets the overdue datasets of their organizations."""
    portal = make_portal()
    mine = _overdue(portal)
    published(owner_org=portal.other_org["id"], update_frequency="MONTHLY",
              last_data_update=_days_ago(40))
    assert [row["name"] for row in _list(portal.editor)["results"]] == [mine["name"]]
    assert _list(portal.sysadmin)["count"] == 2


def test_private_datasets_are_listed_to_their_editors():
    """A private overdue dataset is listed to an editor of its organization."""
    portal = make_portal()
    private = _overdue(portal, private=True)
    assert [row["name"] for row in _list(portal.editor)["results"]] == [private["name"]]


def test_results_are_paged():
    """limit and offset page the results while count stays the total."""
    portal = make_portal()
    for _ in range(3):
        _overdue(portal)
    page = _list(portal.admin, limit=2, offset=2)
    assert page["count"] == 3
    assert len(page["results"]) == 1


def test_unknown_organization_is_a_validation_error():
    """An organization that does not exist is a ValidationError on organization."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _list(portal.sysadmin, organization="nowhere")
    assert "organization" in error.value.error_dict


@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix_for_an_organization(role: str):
    """Listing an organization's overdue datasets is for its editors, admins and sysadmins."""
    portal = make_portal()
    user = None if role == "anonymous" else getattr(portal, role)
    try:
        allowed = bool(helpers.call_auth("governance_overdue_list", as_user(user),
                                         organization=portal.org["id"]))
    except tk.NotAuthorized:
        allowed = False
    assert allowed is (role in ALLOWED)


@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix_without_organization(role: str):
    """Without an organization, anyone who edits some organization may ask; others may not."""
    portal = make_portal()
    user = None if role == "anonymous" else getattr(portal, role)
    try:
        allowed = bool(helpers.call_auth("governance_overdue_list", as_user(user)))
    except tk.NotAuthorized:
        allowed = False
    assert allowed is (role in ALLOWED | {"other_editor"})
