"""Who may list and dismiss opening suggestions: the auth matrix."""
from __future__ import annotations

from typing import Any, Optional

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from tests.opendata_governance.suggest_setup import MARKS, make_portal

pytestmark = MARKS

ROLES = ("anonymous", "plain", "member", "editor", "admin", "other_admin", "sysadmin")
ALLOWED = {
    "opening_suggestion_list": {"member", "editor", "admin", "sysadmin"},
    "opening_suggestion_dismiss": {"editor", "admin", "sysadmin"},
}


def _user(portal: Any, role: str) -> Optional[dict[str, Any]]:
    if role == "anonymous":
        return None
    if role == "other_admin":
        user = factories.User()
        factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
        return user
    return getattr(portal, role)


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix(action: str, role: str):
    """Members see the suggestions; editors and admins also dismiss them."""
    portal = make_portal(territory=None, load=False)
    user = _user(portal, role)
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(action, context, organization_id=portal.org["id"], key="prenoms",
                          reason="x")
        allowed = True
    except tk.NotAuthorized:
        allowed = False
    assert allowed is (role in ALLOWED[action])
