"""Who may call each owner service action: allow or deny, for every kind of user."""
from __future__ import annotations

from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, Portal, make_portal

pytestmark = MARKS

ROLES = ("anonymous", "plain", "editor", "other_editor", "admin", "sysadmin")


def _service(portal: Portal) -> dict[str, Any]:
    return {"id": portal.service["id"]}


def _org(portal: Portal) -> dict[str, Any]:
    return {"organization_id": portal.org["id"]}


def _reassign(portal: Portal) -> dict[str, Any]:
    return {"id": portal.service["id"], "target": "direction-de-la-mobilite"}


#: action -> (data for the portal, the roles allowed)
MATRIX: dict[str, tuple[Callable[[Portal], dict[str, Any]], set[str]]] = {
    "governance_service_create": (_org, {"admin", "sysadmin"}),
    "governance_service_update": (_service, {"admin", "sysadmin"}),
    "governance_service_delete": (_service, {"admin", "sysadmin"}),
    "governance_service_reassign": (_reassign, {"admin", "sysadmin"}),
    "governance_service_show": (_service, {"editor", "admin", "sysadmin"}),
    "governance_service_contacts": (_service, {"admin", "sysadmin"}),
    "governance_service_list": (_org, {"editor", "admin", "sysadmin"}),
    "governance_event_list": (_org, {"admin", "sysadmin"}),
}


def _allowed(action: str, user: Any, data: dict[str, Any]) -> bool:
    try:
        return bool(helpers.call_auth(action, as_user(user), **data))
    except tk.NotAuthorized:
        return False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_auth_matrix(action: str, role: str):
    """Each governance action allows exactly the roles of the matrix."""
    portal = make_portal()
    user = None if role == "anonymous" else getattr(portal, role)
    data_for, allowed = MATRIX[action]
    assert _allowed(action, user, data_for(portal)) is (role in allowed)


def test_member_capacity_can_list_services():
    """A plain member of the organization (not an editor) may list its services."""
    portal = make_portal()
    assert _allowed("governance_service_list", portal.member, _org(portal))


def test_admin_of_another_organization_cannot_manage_services():
    """An organization's admin cannot update a service of another organization."""
    portal = make_portal()
    helpers.call_action("organization_member_create", id=portal.other_org["id"],
                        username=portal.plain["name"], role="admin")
    assert not _allowed("governance_service_update", portal.plain, _service(portal))


def test_event_list_of_a_dataset_is_for_those_who_edit_it():
    """Events filtered by dataset are shown to its organization's admins and editors only."""
    portal = make_portal()
    dataset = helpers.call_action(
        "package_create", name="budget", owner_org=portal.org["id"], private=True)
    assert _allowed("governance_event_list", portal.admin, {"package_id": dataset["id"]})
    assert _allowed("governance_event_list", portal.editor, {"package_id": dataset["id"]})
    assert not _allowed("governance_event_list", portal.member,
                        {"package_id": dataset["id"]})
    assert not _allowed("governance_event_list", portal.other_editor,
                        {"package_id": dataset["id"]})


def test_event_list_without_filter_is_for_sysadmins():
    """Listing every organization's events is refused to an organization admin."""
    portal = make_portal()
    assert not _allowed("governance_event_list", portal.admin, {})
    assert _allowed("governance_event_list", portal.sysadmin, {})
