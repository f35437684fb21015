"""The publication gate on core's actions: create, update, patch, revise, move, bulk."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import Event
from tests.opendata_governance.gate_setup import (
    approve, open_dataset, request, switch_gate)
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS


def _private_dataset(portal: Any, **kwargs: Any) -> dict[str, Any]:
    return factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True,
                                            **kwargs))


def _refusal(error: Any) -> str:
    assert "private" in error.value.error_dict, error.value.error_dict
    return " ".join(error.value.error_dict["private"])


def _is_private(dataset_id: str) -> bool:
    return helpers.call_action("package_show", id=dataset_id)["private"]


def _events(event_type: str) -> list[Event]:
    return model.Session.query(Event).filter_by(event_type=event_type).all()


def test_package_create_refuses_a_public_dataset_in_a_governed_organization():
    """A dataset created public in a governed organization is refused on "private"."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_create", as_user(portal.editor), name="budget-2026",
                            **open_dataset(owner_org=portal.org["id"], private=False))
    assert "no approved compliance sign-off" in _refusal(error)
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("package_show", id="budget-2026")


def test_package_create_refusal_leaves_nothing_in_the_search_index():
    """A refused creation leaves no search document behind."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError):
        helpers.call_action("package_create", name="budget-2026",
                            **open_dataset(owner_org=portal.org["id"], private=False))
    found = helpers.call_action("package_search", q="name:budget-2026",
                                include_private=True)
    assert found["count"] == 0


def test_package_create_refusal_is_recorded_as_an_event():
    """A refusal is kept in the audit log with its reason and path."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError):
        helpers.call_action("package_create", as_user(portal.editor), name="budget-2026",
                            **open_dataset(owner_org=portal.org["id"], private=False))
    [event] = _events("gate_refused")
    assert event.details["path"] == "package_create"
    assert event.details["name"] == "budget-2026"
    assert event.organization_id == portal.org["id"]
    assert event.actor_id == portal.editor["id"]


def test_package_create_of_a_private_dataset_is_allowed():
    """A private dataset is created without any sign-off."""
    portal = make_portal()
    created = _private_dataset(portal)
    assert _is_private(created["id"])


def test_package_create_in_an_organization_with_the_gate_off_is_allowed():
    """An organization that switched the gate off publishes freely."""
    portal = make_portal()
    switch_gate(portal.org["id"], False)
    created = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=False))
    assert not _is_private(created["id"])


def test_dataset_without_organization_is_not_gated():
    """A dataset outside any organization is not governed."""
    created = factories.Dataset(private=False)
    assert not _is_private(created["id"])


def test_package_update_refuses_publication_without_sign_off():
    """package_update with private=False and no sign-off is refused; the dataset stays private."""
    portal = make_portal()
    created = _private_dataset(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_update", as_user(portal.editor),
                            **{**created, "private": False})
    assert "no approved compliance sign-off" in _refusal(error)
    assert _is_private(created["id"])


def test_package_update_refusal_keeps_the_search_index_private():
    """After a refused publication, anonymous search still does not find the dataset."""
    portal = make_portal()
    created = _private_dataset(portal, title="Budget primitif")
    with pytest.raises(tk.ValidationError):
        helpers.call_action("package_update", **{**created, "private": False,
                                                 "title": "Budget voté"})
    anonymous = helpers.call_action("package_search", {"user": ""}, q="Budget")
    assert anonymous["count"] == 0
    indexed = helpers.call_action("package_search", q="Budget", include_private=True)
    assert [d["title"] for d in indexed["results"]] == ["Budget primitif"]
    assert indexed["results"][0]["private"] is True


def test_package_update_publishes_with_a_matching_sign_off():
    """package_update with private=False and a matching approved sign-off goes public."""
    portal = make_portal()
    created = _private_dataset(portal)
    approve(created["id"])
    updated = helpers.call_action("package_update", as_user(portal.editor),
                                  **{**created, "private": False})
    assert updated["private"] is False
    anonymous = helpers.call_action("package_search", {"user": ""}, q="*:*")
    assert [d["id"] for d in anonymous["results"]] == [created["id"]]


def test_package_patch_refuses_publication_without_sign_off():
    """package_patch private=False without a sign-off is refused on "private"."""
    portal = make_portal()
    created = _private_dataset(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", as_user(portal.editor), id=created["id"],
                            private=False)
    assert _refusal(error)
    assert _is_private(created["id"])


def test_package_patch_publishes_with_a_matching_sign_off():
    """package_patch private=False with a matching sign-off goes public."""
    portal = make_portal()
    created = _private_dataset(portal)
    approve(created["id"])
    helpers.call_action("package_patch", as_user(portal.editor), id=created["id"],
                        private=False)
    assert not _is_private(created["id"])


def test_package_revise_refuses_publication_without_sign_off():
    """package_revise setting private=False without a sign-off is refused on "private"."""
    portal = make_portal()
    created = _private_dataset(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_revise", as_user(portal.editor),
                            match={"id": created["id"]}, update={"private": False})
    assert _refusal(error)
    assert _is_private(created["id"])


def test_package_revise_publishes_with_a_matching_sign_off():
    """package_revise setting private=False with a matching sign-off goes public."""
    portal = make_portal()
    created = _private_dataset(portal)
    approve(created["id"])
    helpers.call_action("package_revise", as_user(portal.editor),
                        match={"id": created["id"]}, update={"private": False})
    assert not _is_private(created["id"])


def test_refusal_says_a_review_is_pending():
    """With a pending review, the refusal says so, with its date."""
    portal = make_portal()
    created = _private_dataset(portal)
    review = request(created["id"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", id=created["id"], private=False)
    message = _refusal(error)
    assert "still pending" in message
    assert review.created.date().isoformat() in message


def test_title_changed_after_sign_off_is_detected():
    """A title changed after approval makes the sign-off stale, and the refusal names it."""
    portal = make_portal()
    created = _private_dataset(portal, title="Budget primitif 2025")
    approve(created["id"])
    helpers.call_action("package_patch", id=created["id"], title="Budget primitif 2026")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", id=created["id"], private=False)
    message = _refusal(error)
    assert "no longer matches" in message
    assert "title" in message
    assert "resource" not in message


def test_resource_changed_after_sign_off_is_detected():
    """A resource whose URL changed after approval is named in the refusal."""
    portal = make_portal()
    created = _private_dataset(portal, resources=[
        {"name": "budget.csv", "url": "https://example.org/budget.csv", "format": "CSV"}])
    approve(created["id"])
    helpers.call_action("resource_patch", id=created["resources"][0]["id"],
                        url="https://example.org/budget-v2.csv")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", id=created["id"], private=False)
    message = _refusal(error)
    assert "resource budget.csv" in message
    assert "title" not in message


def test_metadata_edit_of_a_published_dataset_keeps_it_public():
    """After publication, a description edit neither re-gates nor hides the dataset."""
    portal = make_portal()
    created = _private_dataset(portal)
    approve(created["id"])
    helpers.call_action("package_patch", id=created["id"], private=False)
    updated = helpers.call_action("package_patch", as_user(portal.editor), id=created["id"],
                                  notes="Une meilleure description")
    assert updated["private"] is False


def test_owner_org_update_refuses_moving_a_public_dataset_into_a_governed_organization():
    """Moving a public dataset into a governed organization without a sign-off is refused."""
    portal = make_portal()
    switch_gate(portal.other_org["id"], False)
    created = factories.Dataset(**open_dataset(owner_org=portal.other_org["id"],
                                               private=False))
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_owner_org_update", id=created["id"],
                            organization_id=portal.org["id"])
    assert _refusal(error)
    shown = helpers.call_action("package_show", id=created["id"])
    assert shown["owner_org"] == portal.other_org["id"]
    assert shown["private"] is False


def test_owner_org_update_moves_a_public_dataset_signed_off_for_its_new_organization():
    """A public dataset whose sign-off covers it in the governed organization moves there."""
    portal = make_portal()
    switch_gate(portal.other_org["id"], False)
    created = factories.Dataset(**open_dataset(owner_org=portal.other_org["id"],
                                               private=False))
    # The reviewers signed the dataset off as it will be in their organization.
    approve(created["id"], owner_org=portal.org["id"])
    helpers.call_action("package_owner_org_update", id=created["id"],
                        organization_id=portal.org["id"])
    shown = helpers.call_action("package_show", id=created["id"])
    assert shown["owner_org"] == portal.org["id"]
    assert shown["private"] is False


def test_owner_org_update_moves_a_private_dataset_freely():
    """A private dataset moves into a governed organization without a sign-off."""
    portal = make_portal()
    created = factories.Dataset(**open_dataset(owner_org=portal.other_org["id"],
                                               private=True))
    helpers.call_action("package_owner_org_update", id=created["id"],
                        organization_id=portal.org["id"])
    assert helpers.call_action("package_show", id=created["id"])["owner_org"] == \
        portal.org["id"]


def test_bulk_update_public_refuses_naming_the_datasets_without_sign_off():
    """bulk_update_public is refused on "datasets", naming those without a sign-off."""
    portal = make_portal()
    signed = _private_dataset(portal, name="signed-off")
    unsigned = _private_dataset(portal, name="not-signed-off")
    approve(signed["id"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("bulk_update_public", as_user(portal.admin),
                            datasets=[signed["id"], unsigned["id"]], org_id=portal.org["id"])
    message = " ".join(error.value.error_dict["datasets"])
    assert "not-signed-off" in message
    assert "signed-off," not in message and not message.endswith(": signed-off")
    assert _is_private(signed["id"]) and _is_private(unsigned["id"])


def test_bulk_update_public_publishes_signed_off_datasets():
    """bulk_update_public makes public datasets that all have a matching sign-off."""
    portal = make_portal()
    first, second = _private_dataset(portal), _private_dataset(portal)
    approve(first["id"])
    approve(second["id"])
    helpers.call_action("bulk_update_public", as_user(portal.admin),
                        datasets=[first["id"], second["id"]], org_id=portal.org["id"])
    assert not _is_private(first["id"]) and not _is_private(second["id"])
    anonymous = helpers.call_action("package_search", {"user": ""}, q="*:*")
    assert anonymous["count"] == 2


def test_bulk_update_public_checks_access_before_the_gate():
    """An editor of another organization gets NotAuthorized, not the gate's findings."""
    portal = make_portal()
    created = _private_dataset(portal)
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("bulk_update_public", as_user(portal.other_editor),
                            datasets=[created["id"]], org_id=portal.org["id"])
    assert not _events("gate_refused")
