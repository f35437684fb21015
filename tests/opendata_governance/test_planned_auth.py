"""Who may plan datasets and see the plans: the auth matrix."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from tests.opendata_governance.suggest_setup import MARKS, as_user, make_portal

pytestmark = MARKS

ROLES = ("anonymous", "plain", "member", "editor", "admin", "other_admin", "sysadmin")
EDITORS = {"editor", "admin", "sysadmin"}
MEMBERS = {"member", "editor", "admin", "sysadmin"}
ALLOWED = {"planned_dataset_create": EDITORS, "planned_dataset_update": EDITORS,
           "planned_dataset_delete": EDITORS, "planned_dataset_show": MEMBERS,
           "planned_dataset_list": MEMBERS}


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
    """Editors and admins plan; every member of the organization sees the plans."""
    portal = make_portal(territory=None, load=False)
    planned = helpers.call_action(
        "planned_dataset_create", as_user(portal.admin), organization_id=portal.org["id"],
        title="Budget", target_date=(dt.date.today() + dt.timedelta(days=9)).isoformat())
    user = _user(portal, role)
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(action, context, id=planned["id"],
                          organization_id=portal.org["id"])
        allowed = True
    except tk.NotAuthorized:
        allowed = False
    assert allowed is (role in ALLOWED[action])
