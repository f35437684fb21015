"""Feedback pages: the dataset page's threads and form, the inbox, one item's handling page."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from ckanext.reuse_tracker.model.feedback import Feedback
from tests.shared import as_user, csrf_token, login
from tests.reuse_tracker.feedback_setup import MARKS, make_portal, post

pytestmark = MARKS


def _dataset_url(portal) -> str:
    return f"/dataset/{portal.dataset['name']}"


def test_dataset_page_shows_threads_answers_status_and_rating(app):
    """Visitors see each published thread with its answer, status and the average rating."""
    portal = make_portal()
    helpers.call_action("feedback_respond", as_user(portal.editor), id=portal.feedback["id"],
                        body="Oui, en euros TTC.", state="resolved")
    body = app.get(_dataset_url(portal)).body
    assert "Les montants sont-ils en euros ?" in body
    assert "Oui, en euros TTC." in body
    assert "Resolved" in body
    assert "Average rating: 4/5 (1 rating)" in body


def test_dataset_page_escapes_feedback_text_and_hides_spam(app):
    """Markup in feedback is shown as text, never run; spam is not shown."""
    portal = make_portal()
    post(portal.plain, portal.dataset["id"], body='<script>alert("x")</script>')
    post(portal.plain, portal.dataset["id"], body="Super casino ici")
    body = app.get(_dataset_url(portal)).body
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;" in body
    assert "Super casino ici" not in body


def test_anonymous_visitor_is_invited_to_log_in(app):
    """With anonymous feedback off, a visitor sees a log-in link instead of the form."""
    portal = make_portal()
    body = app.get(_dataset_url(portal)).body
    assert "Log in to give feedback" in body
    assert 'class="feedback-form"' not in body


def test_logged_in_user_posts_through_the_form(app):
    """The form (with a CSRF token and a honeypot) records feedback and goes back."""
    portal = make_portal()
    client = login(app, portal.plain)
    page = client.get(_dataset_url(portal)).body
    assert 'name="website_confirm"' in page
    response = client.post(f"{_dataset_url(portal)}/feedback", data={
        "_csrf_token": csrf_token(page), "kind": "problem", "body": "Ligne 3 fausse",
        "rating": "2", "website_confirm": ""}, follow_redirects=False)
    assert response.status_code == 302
    item = model.Session.query(Feedback).filter_by(body="Ligne 3 fausse").one()
    assert (item.kind, item.rating, item.author_id) == ("problem", 2, portal.plain["id"])


def test_form_without_csrf_token_is_refused(app):
    """A feedback post without the CSRF token records nothing."""
    portal = make_portal()
    response = login(app, portal.plain).post(f"{_dataset_url(portal)}/feedback", data={
        "kind": "question", "body": "Sans jeton"})
    assert response.status_code in (400, 403)
    assert model.Session.query(Feedback).filter_by(body="Sans jeton").count() == 0


def test_form_errors_are_flashed_not_a_500(app):
    """A bad kind comes back to the dataset page with the error, not a server error."""
    portal = make_portal()
    client = login(app, portal.plain)
    page = client.get(_dataset_url(portal)).body
    response = client.post(f"{_dataset_url(portal)}/feedback", data={
        "_csrf_token": csrf_token(page), "kind": "nonsense", "body": "x"},
        follow_redirects=True)
    assert response.status_code == 200
    assert "Unknown kind of feedback" in response.body


def test_anonymous_post_is_refused_when_off(app):
    """Anonymous posting, when off, is forbidden and records nothing."""
    portal = make_portal()
    client = app.test_client()
    page = client.get(_dataset_url(portal)).body
    response = client.post(f"{_dataset_url(portal)}/feedback", data={
        "_csrf_token": csrf_token(page), "kind": "question", "body": "Anonyme"})
    assert response.status_code == 403
    assert model.Session.query(Feedback).filter_by(body="Anonyme").count() == 0


@pytest.mark.ckan_config("ckanext.reuse_tracker.feedback_anonymous", True)
@pytest.mark.ckan_config("ckanext.reuse_tracker.feedback_rate_limit", 1)
def test_anonymous_form_past_the_rate_limit_gets_429(app):
    """When allowed, anonymous posts go through the form until the address's limit."""
    portal = make_portal()
    client = app.test_client()
    page = client.get(_dataset_url(portal)).body
    assert 'name="author_name"' in page
    # An address of its own (IPv6 documentation range, 64 random bits): the limiter's
    # counters outlive the test in Redis, and 250 addresses once met a previous run's.
    suffix = uuid.uuid4().hex[:16]
    address = {"REMOTE_ADDR": "2001:db8::" + ":".join(suffix[i:i + 4] for i in range(0, 16, 4))}
    data = {"_csrf_token": csrf_token(page), "kind": "question", "body": "Anonyme",
            "author_name": "Camille"}
    first = client.post(f"{_dataset_url(portal)}/feedback", data=data,
                        environ_overrides=address, follow_redirects=False)
    assert first.status_code == 302
    second = client.post(f"{_dataset_url(portal)}/feedback", data=data,
                         environ_overrides=address)
    assert second.status_code == 429
    assert model.Session.query(Feedback).filter_by(body="Anonyme").count() == 1


def test_inbox_is_for_those_who_edit_datasets(app):
    """An anonymous visitor is sent to the login page (and back); a user who edits no
    dataset is refused; neither has the inbox in the menu, an editor has."""
    portal = make_portal()
    response = app.get("/feedback/inbox", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]
    assert "came_from=" in response.headers["Location"]
    plain = login(app, portal.plain)
    assert plain.get("/feedback/inbox").status_code == 403
    assert 'href="/feedback/inbox"' not in plain.get("/dataset/").body
    assert 'href="/feedback/inbox"' in login(app, portal.editor).get("/dataset/").body


def test_inbox_lists_feedback_highlights_overdue_and_shows_figures(app):
    """The editor's inbox lists feedback, marks overdue items and shows response figures."""
    portal = make_portal()
    Feedback.get(portal.feedback["id"]).created = dt.datetime(2020, 1, 1)
    model.Session.commit()
    body = login(app, portal.editor).get("/feedback/inbox").body
    assert "Les montants sont-ils en euros ?" in body
    assert "feedback-overdue" in body
    assert "Response target: 15 days" in body
    assert "direction-des-finances" in body


def test_inbox_filters_by_state(app):
    """The state filter keeps only matching feedback."""
    portal = make_portal()
    post(portal.plain, portal.dataset["id"], body="Deuxième question")
    helpers.call_action("feedback_update_status", as_user(portal.editor),
                        id=portal.feedback["id"], state="resolved")
    body = login(app, portal.editor).get("/feedback/inbox?state=resolved").body
    assert "Les montants sont-ils en euros ?" in body
    assert "Deuxième question" not in body


@pytest.mark.ckan_config("ckanext.reuse_tracker.feedback_per_page", 1)
def test_inbox_pages_keep_the_filters(app):
    """With one item per page, the second page shows the older item and the pager keeps filters."""
    portal = make_portal()
    Feedback.get(portal.feedback["id"]).created = dt.datetime(2020, 1, 1)
    model.Session.commit()
    post(portal.plain, portal.dataset["id"], body="Plus récente")
    client = login(app, portal.editor)
    first = client.get("/feedback/inbox?kind=question").body
    second = client.get("/feedback/inbox?kind=question&page=2").body
    assert "Plus récente" in first and "Les montants sont-ils en euros ?" not in first
    assert "Les montants sont-ils en euros ?" in second
    assert "kind=question" in first and "page=2" in first


def test_inbox_with_a_bad_filter_is_a_400(app):
    """An unknown state in the inbox filter is a bad request, not a 500."""
    portal = make_portal()
    assert login(app, portal.editor).get("/feedback/inbox?state=zzz").status_code == 400


def test_item_page_is_for_the_dataset_editors(app):
    """The handling page is refused to the author and shown to the dataset's editors."""
    portal = make_portal()
    url = f"/feedback/{portal.feedback['id']}"
    assert login(app, portal.author).get(url).status_code == 403
    assert app.get(url).status_code == 403
    page = login(app, portal.editor).get(url).body
    assert csrf_token(page)
    assert "Les montants sont-ils en euros ?" in page


def test_unknown_item_page_is_a_404(app):
    """A feedback id that does not exist is not found for a sysadmin."""
    portal = make_portal()
    assert login(app, portal.sysadmin).get("/feedback/nope").status_code == 404


def test_editor_answers_changes_state_and_adds_a_note_through_the_forms(app):
    """The three handling forms publish an answer, change the state and add a note."""
    portal = make_portal()
    client = login(app, portal.editor)
    url = f"/feedback/{portal.feedback['id']}"
    token = csrf_token(client.get(url).body)
    client.post(f"{url}/respond", data={"_csrf_token": token, "body": "En euros.",
                                       "state": ""})
    client.post(f"{url}/status", data={"_csrf_token": token, "state": "in_progress",
                                      "note": "Vérifier 2019"})
    client.post(f"{url}/note", data={"_csrf_token": token, "body": "Appel au SIG"})
    item = helpers.call_action("feedback_show", as_user(portal.editor),
                               id=portal.feedback["id"])
    assert (item["answer"], item["state"]) == ("En euros.", "in_progress")
    assert [n["body"] for n in item["notes"]] == ["Vérifier 2019", "Appel au SIG"]
    page = client.get(url).body
    assert "Appel au SIG" in page


def test_handling_form_errors_are_flashed(app):
    """An empty answer comes back to the item page with the error."""
    portal = make_portal()
    client = login(app, portal.editor)
    url = f"/feedback/{portal.feedback['id']}"
    token = csrf_token(client.get(url).body)
    response = client.post(f"{url}/respond", data={"_csrf_token": token, "body": " "},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Missing value" in response.body
    assert helpers.call_action("feedback_show", as_user(portal.editor),
                               id=portal.feedback["id"])["answer"] is None


def test_api_create_with_a_token(app, api_headers):
    """The action API takes feedback by API token; a bad rating is a 409 naming the field."""
    portal = make_portal()
    headers = api_headers(portal.plain)
    response = app.post("/api/3/action/feedback_create", headers=headers,
                        json={"package_id": portal.dataset["name"], "kind": "thanks",
                              "body": "Merci !"})
    assert response.status_code == 200
    assert response.json["result"]["state"] == "new"
    response = app.post("/api/3/action/feedback_create", headers=headers,
                        json={"package_id": portal.dataset["name"], "kind": "thanks",
                              "body": "Merci", "rating": "dix"}, status=409)
    assert "rating" in response.json["error"]




def test_the_french_dataset_page_writes_the_average_rating_with_a_comma(app):
    """Ratings of 4 and 5 average "4,5/5" on a French page, not "4.5/5"."""
    portal = make_portal()
    post(portal.plain, portal.dataset["id"], rating=5)
    body = app.get("/fr" + _dataset_url(portal)).body
    assert "4,5/5" in body and "4.5/5" not in body
