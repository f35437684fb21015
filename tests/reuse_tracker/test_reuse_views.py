"""The reuse pages: gallery, reuse page, moderation queue, deletion, and their errors."""
from __future__ import annotations

import json
from typing import Any

from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import helpers

from ckanext.reuse_tracker.model import Reuse
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import (MARKS, image_bytes, make_portal, published,
                                             submit, upload)

pytestmark = MARKS


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _card_titles(response: Any) -> list[str]:
    return [card.select_one(".reuse-card-title").get_text(strip=True)
            for card in _soup(response).select("li.reuse-card")]


def test_gallery_lists_published_reuses_with_type_and_dataset_count(app):
    """The gallery shows a published reuse's card (type label, title, datasets) but no pending one."""
    portal = make_portal()
    published(portal, [portal.public, portal.second], title="Carte des arbres", type="visualization")
    submit(portal.submitter, [portal.public], title="Application en attente")
    soup = _soup(app.get("/reuses"))
    cards = soup.select("li.reuse-card")
    assert [card.select_one(".reuse-card-title").get_text(strip=True) for card in cards] == [
        "Carte des arbres"]
    assert cards[0].select_one(".reuse-type").get_text(strip=True) == "Visualization"
    assert cards[0].select_one(".reuse-card-count").get_text(strip=True) == "2 datasets"


def test_gallery_filters_by_type_topic_and_organization(app):
    """Each filter of the gallery keeps only the matching reuses."""
    portal = make_portal()
    published(portal, [portal.public], title="Appli budget", type="application",
              topic="economy_and_business")
    published(portal, [portal.other], title="Article vélos", type="news_article",
              topic="transport_and_mobility")
    assert _card_titles(app.get("/reuses?type=news_article")) == ["Article vélos"]
    assert _card_titles(app.get("/reuses?topic=economy_and_business")) == ["Appli budget"]
    assert _card_titles(app.get("/reuses?organization=metropole")) == ["Article vélos"]


def test_gallery_search_box_matches_title_and_description(app):
    """The search box keeps the reuses whose text matches."""
    portal = make_portal()
    published(portal, title="Carte des budgets", description="Les dépenses par quartier")
    published(portal, title="Observatoire", description="Suivi des plantations d'arbres")
    assert _card_titles(app.get("/reuses?q=plantations")) == ["Observatoire"]


def test_gallery_sorts_by_most_datasets_and_puts_featured_first(app):
    """Sorting by datasets puts the widest reuse first, after the featured ones."""
    portal = make_portal()
    published(portal, [portal.public], title="Une seule source")
    published(portal, [portal.public, portal.second, portal.other], title="Trois sources")
    featured = published(portal, [portal.second], title="A la une")
    helpers.call_action("reuse_update", as_user(portal.sysadmin), id=featured["id"],
                        featured=True)
    response = app.get("/reuses?sort=datasets")
    assert _card_titles(response) == ["A la une", "Trois sources", "Une seule source"]
    assert "reuse-featured" in _soup(response).select("li.reuse-card")[0]["class"]


def test_gallery_pages_by_twelve(app):
    """Thirteen reuses make two pages: the second shows one card and a link back."""
    portal = make_portal()
    for number in range(13):
        helpers.call_action("reuse_create", as_user(portal.sysadmin), title=f"Reuse {number:02d}",
                            url=f"https://pages.example.org/{number}", type="other",
                            datasets=[portal.public["id"]])
    first = app.get("/reuses?sort=title")
    assert len(_card_titles(first)) == 12
    assert _soup(first).select_one("a[rel=next]")["href"] == "/reuses?page=2&sort=title"
    second = app.get("/reuses?sort=title&page=2")
    assert _card_titles(second) == ["Reuse 12"]
    assert _soup(second).select_one("a[rel=prev]") is not None


def test_reuse_page_shows_description_link_datasets_and_submitter(app):
    """The reuse page renders the Markdown, links out with nofollow, lists the datasets."""
    portal = make_portal()
    reuse = published(portal, [portal.public, portal.second], title="Carte des budgets",
                      description="Une **carte** interactive.",
                      url="https://carte.example.org/budgets")
    soup = _soup(app.get(f"/reuses/{reuse['name']}"))
    assert soup.select_one("h1.reuse-title").get_text(strip=True) == "Carte des budgets"
    assert soup.select_one(".reuse-description strong").get_text() == "carte"
    link = soup.select_one("a.reuse-link-out")
    assert link["href"] == "https://carte.example.org/budgets"
    assert set(link["rel"]) == {"nofollow", "noopener", "ugc"}
    assert {a["href"] for a in soup.select(".reuse-datasets a")} == {
        "/dataset/budget-primitif", "/dataset/arbres-urbains"}
    assert soup.select_one(".reuse-submitter").get_text(strip=True) == \
        portal.submitter["display_name"]


def test_reuse_page_carries_creativework_json_ld(app):
    """The page embeds a schema.org CreativeWork naming the reuse and the datasets it is based on."""
    portal = make_portal()
    reuse = published(portal, [portal.public], title="Carte des budgets")
    soup = _soup(app.get(f"/reuses/{reuse['name']}"))
    data = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "CreativeWork"
    assert data["name"] == "Carte des budgets"
    assert data["url"] == reuse["url"]
    assert [item["name"] for item in data["isBasedOn"]] == ["Budget primitif"]


def test_unknown_reuse_is_a_404(app):
    """A reuse that does not exist answers 404."""
    make_portal()
    assert app.get("/reuses/no-such-reuse").status_code == 404


def test_pending_reuse_is_404_to_others_and_shown_with_a_banner_to_its_submitter(app, api_headers):
    """A pending reuse is hidden (404) from visitors and other users, bannered for its submitter."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    url = f"/reuses/{reuse['name']}"
    assert app.get(url).status_code == 404
    assert app.get(url, headers=api_headers(portal.plain)).status_code == 404
    soup = _soup(app.get(url, headers=api_headers(portal.submitter)))
    assert soup.select_one(".reuse-state-pending") is not None
    assert soup.select_one(".reuse-moderate-form") is None


def test_rejected_reuse_shows_the_moderators_comment_to_its_submitter(app, api_headers):
    """The submitter of a rejected reuse sees the rejection and the moderator's comment."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    helpers.call_action("reuse_moderate", as_user(portal.admin), id=reuse["id"],
                        decision="reject", comment="Le lien ne montre pas nos données.")
    soup = _soup(app.get(f"/reuses/{reuse['name']}", headers=api_headers(portal.submitter)))
    assert soup.select_one(".reuse-state-rejected .reuse-moderation-comment").get_text() == \
        "Le lien ne montre pas nos données."


def test_broken_link_banner_is_shown_to_moderators_only(app, api_headers):
    """After three failed link checks moderators see "broken link"; anonymous visitors do not."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    row = Reuse.get(reuse["id"])
    row.link_failures = 3
    row.link_status = "HTTP 500"
    model.Session.commit()
    url = f"/reuses/{reuse['name']}"
    banner = _soup(app.get(url, headers=api_headers(portal.admin))).select_one(".reuse-link-broken")
    assert banner is not None and "HTTP 500" in banner.get_text()
    assert _soup(app.get(url)).select_one(".reuse-link-broken") is None


def test_reuse_page_offers_moderators_a_link_check_and_not_visitors(app, api_headers):
    """Moderators get a "check the link now" form (with CSRF) on a published reuse; visitors do not."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    url = f"/reuses/{reuse['name']}"
    form = _soup(app.get(url, headers=api_headers(portal.admin))).select_one(
        "form.reuse-link-check-form")
    assert form is not None and form["action"] == f"/reuses/{reuse['name']}/check-link"
    assert form.select_one("input[name=_csrf_token]") is not None
    assert _soup(app.get(url)).select_one("form.reuse-link-check-form") is None


def test_gallery_links_to_the_statistics_page(app):
    """The gallery links to /reuses/stats."""
    make_portal()
    link = _soup(app.get("/reuses")).select_one("a.reuse-stats-link")
    assert link is not None and link["href"] == "/reuses/stats"


def test_moderation_queue_lists_what_the_org_admin_may_moderate_and_explains_the_rule(
        app, api_headers):
    """An org admin's queue holds the pending reuse of its data; another org's admin's does not."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public], title="Carte à valider")
    soup = _soup(app.get("/reuses/moderation", headers=api_headers(portal.admin)))
    assert [item["data-reuse"] for item in soup.select(".reuse-queue-item")] == [reuse["name"]]
    assert "admins of every organization" in soup.select_one(".reuse-moderation-rule").get_text()
    other = _soup(app.get("/reuses/moderation", headers=api_headers(portal.other_admin)))
    assert other.select(".reuse-queue-item") == []


def test_moderation_queue_sends_anonymous_visitors_to_log_in(app):
    """An anonymous visitor asking for the queue is redirected to the login page."""
    make_portal()
    response = app.get("/reuses/moderation", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_publishing_from_the_queue_makes_the_reuse_public(app, api_headers):
    """The publish button of the queue publishes the reuse: anonymous visitors then see it."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    response = app.post(f"/reuses/{reuse['name']}/moderate", headers=api_headers(portal.admin),
                        data={"decision": "publish", "comment": "", "from": "queue"},
                        follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reuses/moderation")
    assert app.get(f"/reuses/{reuse['name']}").status_code == 200


def test_rejecting_without_a_comment_shows_the_error_next_to_the_comment(app, api_headers):
    """A rejection without a comment re-renders the queue with the error on the comment field."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    response = app.post(f"/reuses/{reuse['name']}/moderate", headers=api_headers(portal.admin),
                        data={"decision": "reject", "comment": "", "from": "queue"})
    assert response.status_code == 200
    form = _soup(response).select_one(f"#reuse-moderate-{reuse['name']}")
    assert form.select_one(".error-block") is not None
    reuse = helpers.call_action("reuse_show", as_user(portal.sysadmin), id=reuse["id"])
    assert reuse["state"] == "pending"


def test_moderating_is_forbidden_to_a_plain_user(app, api_headers):
    """A user who moderates nothing gets a 403 when posting a decision."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    response = app.post(f"/reuses/{reuse['name']}/moderate", headers=api_headers(portal.plain),
                        data={"decision": "reject", "comment": "Non"})
    assert response.status_code == 403


def test_delete_asks_for_confirmation_then_deletes(app, api_headers):
    """The delete page asks to confirm (a POST form with CSRF token); posting it deletes the reuse."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    headers = api_headers(portal.submitter)
    soup = _soup(app.get(f"/reuses/{reuse['name']}/delete", headers=headers))
    form = soup.select_one("#reuse-delete-form")
    assert form["method"] == "post" and form.select_one("input[name=_csrf_token]")
    assert app.get(f"/reuses/{reuse['name']}").status_code == 200
    response = app.post(f"/reuses/{reuse['name']}/delete", headers=headers,
                        follow_redirects=False)
    assert response.status_code == 302
    assert app.get(f"/reuses/{reuse['name']}").status_code == 404


def test_delete_is_forbidden_to_another_user(app, api_headers):
    """A user who neither submitted nor moderates the reuse gets a 403 and the reuse stays."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    response = app.post(f"/reuses/{reuse['name']}/delete", headers=api_headers(portal.plain))
    assert response.status_code == 403
    assert app.get(f"/reuses/{reuse['name']}").status_code == 200


def test_edit_and_delete_buttons_only_for_who_may_use_them(app, api_headers):
    """The submitter sees the edit and delete buttons on the reuse page; another user does not."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    url = f"/reuses/{reuse['name']}"
    mine = _soup(app.get(url, headers=api_headers(portal.submitter)))
    assert mine.select_one(f"a[href='/reuses/{reuse['name']}/edit']") is not None
    theirs = _soup(app.get(url, headers=api_headers(portal.plain)))
    assert theirs.select(".reuse-page-actions a") == []


def test_stored_image_is_served_and_other_names_are_404(app):
    """An uploaded image is served with nosniff; names outside the image folder answer 404."""
    portal = make_portal()
    reuse = helpers.call_action("reuse_create", as_user(portal.sysadmin), title="Carte",
                                url="https://image.example.org/", type="other",
                                datasets=[portal.public["id"]],
                                image_upload=upload(image_bytes()))
    path = reuse["image_url"].split("://", 1)[-1].split("/", 1)[1]
    response = app.get("/" + path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for name in ("..%2F..%2Ftest.ini", "missing.png", "0" * 32 + ".svg"):
        assert app.get(f"/reuses/image/{name}").status_code == 404, name
