"""Who may call each territory action: allow or deny, for every kind of user."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.shared import as_user
from tests.territorial_consolidation.territory_setup import MARKS, RENNES

pytestmark = MARKS

ROLES = ("anonymous", "plain", "editor", "admin", "sysadmin")
EVERYONE = set(ROLES)

#: action -> the roles allowed (data filled in per test)
MATRIX: dict[str, set[str]] = {
    "territory_show": EVERYONE,
    "territory_list": EVERYONE,
    "territory_create": {"sysadmin"},
    "territory_organization_set": {"admin", "sysadmin"},
    "territory_dataset_list": EVERYONE,
    "responsibility_rule_create": {"sysadmin"},
    "responsibility_rule_list": EVERYONE,
    "responsibility_rule_delete": {"sysadmin"},
    "territorial_duplicate_list": EVERYONE,
}


def _allowed(action: str, user: Any, data: dict[str, Any]) -> bool:
    try:
        return bool(helpers.call_auth(action, as_user(user), **data))
    except tk.NotAuthorized:
        return False


def test_auth_matrix() -> None:
    """Each territory action allows exactly the roles of the matrix."""
    users = {role: factories.User() for role in ("plain", "editor", "admin")}
    users["sysadmin"] = factories.Sysadmin()
    org = factories.Organization(users=[
        {"name": users["editor"]["name"], "capacity": "editor"},
        {"name": users["admin"]["name"], "capacity": "admin"},
    ])
    data = {
        "territory_show": {"id": RENNES},
        "territory_dataset_list": {"id": RENNES},
        "territory_organization_set": {"organization_id": org["id"], "territory_id": RENNES},
        "responsibility_rule_delete": {"id": "any"},
    }
    seen = {}
    for action, allowed in MATRIX.items():
        for role in ROLES:
            seen[(action, role)] = _allowed(action, users.get(role), data.get(action, {}))
    expected = {(action, role): role in allowed
                for action, allowed in MATRIX.items() for role in ROLES}
    assert seen == expected


def test_admin_of_another_organization_cannot_set_its_territory() -> None:
    """An admin of one organization cannot set the territory of another."""
    admin = factories.User()
    factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    other = factories.Organization()
    assert not _allowed("territory_organization_set", admin,
                        {"organization_id": other["id"], "territory_id": RENNES})


def test_actions_check_their_auth() -> None:
    """Calling a sysadmin-only action as a plain user is refused by the action itself."""
    user = factories.User()
    for action, data in (("territory_create", {"code": "X", "level": "epci", "name": "X"}),
                         ("responsibility_rule_create",
                          {"kind": "theme", "value": "x", "level": "commune"})):
        try:
            helpers.call_action(action, as_user(user), **data)
        except tk.NotAuthorized:
            continue
        raise AssertionError(f"{action} let a plain user through")
