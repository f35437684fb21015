"""Feedback on private datasets never reaches outsiders, and internal notes never go public,
through any action or page."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.shared import as_user, login
from tests.reuse_tracker.feedback_setup import MARKS, make_portal, post

pytestmark = MARKS

SECRET = "Question confidentielle sur le fichier interne"
NOTE = "Note interne : ne pas publier"


def _private_portal():
    portal = make_portal()
    item = post(portal.member, portal.private["id"], body=SECRET)
    helpers.call_action("feedback_respond", as_user(portal.editor), id=item["id"],
                        body="Réponse interne")
    return portal, item


def test_private_feedback_is_refused_to_outsiders_by_every_action():
    """feedback_list, feedback_show and the inbox never give outsiders private feedback."""
    portal, item = _private_portal()
    for user in (None, portal.plain, portal.author, portal.other_editor):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("feedback_list", as_user(user), package_id=portal.private["id"])
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("feedback_show", as_user(user), id=item["id"])
    inbox = helpers.call_action("feedback_list", as_user(portal.other_editor))
    assert item["id"] not in [i["id"] for i in inbox["results"]]
    stats = helpers.call_action("feedback_stats", as_user(portal.other_editor))
    assert stats["organizations"] == []


def test_private_feedback_is_shown_to_the_organization():
    """The organization's members see the private dataset's feedback; editors handle it."""
    portal, item = _private_portal()
    listing = helpers.call_action("feedback_list", as_user(portal.member),
                                  package_id=portal.private["id"])
    assert [i["id"] for i in listing["results"]] == [item["id"]]


def test_private_feedback_never_reaches_anonymous_pages_or_api(app):
    """Anonymous visitors get no private feedback from the dataset page, the item page,
    the inbox (which sends them to the login page) or the action API."""
    portal, item = _private_portal()
    for url in (f"/dataset/{portal.private['name']}", f"/feedback/{item['id']}",
                f"/api/3/action/feedback_list?package_id={portal.private['id']}",
                f"/api/3/action/feedback_show?id={item['id']}"):
        response = app.get(url)
        assert response.status_code in (403, 404), url
        assert SECRET not in response.body, url
    inbox = app.get("/feedback/inbox", follow_redirects=False)
    assert inbox.status_code == 302 and "/user/login" in inbox.headers["Location"]
    assert SECRET not in app.get("/feedback/inbox").body


def test_private_feedback_never_reaches_an_outsider_logged_in(app):
    """A logged-in outsider gets no private feedback from pages either."""
    portal, item = _private_portal()
    client = login(app, portal.other_editor)
    for url in (f"/dataset/{portal.private['name']}", f"/feedback/{item['id']}",
                "/feedback/inbox"):
        assert SECRET not in client.get(url).body, url


def test_internal_notes_are_never_public(app):
    """Notes stay out of public actions, the API and the dataset page; editors see them."""
    portal = make_portal()
    helpers.call_action("feedback_update_status", as_user(portal.editor),
                        id=portal.feedback["id"], state="in_progress", note=NOTE)
    for user in (None, portal.plain, portal.author, portal.member):
        shown = helpers.call_action("feedback_show", as_user(user), id=portal.feedback["id"])
        listed = helpers.call_action("feedback_list", as_user(user),
                                     package_id=portal.dataset["id"])
        assert "notes" not in shown and NOTE not in repr(shown)
        assert NOTE not in repr(listed)
        assert "author_id" not in shown
    api = app.get(f"/api/3/action/feedback_show?id={portal.feedback['id']}")
    assert api.status_code == 200 and NOTE not in api.body
    assert NOTE not in app.get(f"/dataset/{portal.dataset['name']}").body
    assert NOTE not in login(app, portal.author).get(
        f"/dataset/{portal.dataset['name']}").body
    managed = helpers.call_action("feedback_show", as_user(portal.editor),
                                  id=portal.feedback["id"])
    assert [n["body"] for n in managed["notes"]] == [NOTE]
