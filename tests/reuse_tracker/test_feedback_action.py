"""The feedback actions: posting, listing, showing, answering, states, notes and ratings."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.reuse_tracker.model.feedback import Feedback, FeedbackRating
from tests.shared import as_user
from tests.reuse_tracker.feedback_setup import MARKS, make_portal, post

pytestmark = MARKS


def _call(action: str, user, **data):
    return helpers.call_action(action, as_user(user), **data)


def test_create_records_the_feedback_with_its_routing():
    """A new feedback item is stored as new, with the dataset's organization and service."""
    portal = make_portal()
    item = Feedback.get(portal.feedback["id"])
    assert (item.state, item.kind, item.rating) == ("new", "question", 4)
    assert item.organization_id == portal.org["id"]
    assert item.service == "direction-des-finances"
    assert item.author_id == portal.author["id"]


def test_create_accepts_a_resource_and_a_reference():
    """Feedback may point at one of the dataset's resources and a row or column."""
    portal = make_portal()
    resource_id = portal.dataset["resources"][0]["id"]
    item = post(portal.plain, portal.dataset["name"], kind="problem", resource_id=resource_id,
                reference="ligne 12,\n colonne montant")
    assert item["resource_id"] == resource_id
    assert item["reference"] == "ligne 12, colonne montant"


def test_create_rejects_bad_input_naming_the_field(monkeypatch):
    """Each bad value is refused with a validation error naming its field."""
    portal = make_portal()
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.feedback_body_max_length", 50)
    other = factories.Dataset(owner_org=portal.org["id"], resources=[{"url": "http://x.org/a"}])
    cases = [
        ("kind", {"kind": "complaint"}),
        ("body", {"body": "   "}),
        ("body", {"body": "x" * 51}),
        ("rating", {"rating": 6}),
        ("rating", {"rating": "2.5"}),
        ("package_id", {"package_id": ""}),
        ("resource_id", {"resource_id": other["resources"][0]["id"]}),
    ]
    for field, data in cases:
        payload = {"package_id": portal.dataset["id"], "kind": "question", "body": "Bonjour",
                   **data}
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("feedback_create", as_user(portal.plain), **payload)
        assert field in error.value.error_dict, (field, data)


def test_create_on_an_unknown_dataset_is_not_found():
    """Feedback on a dataset that does not exist is refused."""
    portal = make_portal()
    with pytest.raises((tk.ObjectNotFound, tk.NotAuthorized)):
        post(portal.plain, "no-such-dataset")


def test_one_rating_per_user_and_dataset_the_latest_wins():
    """A user's second rating of a dataset replaces the first in the average."""
    portal = make_portal()
    post(portal.plain, portal.dataset["id"], rating=2)
    post(portal.author, portal.dataset["id"], rating=5, kind="thanks")
    assert model.Session.query(FeedbackRating).filter_by(
        package_id=portal.dataset["id"]).count() == 2
    listing = _call("feedback_list", None, package_id=portal.dataset["id"])
    assert (listing["rating_average"], listing["rating_count"]) == (3.5, 2)


def test_list_pages_and_counts():
    """feedback_list returns the total count and one page, newest first."""
    portal = make_portal()
    for n in range(4):
        post(portal.plain, portal.dataset["id"], body=f"Message {n}")
    page = _call("feedback_list", None, package_id=portal.dataset["id"], limit=2, offset=1)
    assert page["count"] == 5
    assert [item["body"] for item in page["results"]] == ["Message 2", "Message 1"]


def test_list_filters_by_kind_state_and_service():
    """The inbox filters by kind, state and service."""
    portal = make_portal()
    problem = post(portal.plain, portal.dataset["id"], kind="problem")
    _call("feedback_update_status", portal.editor, id=problem["id"], state="in_progress")
    other = factories.Dataset(owner_org=portal.org["id"],
                              extras=[{"key": "owner_service", "value": "voirie"}])
    post(portal.plain, other["id"], kind="problem")
    assert _call("feedback_list", portal.editor, kind="problem")["count"] == 2
    assert [i["id"] for i in _call("feedback_list", portal.editor,
                                   state="in_progress")["results"]] == [problem["id"]]
    assert _call("feedback_list", portal.editor, service="voirie")["count"] == 1
    assert _call("feedback_list", portal.editor,
                 organization=portal.org["name"])["count"] == 3


def test_inbox_covers_only_the_organizations_the_user_edits():
    """An editor's inbox holds feedback on their organization's datasets only."""
    portal = make_portal()
    other = factories.Dataset(owner_org=portal.other_org["id"])
    post(portal.plain, other["id"])
    mine = _call("feedback_list", portal.editor)
    theirs = _call("feedback_list", portal.other_editor)
    assert [i["id"] for i in mine["results"]] == [portal.feedback["id"]]
    assert theirs["count"] == 1 and theirs["results"][0]["package_id"] == other["id"]
    assert _call("feedback_list", portal.sysadmin)["count"] == 2


def test_respond_publishes_the_answer_and_counts_as_first_response():
    """A public answer is stored, with its time as the first response, state unchanged."""
    portal = make_portal()
    result = _call("feedback_respond", portal.editor, id=portal.feedback["id"],
                   body="Oui, en euros TTC.")
    assert result["answer"] == "Oui, en euros TTC."
    assert result["state"] == "new"
    assert result["first_response"] == result["answered"]
    public = _call("feedback_show", None, id=portal.feedback["id"])
    assert public["answer"] == "Oui, en euros TTC."


def test_respond_can_change_the_state():
    """An answer given with a state moves the feedback to it and records the change."""
    portal = make_portal()
    result = _call("feedback_respond", portal.admin, id=portal.feedback["id"],
                   body="Corrigé.", state="resolved")
    assert result["state"] == "resolved"
    assert [n["state_change"] for n in result["notes"]] == ["new>resolved"]


def test_status_change_is_a_first_response_and_keeps_the_first_time():
    """The first status change sets the response time; later ones keep it."""
    portal = make_portal()
    first = _call("feedback_update_status", portal.editor, id=portal.feedback["id"],
                  state="acknowledged")
    assert first["first_response"]
    second = _call("feedback_update_status", portal.editor, id=portal.feedback["id"],
                   state="in_progress", note="Transmis au service SIG.")
    assert second["first_response"] == first["first_response"]
    assert second["notes"][-1]["body"] == "Transmis au service SIG."


def test_marking_spam_is_not_a_response_and_states_are_checked():
    """Moving feedback to spam does not count as answering it; unknown states are refused."""
    portal = make_portal()
    result = _call("feedback_update_status", portal.editor, id=portal.feedback["id"],
                   state="spam")
    assert result["first_response"] is None
    with pytest.raises(tk.ValidationError) as error:
        _call("feedback_update_status", portal.editor, id=portal.feedback["id"],
              state="closed")
    assert "state" in error.value.error_dict


def test_note_create_adds_a_note_without_response():
    """An internal note is kept and does not end the response time."""
    portal = make_portal()
    result = _call("feedback_note_create", portal.editor, id=portal.feedback["id"],
                   body="À voir avec la DSI.")
    assert [n["body"] for n in result["notes"]] == ["À voir avec la DSI."]
    assert result["first_response"] is None


def test_overdue_filter_finds_feedback_past_the_target():
    """Feedback older than the target without a response is overdue; answered is not."""
    portal = make_portal()
    late = post(portal.plain, portal.dataset["id"], body="Ancienne question")
    answered = post(portal.plain, portal.dataset["id"], body="Ancienne, répondue")
    for feedback_id in (late["id"], answered["id"]):
        Feedback.get(feedback_id).created = dt.datetime(2020, 1, 1)
    model.Session.commit()
    _call("feedback_respond", portal.editor, id=answered["id"], body="Réponse tardive")
    overdue = _call("feedback_list", portal.editor, overdue=True)
    assert [i["id"] for i in overdue["results"]] == [late["id"]]
    assert overdue["results"][0]["overdue"] is True


def test_show_unknown_feedback_is_not_found():
    """A sysadmin asking for a feedback id that does not exist gets not found."""
    portal = make_portal()
    with pytest.raises(tk.ObjectNotFound):
        _call("feedback_show", portal.sysadmin, id="nope")
