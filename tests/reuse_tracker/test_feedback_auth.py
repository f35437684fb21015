"""Who may call each feedback action: allow or deny, for every kind of user."""
from __future__ import annotations

from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.shared import as_user
from tests.reuse_tracker.feedback_setup import MARKS, ROLES, Portal, make_portal, post

pytestmark = MARKS

EDITORS = {"editor", "admin", "sysadmin"}
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}


def _item(portal: Portal) -> dict[str, Any]:
    return {"id": portal.feedback["id"]}


def _dataset(portal: Portal) -> dict[str, Any]:
    return {"package_id": portal.dataset["id"]}


def _private(portal: Portal) -> dict[str, Any]:
    return {"package_id": portal.private["id"]}


def _org(portal: Portal) -> dict[str, Any]:
    return {"organization": portal.org["name"]}


def _private_item(portal: Portal) -> dict[str, Any]:
    return {"id": post(portal.editor, portal.private["id"])["id"]}


def _spam_item(portal: Portal) -> dict[str, Any]:
    return {"id": post(portal.author, portal.dataset["id"], body="casino casino")["id"]}


#: (action, case) -> (data for the portal, the roles allowed)
MATRIX: dict[tuple[str, str], tuple[Callable[[Portal], dict[str, Any]], set[str]]] = {
    ("feedback_create", "public dataset"): (_dataset, LOGGED_IN),
    ("feedback_create", "private dataset"): (_private, EDITORS),
    ("feedback_list", "public dataset"): (_dataset, EVERYONE),
    ("feedback_list", "private dataset"): (_private, EDITORS),
    ("feedback_list", "organization inbox"): (_org, EDITORS),
    ("feedback_show", "public dataset"): (_item, EVERYONE),
    ("feedback_show", "private dataset"): (_private_item, EDITORS),
    ("feedback_show", "spam"): (_spam_item, EDITORS),
    ("feedback_respond", "public dataset"): (_item, EDITORS),
    ("feedback_update_status", "public dataset"): (_item, EDITORS),
    ("feedback_note_create", "public dataset"): (_item, EDITORS),
    ("feedback_stats", "organization"): (_org, EDITORS),
}


def _allowed(action: str, user: Any, data: dict[str, Any]) -> bool:
    try:
        return bool(helpers.call_auth(action, as_user(user), **data))
    except tk.NotAuthorized:
        return False


def test_auth_matrix():
    """Each feedback action allows exactly the roles of the matrix (author included)."""
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


def test_anonymous_may_post_when_the_portal_allows_it(monkeypatch):
    """With feedback_anonymous on, anonymous visitors may post on public datasets only."""
    portal = make_portal()
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.feedback_anonymous", True)
    assert _allowed("feedback_create", None, _dataset(portal))
    assert not _allowed("feedback_create", None, _private(portal))


def test_member_capacity_cannot_handle_feedback():
    """A plain member of the organization (not an editor) cannot answer feedback."""
    portal = make_portal()
    assert not _allowed("feedback_respond", portal.member, _item(portal))
    assert not _allowed("feedback_list", portal.member, _org(portal))


def test_editor_of_another_organization_cannot_handle_feedback():
    """An editor of another organization can neither answer nor list this one's feedback."""
    portal = make_portal()
    assert not _allowed("feedback_update_status", portal.other_editor, _item(portal))
    assert not _allowed("feedback_list", portal.other_editor, _org(portal))
    assert not _allowed("feedback_stats", portal.other_editor, _org(portal))


def test_inbox_without_filter_needs_an_organization_to_edit():
    """Listing without a dataset is refused to users who edit no organization."""
    portal = make_portal()
    assert not _allowed("feedback_list", portal.plain, {})
    assert not _allowed("feedback_list", None, {})
    assert _allowed("feedback_list", portal.editor, {})
    assert _allowed("feedback_stats", portal.sysadmin, {})
