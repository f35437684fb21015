"""Data request actions: create, show, list with filters and orders, update, close, votes,
follows and comments."""
from __future__ import annotations

import concurrent.futures

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.reuse_tracker.model.datarequest import (
    DataRequest, DataRequestComment, DataRequestVote)
from tests.reuse_tracker.datarequest_setup import MARKS, as_user, create, make_portal

pytestmark = MARKS

REQUEST_KEYS = {
    "id", "title", "description", "organization_id", "organization_name",
    "organization_title", "theme", "author", "author_name", "state", "reason", "package_id",
    "package_name", "package_title", "closed", "closed_by", "vote_count", "comment_count",
    "follower_count", "voted", "following", "can_edit", "can_moderate", "created", "modified"}


def _call(action, user, **data):
    return helpers.call_action(action, as_user(user), **data)


def _errors(excinfo) -> dict:
    return excinfo.value.error_dict


# -- create ------------------------------------------------------------------------------


def test_create_returns_the_contract_dict():
    """A new request is open, targets the organization by id and is followed by its author."""
    portal = make_portal()
    request = portal.request
    assert REQUEST_KEYS <= set(request)
    assert "author_id" not in request
    assert (request["state"], request["organization_id"], request["organization_title"]) == (
        "open", portal.org["id"], "Ville de Saint-Martin")
    assert (request["author_name"], request["following"], request["follower_count"]) == (
        portal.author["name"], True, 1)
    assert (request["vote_count"], request["comment_count"], request["voted"]) == (0, 0, False)
    assert request["can_edit"] is True and request["can_moderate"] is False


def test_create_takes_the_organization_by_name_and_a_theme():
    """The organization may be named; it is stored as its id, with the theme."""
    portal = make_portal()
    request = create(portal.plain, organization_id=portal.org["name"], theme="health")
    assert (request["organization_id"], request["theme"]) == (portal.org["id"], "health")


def test_create_without_organization():
    """A request may target no organization."""
    portal = make_portal()
    request = create(portal.plain)
    assert request["organization_id"] is None and request["organization_title"] is None


@pytest.mark.parametrize("data, field", [
    ({"title": "ab"}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
    ({"description": "   "}, "description"),
    ({"organization_id": "no-such-org"}, "organization_id"),
    ({"theme": "astrology"}, "theme"),
])
def test_create_rejects_bad_fields(data, field):
    """Each bad field is named in the validation error."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as excinfo:
        create(portal.plain, **data)
    assert field in _errors(excinfo)


@pytest.mark.ckan_config("ckanext.reuse_tracker.datarequest_description_max_length", 100)
def test_create_limits_the_description_to_the_configured_length():
    """A description over the configured maximum is refused."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as excinfo:
        create(portal.plain, description="x" * 101)
    assert "description" in _errors(excinfo)
    assert create(portal.plain, description="x" * 100)["description"] == "x" * 100


def test_create_refuses_a_deleted_organization():
    """A deleted organization cannot be asked."""
    portal = make_portal()
    helpers.call_action("organization_delete", id=portal.other_org["id"])
    with pytest.raises(tk.ValidationError) as excinfo:
        create(portal.plain, organization_id=portal.other_org["id"])
    assert "organization_id" in _errors(excinfo)


def test_the_honeypot_keeps_a_request_as_spam():
    """A filled honeypot field sends the request to spam."""
    portal = make_portal()
    request = create(portal.plain, website_confirm="http://spam.example")
    assert request["state"] == "spam"
    assert DataRequest.get(request["id"]).spam_reason == "honeypot"


def test_spam_words_keep_a_request_as_spam():
    """A spam word in the title sends the request to spam, except from a sysadmin."""
    portal = make_portal()
    assert create(portal.plain, title="Casino en ligne")["state"] == "spam"
    assert create(portal.sysadmin, title="Casino municipal")["state"] == "open"


@pytest.mark.ckan_config("ckanext.reuse_tracker.datarequest_rate_limit", 2)
def test_requests_are_rate_limited_per_user_except_for_sysadmins():
    """A user past the limit gets a rate_limit error; sysadmins are not limited."""
    portal = make_portal()
    create(portal.plain)
    create(portal.plain)
    with pytest.raises(tk.ValidationError) as excinfo:
        create(portal.plain)
    assert "rate_limit" in _errors(excinfo)
    create(portal.editor)  # another user has a counter of their own
    for _ in range(3):
        create(portal.sysadmin)


# -- show --------------------------------------------------------------------------------


def test_show_adds_comments_and_moderator_fields():
    """show gives comments; moderators also get author_id and spam_reason."""
    portal = make_portal()
    _call("datarequest_comment_create", portal.plain, id=portal.request["id"],
          body="Je suis aussi intéressé.")
    shown = _call("datarequest_show", portal.plain, id=portal.request["id"])
    assert [c["body"] for c in shown["comments"]] == ["Je suis aussi intéressé."]
    assert shown["comments"][0]["author_name"] == portal.plain["name"]
    assert "author_id" not in shown
    moderated = _call("datarequest_show", portal.admin, id=portal.request["id"])
    assert moderated["author_id"] == portal.author["id"]
    assert moderated["can_moderate"] is True and "spam_reason" in moderated


def test_show_of_an_unknown_request_is_not_found():
    """An unknown id is ObjectNotFound."""
    make_portal()
    with pytest.raises(tk.ObjectNotFound):
        _call("datarequest_show", None, id="nope")


# -- list --------------------------------------------------------------------------------


def _ids(result):
    return [row["id"] for row in result["results"]]


def test_list_sorts_by_votes_then_newest():
    """The default order is the most voted first, then the newest."""
    portal = make_portal()
    second = create(portal.plain, title="Défibrillateurs")
    third = create(portal.editor, title="Bornes de recharge")
    _call("datarequest_vote", portal.plain, id=portal.request["id"])
    result = _call("datarequest_list", None)
    assert result["count"] == 3
    assert _ids(result) == [portal.request["id"], third["id"], second["id"]]
    assert "comments" not in result["results"][0]


def test_list_other_orders():
    """newest, comments and updated orders."""
    portal = make_portal()
    second = create(portal.plain, title="Défibrillateurs")
    _call("datarequest_comment_create", portal.plain, id=portal.request["id"], body="+1 !")
    assert _ids(_call("datarequest_list", None, sort="newest")) == [
        second["id"], portal.request["id"]]
    assert _ids(_call("datarequest_list", None, sort="comments"))[0] == portal.request["id"]
    assert _ids(_call("datarequest_list", None, sort="updated"))[0] == portal.request["id"]
    with pytest.raises(tk.ValidationError) as excinfo:
        _call("datarequest_list", None, sort="random")
    assert "sort" in _errors(excinfo)


def test_list_filters():
    """q, organization, theme, author, state, mine and followed filter the list."""
    portal = make_portal()
    other = create(portal.plain, title="Emplacements des défibrillateurs", theme="health",
                   organization_id=portal.other_org["name"],
                   description="Avec les horaires d'accès 100% publics.")
    _call("datarequest_update", portal.other_admin, id=other["id"], state="planned")
    ids = lambda **data: _ids(_call("datarequest_list", portal.plain, **data))  # noqa: E731
    assert ids(q="DÉFIBRILLATEURS") == [other["id"]]
    assert ids(q="100%") == [other["id"]]
    assert sorted(ids(q="horaires")) == sorted([portal.request["id"], other["id"]])
    assert ids(organization=portal.org["name"]) == [portal.request["id"]]
    assert ids(organization=portal.other_org["id"]) == [other["id"]]
    assert ids(organization="unknown") == []
    assert ids(theme="health") == [other["id"]]
    assert ids(author=portal.author["name"]) == [portal.request["id"]]
    assert ids(author=portal.plain["id"]) == [other["id"]]
    assert ids(state="planned") == [other["id"]]
    assert ids(state="open") == [portal.request["id"]]
    assert sorted(ids(state="pending")) == sorted([portal.request["id"], other["id"]])
    assert ids(mine=True) == [other["id"]]
    _call("datarequest_follow", portal.plain, id=portal.request["id"])
    assert sorted(ids(followed=True)) == sorted([portal.request["id"], other["id"]])
    assert _ids(_call("datarequest_list", None, mine=True)) == []
    with pytest.raises(tk.ValidationError) as excinfo:
        _call("datarequest_list", None, state="closed")
    assert "state" in _errors(excinfo)


def test_list_by_answering_dataset():
    """package_id lists the requests answered by that dataset."""
    portal = make_portal()
    create(portal.plain)
    _call("datarequest_close", portal.admin, id=portal.request["id"], state="published",
          package_id=portal.dataset["name"])
    assert _ids(_call("datarequest_list", None, package_id=portal.dataset["id"])) == [
        portal.request["id"]]


def test_list_pages():
    """limit and offset page the list; count covers every page; limit is capped at 100."""
    portal = make_portal()
    for number in range(3):
        create(portal.sysadmin, title=f"Demande numéro {number}")
    first = _call("datarequest_list", None, sort="newest", limit=2)
    second = _call("datarequest_list", None, sort="newest", limit=2, offset=2)
    assert (first["count"], len(first["results"]), len(second["results"])) == (4, 2, 2)
    assert not set(_ids(first)) & set(_ids(second))
    assert len(_call("datarequest_list", None, limit=500)["results"]) == 4


@pytest.mark.ckan_config("ckanext.reuse_tracker.datarequest_per_page", 2)
def test_list_default_page_size_is_configured():
    """Without limit, the configured page size applies."""
    portal = make_portal()
    for number in range(2):
        create(portal.sysadmin, title=f"Demande numéro {number}")
    result = _call("datarequest_list", None)
    assert (result["count"], len(result["results"])) == (3, 2)


# -- update ------------------------------------------------------------------------------


def test_the_author_edits_an_open_request():
    """The author changes the title, description, theme and organization."""
    portal = make_portal()
    updated = _call("datarequest_update", portal.author, id=portal.request["id"],
                    title="Horaires des piscines", theme="culture_and_recreation",
                    organization_id=portal.other_org["name"])
    assert (updated["title"], updated["theme"], updated["organization_id"]) == (
        "Horaires des piscines", "culture_and_recreation", portal.other_org["id"])
    assert updated["description"] == portal.request["description"]
    cleared = _call("datarequest_update", portal.author, id=portal.request["id"],
                    organization_id="", theme="")
    assert (cleared["organization_id"], cleared["theme"]) == (None, None)


def test_update_rejects_bad_fields():
    """A bad title, organization or theme is named."""
    portal = make_portal()
    for data, field in (({"title": "x"}, "title"), ({"organization_id": "nope"},
                        "organization_id"), ({"theme": "nope"}, "theme")):
        with pytest.raises(tk.ValidationError) as excinfo:
            _call("datarequest_update", portal.author, id=portal.request["id"], **data)
        assert field in _errors(excinfo)


def test_a_state_change_is_recorded_as_a_comment():
    """A moderator's status change is a comment 'old>new' with its text."""
    portal = make_portal()
    updated = _call("datarequest_update", portal.admin, id=portal.request["id"],
                    state="under_review", comment="Nous regardons.")
    assert updated["state"] == "under_review"
    (comment,) = updated["comments"]
    assert (comment["state_change"], comment["body"], comment["author_name"]) == (
        "open>under_review", "Nous regardons.", portal.admin["name"])
    assert updated["comment_count"] == 1
    silent = _call("datarequest_update", portal.admin, id=portal.request["id"],
                   state="planned")
    assert silent["comment_count"] == 1  # a change without text is not a comment
    assert [c["state_change"] for c in silent["comments"]] == [
        "open>under_review", "under_review>planned"]


def test_update_cannot_publish_or_decline():
    """published and declined go through datarequest_close."""
    portal = make_portal()
    for state in ("published", "declined", "closed"):
        with pytest.raises(tk.ValidationError) as excinfo:
            _call("datarequest_update", portal.admin, id=portal.request["id"], state=state)
        assert "state" in _errors(excinfo)


def test_reopening_a_closed_request_clears_its_answer():
    """Moving a declined request back to open clears its reason and closing."""
    portal = make_portal()
    _call("datarequest_close", portal.admin, id=portal.request["id"], state="declined",
          reason="Données inexistantes.")
    reopened = _call("datarequest_update", portal.admin, id=portal.request["id"],
                     state="open")
    assert (reopened["state"], reopened["reason"], reopened["closed"]) == ("open", None, None)


# -- close -------------------------------------------------------------------------------


def test_publish_links_the_dataset():
    """Publishing stores the dataset by id and records who closed the request."""
    portal = make_portal()
    closed = _call("datarequest_close", portal.admin, id=portal.request["id"],
                   state="published", package_id=portal.dataset["name"], comment="Voilà.")
    assert (closed["state"], closed["package_id"], closed["package_name"]) == (
        "published", portal.dataset["id"], portal.dataset["name"])
    assert closed["package_title"] == "Équipements sportifs"
    assert closed["closed"] and closed["closed_by"] == portal.admin["fullname"]
    assert closed["comments"][-1]["state_change"] == "open>published"


@pytest.mark.parametrize("data, field", [
    ({"state": "published"}, "package_id"),
    ({"state": "published", "package_id": "no-such-dataset"}, "package_id"),
    ({"state": "declined"}, "reason"),
    ({"state": "open"}, "state"),
])
def test_close_requires_its_fields(data, field):
    """Publishing needs a dataset, declining a reason; only those two states."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as excinfo:
        _call("datarequest_close", portal.admin, id=portal.request["id"], **data)
    assert field in _errors(excinfo)
    assert DataRequest.get(portal.request["id"]).state == "open"


def test_publish_with_a_dataset_the_actor_cannot_read_is_refused():
    """An admin of another organization cannot answer with a private dataset of ours."""
    portal = make_portal()
    request = create(portal.plain, organization_id=portal.other_org["id"])
    with pytest.raises(tk.ValidationError) as excinfo:
        _call("datarequest_close", portal.other_admin, id=request["id"], state="published",
              package_id=portal.private["id"])
    assert "package_id" in _errors(excinfo)


def test_decline_keeps_the_public_reason():
    """A declined request shows its reason to everyone."""
    portal = make_portal()
    _call("datarequest_close", portal.admin, id=portal.request["id"], state="declined",
          reason="Ces données relèvent du département.")
    shown = _call("datarequest_show", None, id=portal.request["id"])
    assert (shown["state"], shown["reason"]) == (
        "declined", "Ces données relèvent du département.")


# -- votes -------------------------------------------------------------------------------


def test_a_user_votes_once():
    """A second vote by the same user changes nothing."""
    portal = make_portal()
    first = _call("datarequest_vote", portal.plain, id=portal.request["id"])
    second = _call("datarequest_vote", portal.plain, id=portal.request["id"], vote=True)
    assert first == second == {"id": portal.request["id"], "vote_count": 1, "voted": True}
    assert model.Session.query(DataRequestVote).count() == 1
    shown = _call("datarequest_show", portal.plain, id=portal.request["id"])
    assert (shown["vote_count"], shown["voted"]) == (1, True)


def test_a_vote_is_withdrawn():
    """vote=False withdraws the user's vote, and only theirs."""
    portal = make_portal()
    _call("datarequest_vote", portal.plain, id=portal.request["id"])
    _call("datarequest_vote", portal.editor, id=portal.request["id"])
    result = _call("datarequest_vote", portal.plain, id=portal.request["id"], vote=False)
    assert result == {"id": portal.request["id"], "vote_count": 1, "voted": False}
    again = _call("datarequest_vote", portal.plain, id=portal.request["id"], vote=False)
    assert again["vote_count"] == 1


def test_no_vote_on_a_closed_request():
    """Votes are refused once the request is declined or published."""
    portal = make_portal()
    _call("datarequest_close", portal.admin, id=portal.request["id"], state="declined",
          reason="Non.")
    with pytest.raises(tk.ValidationError) as excinfo:
        _call("datarequest_vote", portal.plain, id=portal.request["id"])
    assert "vote" in _errors(excinfo)


def test_concurrent_votes_keep_the_count_exact(app):
    """Votes by several users at once leave vote_count equal to the vote rows."""
    portal = make_portal()
    voters = [factories.User() for _ in range(6)]
    request_id = portal.request["id"]
    model.Session.remove()

    def vote(user):
        # Each thread has a session (and a database connection) of its own.
        with app.flask_app.test_request_context():
            try:
                return helpers.call_action("datarequest_vote", as_user(user), id=request_id)
            finally:
                model.Session.remove()

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(vote, voters + voters))
    request = DataRequest.get(request_id)
    assert request.vote_count == 6
    assert model.Session.query(DataRequestVote).filter_by(
        datarequest_id=request_id).count() == 6


# -- follows -----------------------------------------------------------------------------


def test_follow_and_unfollow():
    """follow adds the user to the followers once; follow=False removes them."""
    portal = make_portal()
    assert _call("datarequest_follow", portal.plain, id=portal.request["id"]) == {
        "id": portal.request["id"], "following": True, "follower_count": 2}
    assert _call("datarequest_follow", portal.plain, id=portal.request["id"])[
        "follower_count"] == 2
    assert _call("datarequest_follow", portal.author, id=portal.request["id"],
                 follow=False) == {"id": portal.request["id"], "following": False,
                                   "follower_count": 1}
    shown = _call("datarequest_show", portal.plain, id=portal.request["id"])
    assert (shown["following"], shown["follower_count"]) == (True, 1)


# -- comments ----------------------------------------------------------------------------


def test_a_comment_is_counted_and_its_author_follows():
    """A comment returns its dict, counts, and makes its author a follower."""
    portal = make_portal()
    comment = _call("datarequest_comment_create", portal.plain, id=portal.request["id"],
                    body="  Utile pour notre association.  ")
    assert set(comment) == {"id", "author", "author_name", "body", "state_change", "state",
                            "created", "can_delete"}
    assert (comment["body"], comment["state"], comment["can_delete"]) == (
        "Utile pour notre association.", "active", True)
    shown = _call("datarequest_show", portal.plain, id=portal.request["id"])
    assert (shown["comment_count"], shown["following"]) == (1, True)


def test_comment_body_is_required_and_bounded():
    """An empty or too long comment is refused on body."""
    portal = make_portal()
    for body in ("   ", "x" * 5001):
        with pytest.raises(tk.ValidationError) as excinfo:
            _call("datarequest_comment_create", portal.plain, id=portal.request["id"],
                  body=body)
        assert "body" in _errors(excinfo)


def test_a_spam_comment_is_hidden_and_not_counted():
    """A comment with a spam word is kept as spam, unseen and uncounted, but moderators see it."""
    portal = make_portal()
    comment = _call("datarequest_comment_create", portal.plain, id=portal.request["id"],
                    body="Gagnez au casino")
    assert comment["state"] == "spam"
    public = _call("datarequest_show", portal.plain, id=portal.request["id"])
    assert (public["comments"], public["comment_count"]) == ([], 0)
    moderated = _call("datarequest_show", portal.admin, id=portal.request["id"])
    assert [c["state"] for c in moderated["comments"]] == ["spam"]


def test_moderators_comments_skip_the_spam_heuristics():
    """An organization admin's comment with many links stays active."""
    portal = make_portal()
    comment = _call("datarequest_comment_create", portal.admin, id=portal.request["id"],
                    body="Voir http://a.fr http://b.fr http://c.fr http://d.fr")
    assert comment["state"] == "active"


@pytest.mark.ckan_config("ckanext.reuse_tracker.datarequest_rate_limit", 1)
def test_comments_are_rate_limited_per_user():
    """A second comment within the window is refused for a plain user."""
    portal = make_portal()
    _call("datarequest_comment_create", portal.plain, id=portal.request["id"], body="Un.")
    with pytest.raises(tk.ValidationError) as excinfo:
        _call("datarequest_comment_create", portal.plain, id=portal.request["id"], body="Deux.")
    assert "rate_limit" in _errors(excinfo)


def test_deleting_a_comment_hides_it_and_recounts():
    """A deleted comment is gone for the public and the count drops."""
    portal = make_portal()
    comment = _call("datarequest_comment_create", portal.plain, id=portal.request["id"],
                    body="À supprimer.")
    result = _call("datarequest_comment_delete", portal.plain, id=portal.request["id"],
                   comment_id=comment["id"])
    assert (result["comments"], result["comment_count"]) == ([], 0)
    assert model.Session.get(DataRequestComment, comment["id"]).state == "deleted"
    moderated = _call("datarequest_show", portal.admin, id=portal.request["id"])
    assert [c["state"] for c in moderated["comments"]] == ["deleted"]
    assert moderated["comments"][0]["can_delete"] is False


def test_deleting_an_unknown_comment_is_not_found():
    """A comment id of another request is ObjectNotFound."""
    portal = make_portal()
    other = create(portal.plain)
    comment = _call("datarequest_comment_create", portal.plain, id=other["id"], body="Ici.")
    with pytest.raises(tk.ObjectNotFound):
        _call("datarequest_comment_delete", portal.sysadmin, id=portal.request["id"],
              comment_id=comment["id"])
