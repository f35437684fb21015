"""An organization's own review checklist: reading it, writing it, deciding on it."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.review_setup import (
    MARKS, ReviewPortal, as_user, make_review_portal, request_review, reviewable_dataset)

pytestmark = MARKS

BUILT_IN = ["licence", "personal_data", "schema", "open_format", "metadata"]
#: An organization's own list: two required items and an optional one.
OWN = [
    {"label": "Accessibilité des documents", "help": "Les PDF sont balisés."},
    {"key": "licence", "label": "Licence ouverte"},
    {"label": "Relu par le service juridique", "required": False},
]


@pytest.fixture
def portal() -> ReviewPortal:
    return make_review_portal()


def _show(portal: ReviewPortal, user: Any = None) -> dict[str, Any]:
    return helpers.call_action("governance_checklist_show", as_user(user or portal.admin),
                               organization_id=portal.org["name"])


def _update(portal: ReviewPortal, **data: Any) -> dict[str, Any]:
    return helpers.call_action("governance_checklist_update", as_user(portal.admin),
                               organization_id=portal.org["id"], **data)


def _error(portal: ReviewPortal, **data: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as error:
        _update(portal, **data)
    return error.value.error_dict


def _decide(portal: ReviewPortal, review: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("governance_review_decide", as_user(portal.reviewer),
                               id=review["id"], **data)


def _decide_error(portal: ReviewPortal, review: dict[str, Any], **data: Any) -> list[str]:
    with pytest.raises(tk.ValidationError) as error:
        _decide(portal, review, **data)
    return error.value.error_dict["checklist"]


def test_an_organization_without_its_own_list_uses_the_built_in_items(portal):
    """The five built-in items, all required, are the default checklist."""
    shown = _show(portal)
    assert shown["custom"] is False
    assert [item["key"] for item in shown["items"]] == BUILT_IN
    assert all(item["required"] and item["builtin"] and item["help"]
               for item in shown["items"])


def test_update_stores_the_items_in_the_order_given(portal):
    """The list given becomes the organization's, in order; new items get keys made
    from their labels; an item keeps the key it was given."""
    saved = _update(portal, items=OWN)
    assert saved["custom"] is True
    assert [item["key"] for item in saved["items"]] == [
        "accessibilite_des_documents", "licence", "relu_par_le_service_juridique"]
    assert [item["required"] for item in saved["items"]] == [True, True, False]
    assert saved["items"][0]["help"] == "Les PDF sont balisés."
    assert _show(portal, portal.editor)["items"] == saved["items"]


def test_reset_brings_the_built_in_items_back(portal):
    """``reset`` drops the organization's own list."""
    _update(portal, items=OWN)
    shown = _update(portal, reset=True)
    assert shown["custom"] is False
    assert [item["key"] for item in shown["items"]] == BUILT_IN


def test_an_item_without_a_label_is_refused_on_its_label(portal):
    """The error names the item's position and its ``label`` field."""
    errors = _error(portal, items=[{"label": "Licence"}, {"help": "Sans titre"}])
    assert errors["items"][0] == {}
    assert "label" in errors["items"][1]


def test_two_items_with_one_key_are_refused_on_the_key(portal):
    """A key given twice is refused on the second item's ``key``."""
    errors = _error(portal, items=[{"key": "a", "label": "A"}, {"key": "a", "label": "B"}])
    assert "key" in errors["items"][1] and errors["items"][0] == {}


def test_a_malformed_key_and_a_bad_required_flag_are_named(portal):
    """Bad keys, flags, unknown fields and overlong help texts are each named."""
    errors = _error(portal, items=[
        {"key": "Clé !", "label": "A"}, {"label": "B", "required": "peut-être"},
        {"label": "C", "colour": "blue"}, {"label": "D", "help": "x" * 1001}])
    assert "key" in errors["items"][0]
    assert "required" in errors["items"][1]
    assert "colour" in errors["items"][2]
    assert "help" in errors["items"][3]


@pytest.mark.parametrize("items", [[], "Licence", [["Licence"]], {"label": "Licence"},
                                   [{"label": "x"}] * 31])
def test_a_list_that_is_not_a_list_of_items_is_refused_on_items(portal, items):
    """No items, a string, a list of lists, an object or too many items: ``items``."""
    assert isinstance(_error(portal, items=items)["items"][0], str)


def test_an_unknown_organization_is_refused_on_its_field(portal):
    """An organization that does not exist is named by ``organization_id``."""
    for action in ("governance_checklist_update", "governance_checklist_show"):
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action(action, as_user(portal.sysadmin),
                                organization_id="no-such-org", items=OWN)
        assert "organization_id" in error.value.error_dict


def test_a_pending_review_is_decided_on_the_organizations_items(portal):
    """The review's ``checklist_items`` are the organization's; approving needs the
    required ones only."""
    _update(portal, items=OWN)
    review = request_review(portal.editor, reviewable_dataset(portal))
    shown = helpers.call_action("governance_review_show", as_user(portal.reviewer),
                                id=review["id"])
    assert [item["label"] for item in shown["checklist_items"]] == [
        item["label"] for item in OWN]
    decided = _decide(portal, review, decision="approve", checklist={
        "accessibilite_des_documents": "ok", "licence": "ok"})
    assert decided["state"] == "approved"


def test_an_optional_item_not_ok_does_not_stop_an_approval(portal):
    """Only required items must be ok or not applicable to approve."""
    _update(portal, items=OWN)
    review = request_review(portal.editor, reviewable_dataset(portal))
    decided = _decide(portal, review, decision="approve", checklist={
        "accessibilite_des_documents": "ok", "licence": "not_applicable",
        "relu_par_le_service_juridique": "not_ok"})
    assert decided["checklist"]["relu_par_le_service_juridique"]["verdict"] == "not_ok"


def test_a_required_item_not_ok_stops_the_approval_named_by_its_label(portal):
    """The refusal names the organization's label of the item."""
    _update(portal, items=OWN)
    review = request_review(portal.editor, reviewable_dataset(portal))
    messages = _decide_error(portal, review, decision="approve", checklist={
        "accessibilite_des_documents": "not_ok", "licence": "ok"})
    assert "Accessibilité des documents" in messages[0]


def test_a_missing_required_item_is_named_by_its_label(portal):
    """A required item without a verdict is named by the organization's label."""
    _update(portal, items=OWN)
    review = request_review(portal.editor, reviewable_dataset(portal))
    messages = _decide_error(portal, review, decision="reject", comment="Non",
                             checklist={"licence": "ok"})
    assert "Accessibilité des documents" in messages[0]


def test_a_built_in_key_the_organization_dropped_is_refused(portal):
    """A verdict on an item not in the organization's list is refused, naming it."""
    _update(portal, items=OWN)
    review = request_review(portal.editor, reviewable_dataset(portal))
    messages = _decide_error(portal, review, decision="approve", checklist={
        "accessibilite_des_documents": "ok", "licence": "ok", "open_format": "ok"})
    assert "open_format" in messages[0]


def test_a_decided_review_keeps_its_checklist_after_an_edit(portal):
    """Editing the list afterwards leaves the items of a past decision as they were."""
    _update(portal, items=OWN)
    review = request_review(portal.editor, reviewable_dataset(portal))
    _decide(portal, review, decision="approve", checklist={
        "accessibilite_des_documents": "ok", "licence": "ok"})
    _update(portal, items=[{"label": "Tout autre chose"}])
    shown = helpers.call_action("governance_review_show", as_user(portal.reviewer),
                                id=review["id"])
    assert [item["label"] for item in shown["checklist_items"]] == [
        item["label"] for item in OWN]
    assert set(shown["checklist"]) == {"accessibilite_des_documents", "licence"}


def test_a_review_decided_on_the_built_in_items_shows_them_translated(portal):
    """A decision on the built-in list keeps its items, shown in the request's language."""
    review = request_review(portal.editor, reviewable_dataset(portal))
    _decide(portal, review, decision="approve",
            checklist={key: "ok" for key in BUILT_IN})
    _update(portal, items=OWN)
    shown = helpers.call_action("governance_review_show", as_user(portal.reviewer),
                                id=review["id"])
    assert [item["key"] for item in shown["checklist_items"]] == BUILT_IN
    assert shown["checklist_items"][0]["label"] == "Licence"
