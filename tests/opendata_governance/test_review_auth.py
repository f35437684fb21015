"""Who may call each sign-off action: allow or deny, for every kind of user."""
from __future__ import annotations

from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.review_setup import (
    MARKS, ReviewPortal, as_user, make_review_portal, request_review, reviewable_dataset)

pytestmark = MARKS

ROLES = ("anonymous", "plain", "editor", "other_editor", "admin", "reviewer", "sysadmin")


@pytest.fixture
def portal() -> ReviewPortal:
    return make_review_portal()


def _dataset(portal: ReviewPortal) -> dict[str, Any]:
    return {"id": reviewable_dataset(portal)["id"]}


def _review(portal: ReviewPortal) -> dict[str, Any]:
    # Requested by the organization's admin, so that the editor is not the requester.
    review = request_review(portal.admin, reviewable_dataset(portal))
    return {"id": review["id"]}


def _review_by_sysadmin(portal: ReviewPortal) -> dict[str, Any]:
    review = request_review(portal.sysadmin, reviewable_dataset(portal))
    return {"id": review["id"]}


def _review_of_package(portal: ReviewPortal) -> dict[str, Any]:
    dataset = reviewable_dataset(portal)
    request_review(portal.admin, dataset)
    return {"package_id": dataset["name"]}


def _nothing(portal: ReviewPortal) -> dict[str, Any]:
    return {}


def _org(portal: ReviewPortal) -> dict[str, Any]:
    return {"organization_id": portal.org["id"]}


def _org_user(portal: ReviewPortal) -> dict[str, Any]:
    return {"organization_id": portal.org["id"], "user": portal.plain["name"]}


def _gate_off(portal: ReviewPortal) -> dict[str, Any]:
    return {"organization_id": portal.org["id"], "gate_enabled": False}


def _gate_on(portal: ReviewPortal) -> dict[str, Any]:
    return {"organization_id": portal.org["id"], "gate_enabled": True}


def _checklist(portal: ReviewPortal) -> dict[str, Any]:
    return {"organization_id": portal.org["id"], "items": [{"label": "Accessibilité"}]}


EDITORS = {"editor", "admin", "sysadmin"}

#: action -> (data for the portal, the roles allowed)
MATRIX: dict[str, tuple[Callable[[ReviewPortal], dict[str, Any]], set[str]]] = {
    "governance_review_request": (_dataset, EDITORS),
    # The admin requested: only the reviewer and the sysadmin may decide.
    "governance_review_decide": (_review, {"reviewer", "sysadmin"}),
    "governance_review_show": (_review, EDITORS | {"reviewer"}),
    "governance_review_list": (_nothing, EDITORS | {"reviewer", "other_editor"}),
    "governance_reviewer_create": (_org_user, {"admin", "sysadmin"}),
    "governance_reviewer_delete": (_org_user, {"admin", "sysadmin"}),
    # The reviewer is not a member of the organization, but reviews it.
    "governance_reviewer_list": (_org, EDITORS | {"reviewer"}),
    "governance_settings_show": (_org, EDITORS),
    # Switching the gate off is the portal's decision (admins_can_switch_gate_off).
    "governance_settings_update": (_gate_off, {"sysadmin"}),
    # Those who see the review forms read the checklist; the organization's admins write it.
    "governance_checklist_show": (_org, EDITORS | {"reviewer"}),
    "governance_checklist_update": (_checklist, {"admin", "sysadmin"}),
}


def _allowed(action: str, user: Any, data: dict[str, Any]) -> bool:
    try:
        return bool(helpers.call_auth(action, as_user(user), **data))
    except tk.NotAuthorized:
        return False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_auth_matrix(portal: ReviewPortal, action: str, role: str):
    """Each sign-off action allows exactly the roles of the matrix."""
    user = None if role == "anonymous" else getattr(portal, role)
    data_for, allowed = MATRIX[action]
    assert _allowed(action, user, data_for(portal)) is (role in allowed)


@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix_switching_the_gate_on(portal: ReviewPortal, role: str):
    """Switching an organization's gate on is allowed to its admins and to sysadmins."""
    user = None if role == "anonymous" else getattr(portal, role)
    allowed = _allowed("governance_settings_update", user, _gate_on(portal))
    assert allowed is (role in {"admin", "sysadmin"})


@pytest.mark.ckan_config("ckanext.opendata_governance.admins_can_switch_gate_off", True)
@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix_switching_the_gate_off_when_admins_may(portal: ReviewPortal, role: str):
    """With admins_can_switch_gate_off, an organization's admins switch its gate off too."""
    user = None if role == "anonymous" else getattr(portal, role)
    allowed = _allowed("governance_settings_update", user, _gate_off(portal))
    assert allowed is (role in {"admin", "sysadmin"})


def test_show_by_package_follows_the_matrix(portal: ReviewPortal):
    """Showing a dataset's latest review is allowed to its editors and reviewers only."""
    data = _review_of_package(portal)
    assert _allowed("governance_review_show", portal.editor, data)
    assert _allowed("governance_review_show", portal.reviewer, data)
    assert not _allowed("governance_review_show", portal.other_editor, data)
    assert not _allowed("governance_review_show", portal.plain, data)


def test_requester_cannot_decide_own_request(portal: ReviewPortal):
    """A reviewer who requested a sign-off cannot decide on it."""
    dataset = reviewable_dataset(portal)
    helpers.call_action("organization_member_create", id=portal.org["id"],
                        username=portal.reviewer["name"], role="editor")
    review = request_review(portal.reviewer, dataset)
    assert not _allowed("governance_review_decide", portal.reviewer, {"id": review["id"]})


def test_sysadmin_requester_cannot_decide_own_request(portal: ReviewPortal):
    """Even a sysadmin cannot decide on a sign-off they requested."""
    data = _review_by_sysadmin(portal)
    assert not _allowed("governance_review_decide", portal.sysadmin, data)
    assert _allowed("governance_review_decide", portal.reviewer, data)


def test_requester_is_refused_even_without_auth_check(portal: ReviewPortal):
    """The decide action itself refuses the requester, even when auth is skipped."""
    review = request_review(portal.sysadmin, reviewable_dataset(portal))
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("governance_review_decide",
                            {"user": portal.sysadmin["name"], "ignore_auth": True},
                            id=review["id"], decision="reject", comment="non",
                            checklist={"licence": "ok", "personal_data": "ok",
                                       "schema": "ok", "open_format": "ok",
                                       "metadata": "ok"})


def test_reviewer_of_another_organization_cannot_decide(portal: ReviewPortal):
    """A reviewer named for another organization cannot decide this one's reviews."""
    helpers.call_action("governance_reviewer_create", as_user(portal.sysadmin),
                        organization_id=portal.other_org["id"], user=portal.plain["name"])
    assert not _allowed("governance_review_decide", portal.plain, _review(portal))


def test_plain_member_cannot_request_review(portal: ReviewPortal):
    """A member (not editor) of the organization cannot ask for a sign-off."""
    assert not _allowed("governance_review_request", portal.member, _dataset(portal))


def test_member_can_see_settings_and_reviewers(portal: ReviewPortal):
    """A plain member of the organization sees its settings and reviewers."""
    assert _allowed("governance_settings_show", portal.member, _org(portal))
    assert _allowed("governance_reviewer_list", portal.member, _org(portal))


def test_member_reads_the_checklist_but_cannot_change_it(portal: ReviewPortal):
    """A plain member of the organization reads its checklist; only its admins write it."""
    assert _allowed("governance_checklist_show", portal.member, _org(portal))
    assert not _allowed("governance_checklist_update", portal.member, _checklist(portal))


@pytest.mark.parametrize("action", ["governance_checklist_show", "governance_settings_show",
                                    "governance_reviewer_list"])
def test_an_organization_given_as_an_object_is_refused_not_a_crash(portal: ReviewPortal,
                                                                    action: str):
    """An ``organization_id`` that is not text names no organization: refused."""
    assert not _allowed(action, portal.plain, {"organization_id": {"": None}})
