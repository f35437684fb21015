"""Who may call each data request action: allow or deny, for every kind of user."""
from __future__ import annotations

from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.reuse_tracker.datarequest_setup import (
    MARKS, ROLES, Portal, as_user, create, make_portal)

pytestmark = MARKS

EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
MODERATORS = {"admin", "sysadmin"}


def _request(portal: Portal) -> dict[str, Any]:
    return {"id": portal.request["id"]}


def _nothing(portal: Portal) -> dict[str, Any]:
    return {}


def _new(portal: Portal) -> dict[str, Any]:
    return {"title": "Défibrillateurs", "description": "Leurs emplacements."}


def _edit(portal: Portal) -> dict[str, Any]:
    return {"id": portal.request["id"], "title": "Nouveau titre"}


def _state(portal: Portal) -> dict[str, Any]:
    return {"id": portal.request["id"], "state": "planned"}


def _closed(portal: Portal) -> dict[str, Any]:
    request = create(portal.author, organization_id=portal.org["id"])
    helpers.call_action("datarequest_close", as_user(portal.admin), id=request["id"],
                        state="declined", reason="Non.")
    return {"id": request["id"], "title": "Encore"}


def _close(portal: Portal) -> dict[str, Any]:
    return {"id": portal.request["id"], "state": "declined", "reason": "Non."}


def _comment(portal: Portal) -> dict[str, Any]:
    return {"id": portal.request["id"], "body": "Merci."}


def _authors_comment(portal: Portal) -> dict[str, Any]:
    comment = helpers.call_action("datarequest_comment_create", as_user(portal.author),
                                  id=portal.request["id"], body="Précision.")
    return {"id": portal.request["id"], "comment_id": comment["id"]}


def _spam(portal: Portal) -> dict[str, Any]:
    request = create(portal.author, organization_id=portal.org["id"], title="Casino gratuit")
    assert request["state"] == "spam"
    return {"id": request["id"]}


def _spam_state(portal: Portal) -> dict[str, Any]:
    return {**_spam(portal), "state": "open"}


#: (action, case) -> (data for the portal, the roles allowed)
MATRIX: dict[tuple[str, str], tuple[Callable[[Portal], dict[str, Any]], set[str]]] = {
    ("datarequest_create", "any"): (_new, LOGGED_IN),
    ("datarequest_show", "open"): (_request, EVERYONE),
    ("datarequest_show", "spam"): (_spam, MODERATORS),
    ("datarequest_list", "any"): (_nothing, EVERYONE),
    ("datarequest_update", "fields, open"): (_edit, {"author"} | MODERATORS),
    ("datarequest_update", "fields, closed"): (_closed, MODERATORS),
    ("datarequest_update", "state"): (_state, MODERATORS),
    ("datarequest_update", "spam"): (_spam_state, MODERATORS),
    ("datarequest_close", "open"): (_close, MODERATORS),
    ("datarequest_vote", "open"): (_request, LOGGED_IN),
    ("datarequest_vote", "spam"): (_spam, MODERATORS),
    ("datarequest_follow", "open"): (_request, LOGGED_IN),
    ("datarequest_comment_create", "open"): (_comment, LOGGED_IN),
    ("datarequest_comment_delete", "author's comment"): (_authors_comment,
                                                          {"author"} | MODERATORS),
}


def _allowed(action: str, user: Any, data: dict[str, Any]) -> bool:
    try:
        return bool(helpers.call_auth(action, as_user(user), **data))
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def test_auth_matrix():
    """Each data request action allows exactly the roles of the matrix."""
    # One portal for the whole matrix: the auth functions change nothing.
    portal = make_portal()
    wrong = {}
    for (action, case), (data_for, allowed) in sorted(MATRIX.items()):
        data = data_for(portal)
        decisions = {role: _allowed(action, portal.user(role), data) for role in ROLES}
        expected = {role: role in allowed for role in ROLES}
        if decisions != expected:
            wrong[(action, case)] = {role: decisions[role] for role in ROLES
                                     if decisions[role] != expected[role]}
    assert wrong == {}


@pytest.mark.parametrize("action, data_for", [
    ("datarequest_update", _state),
    ("datarequest_close", _close),
    ("datarequest_comment_delete", _authors_comment),
])
def test_the_editor_of_the_organization_is_refused_by_the_action(action, data_for):
    """Through the action itself, an editor (not an admin) of the organization is refused."""
    portal = make_portal()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(action, as_user(portal.editor), **data_for(portal))


def test_anonymous_creation_is_refused_with_a_log_in_message():
    """An anonymous visitor is told to log in to request data."""
    make_portal()
    with pytest.raises(tk.NotAuthorized) as excinfo:
        helpers.call_action("datarequest_create", as_user(None), title="Des données",
                            description="Svp.")
    assert "Log in to request data" in str(excinfo.value)


def test_admin_of_another_organization_does_not_moderate():
    """Only the target organization's admins moderate its requests."""
    portal = make_portal()
    assert not _allowed("datarequest_close", portal.other_admin, _close(portal))
    assert not _allowed("datarequest_update", portal.other_admin, _state(portal))
    assert not _allowed("datarequest_comment_delete", portal.other_admin,
                        _authors_comment(portal))


def test_a_request_without_organization_is_moderated_by_sysadmins_only():
    """Without a target organization, only sysadmins close the request."""
    portal = make_portal()
    request = create(portal.plain)
    data = {"id": request["id"], "state": "declined", "reason": "Non."}
    assert [_allowed("datarequest_close", portal.user(role), data) for role in ROLES] == [
        False, False, False, False, False, True]


def test_a_plain_users_comment_may_be_deleted_by_its_author_only_among_users():
    """Another logged-in user cannot delete someone's comment."""
    portal = make_portal()
    comment = helpers.call_action("datarequest_comment_create", as_user(portal.plain),
                                  id=portal.request["id"], body="Mon avis.")
    data = {"id": portal.request["id"], "comment_id": comment["id"]}
    assert _allowed("datarequest_comment_delete", portal.plain, data)
    assert not _allowed("datarequest_comment_delete", portal.author, data)


def test_moving_the_request_keeps_the_new_organizations_admin_in_charge():
    """Once the author retargets the request, the new organization's admin moderates it."""
    portal = make_portal()
    helpers.call_action("datarequest_update", as_user(portal.author),
                        id=portal.request["id"], organization_id=portal.other_org["id"])
    assert _allowed("datarequest_close", portal.other_admin, _close(portal))
    assert not _allowed("datarequest_close", portal.admin, _close(portal))
