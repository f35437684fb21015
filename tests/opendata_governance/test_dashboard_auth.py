"""Who may call governance_dashboard and governance_inventory: the auth matrix."""
from __future__ import annotations

from typing import Any, Optional

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import Reviewer
from tests.opendata_governance.services_setup import MARKS, Portal, make_portal

pytestmark = MARKS

ACTIONS = ("governance_dashboard", "governance_inventory")
ROLES = ("anonymous", "plain", "editor", "other_editor", "admin", "reviewer", "sysadmin")
#: Who may see the figures of the portal's organization.
ALLOWED_OWN_ORG = {"admin", "sysadmin"}


def _user(portal: Portal, role: str) -> Optional[dict[str, Any]]:
    if role == "anonymous":
        return None
    if role == "reviewer":
        reviewer = factories.User()
        model.Session.add(Reviewer(organization_id=portal.org["id"], user_id=reviewer["id"]))
        model.Session.commit()
        return reviewer
    return getattr(portal, role)


def _allowed(action: str, user: Optional[dict[str, Any]], **data: Any) -> bool:
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(action, context, **data)
    except tk.NotAuthorized:
        return False
    return True


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_figures_of_the_organization(action: str, role: str):
    """Only the organization's admins and sysadmins may ask for its figures."""
    portal = make_portal()
    user = _user(portal, role)
    assert _allowed(action, user, organization_id=portal.org["id"]) is (
        role in ALLOWED_OWN_ORG)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_figures_without_organization_filter(action: str, role: str):
    """Without a filter, admins of some organization and sysadmins are allowed."""
    portal = make_portal()
    user = _user(portal, role)
    assert _allowed(action, user) is (role in ALLOWED_OWN_ORG)


@pytest.mark.parametrize("action", ACTIONS)
def test_admin_of_one_organization_is_refused_another(action: str):
    """An organization admin asking for another organization is refused."""
    portal = make_portal()
    assert _allowed(action, portal.admin, organization_id=portal.other_org["name"]) is False


@pytest.mark.parametrize("action", ACTIONS)
def test_admin_of_another_organization_is_refused_this_one(action: str):
    """The admin of the second organization cannot see the first one's figures."""
    portal = make_portal()
    other_admin = factories.User()
    helpers.call_action("organization_member_create", {"user": portal.sysadmin["name"]},
                        id=portal.other_org["id"], username=other_admin["name"],
                        role="admin")
    assert _allowed(action, other_admin, organization_id=portal.other_org["id"]) is True
    assert _allowed(action, other_admin, organization_id=portal.org["id"]) is False


def test_refusal_through_the_action_is_not_authorized():
    """Calling the action as an editor raises NotAuthorized, not an empty result."""
    portal = make_portal()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("governance_dashboard",
                            {"user": portal.editor["name"], "ignore_auth": False})
