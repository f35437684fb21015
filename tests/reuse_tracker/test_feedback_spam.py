"""Spam defences: honeypot, link count, word list, anonymous rate limit, the spam state."""
from __future__ import annotations

import uuid

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.reuse_tracker import feedback_spam
from ckanext.reuse_tracker.model.feedback import Feedback
from tests.shared import as_user
from tests.reuse_tracker.feedback_setup import MARKS, make_portal, post

pytestmark = MARKS


@pytest.fixture
def anonymous_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anonymous feedback allowed."""
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.feedback_anonymous", True)


def _anonymous(package_id: str, ip: str, **data):
    data.setdefault("kind", "question")
    data.setdefault("body", "Bonjour, une question.")
    return helpers.call_action("feedback_create", as_user(None, client_ip=ip),
                               package_id=package_id, **data)


def _reason(item) -> str | None:
    return Feedback.get(item["id"]).spam_reason


def _ip() -> str:
    # A fresh address per test: the rate-limit counters live in Redis across tests.
    return f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:8]}"


def test_count_links_counts_urls_and_bare_domains():
    """Links are counted whether written as URLs, www. hosts or bare domains."""
    assert feedback_spam.count_links("voir https://a.fr/x et www.b.fr et promo.com") == 3
    assert feedback_spam.count_links("la colonne 3.5 est fausse") == 0


def test_too_many_links_goes_to_spam():
    """A post with more links than allowed is kept in the spam state."""
    portal = make_portal()
    item = post(portal.plain, portal.dataset["id"],
                body="http://a.example http://b.example http://c.example")
    assert (item["state"], _reason(item)) == ("spam", "links")


def test_a_configured_word_goes_to_spam_whole_words_only(monkeypatch):
    """A word of feedback_spam_words sends the post to spam, not as part of another word."""
    portal = make_portal()
    assert _reason(post(portal.plain, portal.dataset["id"],
                        body="Meilleur CASINO en ligne")) == "word:casino"
    assert post(portal.plain, portal.dataset["id"], body="Les casinotiers ?")["state"] == "new"
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.feedback_spam_words",
                        ["pharmacie"])
    assert post(portal.plain, portal.dataset["id"], body="Pharmacie pas chère")[
        "state"] == "spam"
    assert post(portal.plain, portal.dataset["id"], body="casino")["state"] == "new"


def test_the_dataset_editors_are_not_filtered():
    """The dataset's editors may post links freely (they answer with sources)."""
    portal = make_portal()
    item = post(portal.editor, portal.dataset["id"],
                body="https://a.example https://b.example https://c.example")
    assert item["state"] == "new"


def test_honeypot_goes_to_spam_without_telling_why():
    """A filled-in honeypot field sends the post to spam; the poster is not told why."""
    portal = make_portal()
    item = post(portal.plain, portal.dataset["id"], website_confirm="http://bot.example")
    assert (item["state"], _reason(item)) == ("spam", "honeypot")
    assert "spam_reason" not in item


def test_spam_is_hidden_from_the_public_list_and_rating():
    """Spam neither shows in the dataset's public list nor counts its rating."""
    portal = make_portal()
    spam = post(portal.plain, portal.dataset["id"], body="casino", rating=1)
    public = helpers.call_action("feedback_list", as_user(None),
                                 package_id=portal.dataset["id"])
    assert spam["id"] not in [i["id"] for i in public["results"]]
    assert (public["rating_average"], public["rating_count"]) == (4.0, 1)
    inbox = helpers.call_action("feedback_list", as_user(portal.editor), state="spam")
    assert [i["id"] for i in inbox["results"]] == [spam["id"]]


def test_anonymous_post_is_signed_and_cannot_rate(anonymous_on):
    """An anonymous post is kept, signed with the given name; a rating needs a login."""
    portal = make_portal()
    item = _anonymous(portal.dataset["id"], _ip(), author_name="Camille")
    assert (item["state"], item["author"]) == ("new", "Camille")
    assert Feedback.get(item["id"]).author_id is None
    with pytest.raises(tk.ValidationError) as error:
        _anonymous(portal.dataset["id"], _ip(), rating=5)
    assert "rating" in error.value.error_dict


def test_anonymous_rate_limit_per_address(anonymous_on, monkeypatch):
    """Past the limit an address is refused, while another address may still post."""
    portal = make_portal()
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.feedback_rate_limit", 2)
    ip = _ip()
    _anonymous(portal.dataset["id"], ip)
    _anonymous(portal.dataset["id"], ip)
    with pytest.raises(tk.ValidationError) as error:
        _anonymous(portal.dataset["id"], ip)
    assert "rate_limit" in error.value.error_dict
    assert _anonymous(portal.dataset["id"], _ip())["state"] == "new"


def test_logged_in_users_are_not_rate_limited(monkeypatch):
    """The per-address limit applies to anonymous posts only."""
    portal = make_portal()
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.feedback_rate_limit", 1)
    for _ in range(3):
        assert post(portal.plain, portal.dataset["id"])["state"] == "new"
