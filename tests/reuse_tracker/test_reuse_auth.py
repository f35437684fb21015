"""Who may call each reuse action: allow or deny, for every kind of user."""
from __future__ import annotations

from typing import Any, Optional

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.reuse_tracker.logic.reuse_auth import can_moderate
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import MARKS, Portal, make_portal, submit

pytestmark = MARKS

#: submitter: the plain user who submitted the reuse; user: another plain user.
ROLES = {"anonymous": None, "user": "plain", "submitter": "submitter", "org_editor": "editor",
         "org_admin": "admin", "sysadmin": "sysadmin"}

#: action -> the roles allowed on a pending reuse linking a dataset of the organization.
MATRIX: dict[str, set[str]] = {
    "reuse_create": {"user", "submitter", "org_editor", "org_admin", "sysadmin"},
    "reuse_update": {"submitter", "org_admin", "sysadmin"},
    "reuse_delete": {"submitter", "org_admin", "sysadmin"},
    "reuse_show": set(ROLES),
    "reuse_list": set(ROLES),
    "reuse_moderate": {"org_admin", "sysadmin"},
}


def _user(portal: Portal, role: str) -> Optional[dict[str, Any]]:
    attribute = ROLES[role]
    return getattr(portal, attribute) if attribute else None


def _allowed(action: str, user: Optional[dict[str, Any]], data: dict[str, Any]) -> bool:
    try:
        return bool(helpers.call_auth(action, as_user(user), **data))
    except tk.NotAuthorized:
        return False


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_auth_matrix(action: str):
    """Each reuse action allows exactly the roles of the matrix, and denies the others."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    allowed = {role for role in ROLES
               if _allowed(action, _user(portal, role), {"id": reuse["id"]})}
    assert allowed == MATRIX[action]


@pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
def test_anonymous_may_create_when_switched_on():
    """Visitors pass reuse_create's auth once anonymous submission is on."""
    make_portal()
    assert _allowed("reuse_create", None, {})


def test_admin_of_another_organization_cannot_moderate():
    """An admin whose organization owns none of the linked datasets cannot moderate."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    assert not _allowed("reuse_moderate", portal.other_admin, {"id": reuse["id"]})
    assert not _allowed("reuse_update", portal.other_admin, {"id": reuse["id"]})
    assert not can_moderate(portal.other_admin["name"], reuse["id"])


def test_admin_of_any_linked_organization_moderates():
    """A reuse linking datasets of two organizations is moderated by both organizations' admins."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public, portal.other])
    assert can_moderate(portal.admin["name"], reuse["id"])
    assert can_moderate(portal.other_admin["name"], reuse["id"])


def test_admin_moderates_through_a_private_dataset():
    """A link to a private dataset of the organization makes its admin a moderator."""
    portal = make_portal()
    reuse = submit(portal.editor, [portal.private, portal.other])
    assert can_moderate(portal.admin["name"], reuse["id"])


def test_unauthorised_moderation_is_refused_by_the_action():
    """An editor calling reuse_moderate gets NotAuthorized and the reuse stays pending."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    for user in (portal.editor, portal.submitter, None):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("reuse_moderate", as_user(user), id=reuse["id"],
                                decision="publish")
    assert helpers.call_action("reuse_show", as_user(portal.sysadmin),
                               id=reuse["id"])["state"] == "pending"


def test_only_sysadmins_change_featured():
    """An organization admin may edit a reuse but not feature it."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    assert not _allowed("reuse_update", portal.admin, {"id": reuse["id"], "featured": True})
    assert not _allowed("reuse_update", portal.submitter, {"id": reuse["id"], "featured": "true"})
    assert _allowed("reuse_update", portal.admin, {"id": reuse["id"], "featured": False})
    assert _allowed("reuse_update", portal.sysadmin, {"id": reuse["id"], "featured": True})

