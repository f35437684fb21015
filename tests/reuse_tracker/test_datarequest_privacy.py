"""What data requests reveal: spam to its moderators only, a private answering dataset to
those who may see it, moderation details to moderators."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.reuse_tracker.datarequest_setup import MARKS, ROLES, as_user, create, make_portal

pytestmark = MARKS


def _show(user, request_id):
    return helpers.call_action("datarequest_show", as_user(user), id=request_id)


def _list_ids(user, **data):
    result = helpers.call_action("datarequest_list", as_user(user), **data)
    return [row["id"] for row in result["results"]]


def test_a_spam_request_is_not_found_but_by_its_moderators():
    """Show of a spam request is ObjectNotFound for all but the org admin and sysadmins."""
    portal = make_portal()
    spam = create(portal.author, organization_id=portal.org["id"], title="Casino en ligne")
    for role in ("anonymous", "plain", "author", "editor"):
        with pytest.raises(tk.ObjectNotFound):
            _show(portal.user(role), spam["id"])
    with pytest.raises(tk.ObjectNotFound):
        _show(portal.other_admin, spam["id"])
    assert _show(portal.admin, spam["id"])["spam_reason"] == "word:casino"
    assert _show(portal.sysadmin, spam["id"])["state"] == "spam"


def test_spam_is_never_listed_except_to_moderators_asking_for_it():
    """Spam stays out of every listing; state=spam lists only the requests one moderates."""
    portal = make_portal()
    spam = create(portal.author, organization_id=portal.org["id"], title="Casino en ligne")
    elsewhere = create(portal.author, organization_id=portal.other_org["id"],
                       title="Viagra pas cher")
    loose = create(portal.author, title="Crypto gratuite")
    spam_ids = {spam["id"], elsewhere["id"], loose["id"]}
    for role in ROLES:
        assert not spam_ids & set(_list_ids(portal.user(role)))
        assert not spam_ids & set(_list_ids(portal.user(role), mine=True))
    for role in ("anonymous", "plain", "author", "editor"):
        assert _list_ids(portal.user(role), state="spam") == []
    assert _list_ids(portal.admin, state="spam") == [spam["id"]]
    assert _list_ids(portal.other_admin, state="spam") == [elsewhere["id"]]
    assert set(_list_ids(portal.sysadmin, state="spam")) == spam_ids


def test_spam_cannot_be_voted_followed_or_commented_by_users():
    """Votes, follows and comments on a spam request are not found for users."""
    portal = make_portal()
    spam = create(portal.author, organization_id=portal.org["id"], title="Casino en ligne")
    for action, data in (("datarequest_vote", {}), ("datarequest_follow", {}),
                         ("datarequest_comment_create", {"body": "Bonjour"})):
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action(action, as_user(portal.plain), id=spam["id"], **data)


def test_a_private_answering_dataset_is_hidden_from_outsiders():
    """A request answered by a private dataset names it only to those who may read it."""
    portal = make_portal()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="published", package_id=portal.private["name"])
    for role in ("anonymous", "plain", "author"):
        shown = _show(portal.user(role), portal.request["id"])
        assert (shown["package_id"], shown["package_name"], shown["package_title"]) == (
            None, None, None)
        (listed,) = helpers.call_action("datarequest_list", as_user(portal.user(role)))[
            "results"]
        assert listed["package_id"] is None and listed["package_title"] is None
        assert _list_ids(portal.user(role), package_id=portal.private["id"]) == []
    for role in ("editor", "admin", "sysadmin"):
        shown = _show(portal.user(role), portal.request["id"])
        assert (shown["package_id"], shown["package_title"]) == (
            portal.private["id"], "Fichier interne")
        assert _list_ids(portal.user(role), package_id=portal.private["id"]) == [
            portal.request["id"]]


def test_a_deleted_answering_dataset_is_no_longer_named():
    """Once the answering dataset is deleted, the request no longer links it."""
    portal = make_portal()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="published", package_id=portal.dataset["id"])
    helpers.call_action("package_delete", id=portal.dataset["id"])
    assert _show(None, portal.request["id"])["package_name"] is None


def test_moderation_details_are_for_moderators_only():
    """author_id and spam_reason show only to the request's moderators."""
    portal = make_portal()
    for role in ROLES:
        shown = _show(portal.user(role), portal.request["id"])
        listed = helpers.call_action("datarequest_list", as_user(portal.user(role)))[
            "results"][0]
        moderator = role in ("admin", "sysadmin")
        assert ("author_id" in shown, "spam_reason" in shown) == (moderator, moderator)
        assert ("author_id" in listed) == moderator
        assert shown["can_moderate"] is moderator


def test_spam_and_deleted_comments_are_hidden_from_users():
    """Users see only active comments; moderators see every comment with its state."""
    portal = make_portal()
    request_id = portal.request["id"]
    helpers.call_action("datarequest_comment_create", as_user(portal.plain), id=request_id,
                        body="Visible.")
    helpers.call_action("datarequest_comment_create", as_user(portal.plain), id=request_id,
                        body="Achetez du viagra")
    gone = helpers.call_action("datarequest_comment_create", as_user(portal.editor),
                               id=request_id, body="Erreur.")
    helpers.call_action("datarequest_comment_delete", as_user(portal.editor), id=request_id,
                        comment_id=gone["id"])
    for role in ("anonymous", "plain", "author", "editor"):
        assert [c["body"] for c in _show(portal.user(role), request_id)["comments"]] == [
            "Visible."]
    assert [c["state"] for c in _show(portal.admin, request_id)["comments"]] == [
        "active", "spam", "deleted"]


def test_anonymous_viewers_are_offered_no_action():
    """For anonymous viewers, can_edit, can_moderate, voted and following are false."""
    portal = make_portal()
    shown = _show(None, portal.request["id"])
    assert (shown["can_edit"], shown["can_moderate"], shown["voted"], shown["following"]) == (
        False, False, False, False)
    assert [c["can_delete"] for c in shown["comments"]] == []
