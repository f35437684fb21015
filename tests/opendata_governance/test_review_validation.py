"""Bad input to the sign-off actions: a ValidationError naming the field, or NotFound."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.opendata_governance.review_setup import (
    ALL_OK, MARKS, ReviewPortal, approve, as_user, make_review_portal, reject,
    request_review, reviewable_dataset)

pytestmark = MARKS


@pytest.fixture
def portal() -> ReviewPortal:
    return make_review_portal()


@pytest.fixture
def review(portal: ReviewPortal) -> dict[str, Any]:
    return request_review(portal.editor, reviewable_dataset(portal))


def _decide(portal: ReviewPortal, review: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("governance_review_decide", as_user(portal.reviewer),
                               id=review["id"], **data)


def _error(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as error:
        call(*args, **kwargs)
    return error.value.error_dict


def test_request_needs_an_owner_service(portal):
    """A dataset without an owner service cannot be submitted for review."""
    dataset = reviewable_dataset(portal, owner_service="")
    errors = _error(request_review, portal.editor, dataset)
    assert "owner_service" in errors


def test_request_needs_an_organization():
    """A dataset of no organization cannot be submitted for review."""
    sysadmin = factories.Sysadmin()
    dataset = factories.Dataset(private=False)
    errors = _error(helpers.call_action, "governance_review_request",
                    as_user(sysadmin), id=dataset["id"])
    assert "id" in errors


def test_request_of_unknown_dataset_is_not_found(portal):
    """A request for a dataset that does not exist is NotFound."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("governance_review_request", as_user(portal.sysadmin),
                            id="no-such-dataset")


def test_request_publish_must_be_boolean(portal):
    """A publish flag that is neither true nor false is refused on publish."""
    dataset = reviewable_dataset(portal)
    assert "publish" in _error(request_review, portal.editor, dataset, publish="perhaps")


def test_decide_unknown_review_is_not_found(portal):
    """Deciding on a review that does not exist is NotFound."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("governance_review_decide", as_user(portal.sysadmin),
                            id="no-such-review", decision="approve", checklist=ALL_OK)


def test_decide_on_decided_review_names_id(portal, review):
    """A review already decided cannot be decided again."""
    reject(review, portal.reviewer)
    errors = _error(approve, review, portal.reviewer)
    assert "id" in errors


def test_decide_on_withdrawn_review_names_id(portal, review):
    """A review withdrawn by a newer request cannot be decided."""
    request_review(portal.editor, {"id": review["package_id"]})
    assert "id" in _error(approve, review, portal.reviewer)


def test_unknown_decision_names_decision(portal, review):
    """A decision other than approve or reject is refused on decision."""
    errors = _error(_decide, portal, review, decision="maybe", checklist=ALL_OK)
    assert "decision" in errors


def test_missing_decision_names_decision(portal, review):
    """A decision is required."""
    assert "decision" in _error(_decide, portal, review, checklist=ALL_OK)


def test_missing_checklist_names_checklist(portal, review):
    """A decision without a checklist is refused on checklist."""
    assert "checklist" in _error(_decide, portal, review, decision="approve")


def test_checklist_missing_item_says_which(portal, review):
    """A checklist without one of its items names the missing item."""
    checklist = {key: value for key, value in ALL_OK.items() if key != "schema"}
    errors = _error(_decide, portal, review, decision="approve", checklist=checklist)
    assert "Schema conformity" in errors["checklist"][0]


def test_checklist_unknown_item_says_which(portal, review):
    """A checklist with an unknown item names it."""
    errors = _error(_decide, portal, review, decision="approve",
                    checklist={**ALL_OK, "colour": "ok"})
    assert "colour" in errors["checklist"][0]


def test_checklist_bad_verdict_says_which_item(portal, review):
    """A verdict other than ok, not_ok or not_applicable names its item."""
    errors = _error(_decide, portal, review, decision="approve",
                    checklist={**ALL_OK, "licence": "fine"})
    assert errors["checklist"][0].startswith("Licence:")


def test_checklist_bad_verdict_in_object_says_which_item(portal, review):
    """A bad verdict given in the object form names its item too."""
    errors = _error(_decide, portal, review, decision="approve",
                    checklist={**ALL_OK, "metadata": {"verdict": "yes", "comment": "x"}})
    assert errors["checklist"][0].startswith("Metadata complete:")


def test_checklist_not_an_object_names_checklist(portal, review):
    """A checklist that is not an object is refused on checklist."""
    errors = _error(_decide, portal, review, decision="approve", checklist="all good")
    assert "checklist" in errors


def test_approval_with_not_ok_item_names_checklist(portal, review):
    """Approving with an item not_ok is refused on checklist."""
    errors = _error(approve, review, portal.reviewer,
                    checklist={**ALL_OK, "open_format": "not_ok"})
    assert "Open format" in errors["checklist"][0]


def test_reject_needs_a_comment(portal, review):
    """Rejecting without a comment is refused on comment."""
    errors = _error(_decide, portal, review, decision="reject",
                    checklist={**ALL_OK, "licence": "not_ok"})
    assert "comment" in errors


def test_override_without_comment_names_override(portal):
    """An override without a comment does not approve a blocking failure."""
    review = request_review(portal.editor, reviewable_dataset(
        portal, license_id="notspecified"))
    assert "override" in _error(approve, review, portal.reviewer, override=True)


def test_changed_dataset_names_id_and_asks_new_request(portal, review):
    """Approving a dataset whose resources changed since the request is refused on id."""
    helpers.call_action("resource_create", as_user(portal.editor),
                        package_id=review["package_id"],
                        url="https://example.org/budget-annexe.csv", format="CSV")
    errors = _error(approve, review, portal.reviewer)
    assert "new request" in errors["id"][0]


def test_show_needs_id_or_package_id(portal):
    """Showing a review needs its id or a dataset id."""
    assert "id" in _error(helpers.call_action, "governance_review_show",
                          as_user(portal.sysadmin))


def test_show_unknown_review_is_not_found(portal):
    """Showing a review that does not exist is NotFound."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("governance_review_show", as_user(portal.sysadmin),
                            id="no-such-review")


def test_show_dataset_without_review_is_not_found(portal):
    """The latest review of a dataset never submitted is NotFound."""
    dataset = reviewable_dataset(portal)
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("governance_review_show", as_user(portal.editor),
                            package_id=dataset["id"])


def test_list_unknown_state_names_state(portal):
    """An unknown state filter is refused on state."""
    assert "state" in _error(helpers.call_action, "governance_review_list",
                             as_user(portal.reviewer), state="pending")


def test_list_bad_limit_names_limit(portal):
    """A negative limit is refused on limit."""
    assert "limit" in _error(helpers.call_action, "governance_review_list",
                             as_user(portal.reviewer), limit=-1)


def test_list_limit_is_capped():
    """A limit above 100 is served as 100."""
    assert tk.get_validator("governance_review_limit")(1000, {}) == 100


def test_list_unknown_organization_names_organization_id(portal):
    """An unknown organization filter is refused on organization_id."""
    assert "organization_id" in _error(
        helpers.call_action, "governance_review_list", as_user(portal.sysadmin),
        organization_id="no-such-org")


def test_reviewer_unknown_user_names_user(portal):
    """Naming a user who does not exist is refused on user."""
    assert "user" in _error(helpers.call_action, "governance_reviewer_create",
                            as_user(portal.admin), organization_id=portal.org["id"],
                            user="nobody-here")


def test_reviewer_twice_names_user(portal):
    """Naming the same reviewer twice is refused on user."""
    assert "user" in _error(helpers.call_action, "governance_reviewer_create",
                            as_user(portal.admin), organization_id=portal.org["id"],
                            user=portal.reviewer["name"])


def test_reviewer_unknown_organization_names_organization_id(portal):
    """Naming a reviewer of an unknown organization is refused on organization_id."""
    assert "organization_id" in _error(
        helpers.call_action, "governance_reviewer_create", as_user(portal.sysadmin),
        organization_id="no-such-org", user=portal.plain["name"])


def test_reviewer_delete_of_non_reviewer_is_not_found(portal):
    """Removing a user who is no reviewer of the organization is NotFound."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("governance_reviewer_delete", as_user(portal.admin),
                            organization_id=portal.org["id"], user=portal.plain["name"])


def test_settings_gate_enabled_required(portal):
    """Updating the settings without gate_enabled is refused on gate_enabled."""
    assert "gate_enabled" in _error(
        helpers.call_action, "governance_settings_update", as_user(portal.admin),
        organization_id=portal.org["id"])


def test_settings_gate_enabled_must_be_boolean(portal):
    """A gate_enabled that is neither true nor false is refused on gate_enabled."""
    assert "gate_enabled" in _error(
        helpers.call_action, "governance_settings_update", as_user(portal.admin),
        organization_id=portal.org["id"], gate_enabled="sometimes")
