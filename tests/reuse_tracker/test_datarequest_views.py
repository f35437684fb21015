"""Data request pages: the listing, the request form, a request's page and its forms, the
organization tab, the dataset page's notice and the governance dashboard's figures."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from ckanext.reuse_tracker.model.datarequest import DataRequest
from tests.reuse_tracker.datarequest_setup import (
    MARKS, as_user, create, csrf_token, login, make_portal)

pytestmark = MARKS


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _titles(response) -> list[str]:
    """The titles of the request cards of a listing, in order."""
    return [a.get_text(strip=True) for a in _soup(response).select(".datarequest-card-title")]


def _vote(user, request_id, vote=True):
    return helpers.call_action("datarequest_vote", as_user(user), id=request_id, vote=vote)


def _url(request) -> str:
    return f"/datarequest/{request['id']}"


def _show(user, request_id):
    return helpers.call_action("datarequest_show", as_user(user), id=request_id)


def _post(client, url, data, page_url=None, **kwargs):
    """Post a form of the page at ``page_url`` (default: ``url``'s request page)."""
    token = csrf_token(client.get(page_url or url.rsplit("/", 1)[0]).body)
    return client.post(url, data={"_csrf_token": token, **data}, **kwargs)


# The listing.

def test_listing_is_sorted_by_votes_and_shows_counts_state_and_organization(app):
    """The most voted request comes first; each card shows its state, organization and votes."""
    portal = make_portal()
    popular = create(portal.plain, title="Arbres remarquables", theme="environment_and_energy")
    for user in (portal.editor, portal.admin):
        _vote(user, popular["id"])
    _vote(portal.plain, portal.request["id"])
    response = app.get("/datarequest")
    assert _titles(response) == ["Arbres remarquables", portal.request["title"]]
    card = _soup(response).select_one(f'[data-datarequest="{popular["id"]}"]')
    assert "2 votes" in card.get_text(" ", strip=True)
    assert "Open" in card.select_one(".datarequest-state").get_text()
    assert "Environment and energy" in card.get_text()
    assert "1 data request" not in response.body and "2 data requests" in response.body


def test_listing_sorts_by_newest_on_demand(app):
    """``sort=newest`` puts the latest request first whatever its votes."""
    portal = make_portal()
    _vote(portal.plain, portal.request["id"])
    create(portal.plain, title="Parkings relais")
    assert _titles(app.get("/datarequest?sort=newest"))[0] == "Parkings relais"
    assert _titles(app.get("/datarequest"))[0] == portal.request["title"]


def test_listing_filters_by_state_organization_theme_and_text(app):
    """Each filter keeps only the matching requests."""
    portal = make_portal()
    other = create(portal.plain, title="Bornes de recharge", theme="transport_and_mobility",
                   organization_id=portal.other_org["id"])
    helpers.call_action("datarequest_close", as_user(portal.other_admin), id=other["id"],
                        state="declined", reason="Pas de bornes")
    mine = portal.request["title"]
    assert _titles(app.get("/datarequest?state=pending")) == [mine]
    assert _titles(app.get("/datarequest?state=declined")) == ["Bornes de recharge"]
    assert _titles(app.get(f"/datarequest?organization={portal.other_org['name']}")) == [
        "Bornes de recharge"]
    assert _titles(app.get("/datarequest?theme=transport_and_mobility")) == [
        "Bornes de recharge"]
    assert _titles(app.get("/datarequest?q=SPORTIFS")) == [mine]


def test_listing_with_a_bad_filter_is_a_400_with_the_error(app):
    """An unknown theme is a bad request that names the field, not a server error."""
    make_portal()
    response = app.get("/datarequest?theme=nonsense", status=400)
    assert "Unknown theme" in response.body
    assert "datarequest-error-theme" in response.body


@pytest.mark.ckan_config("ckanext.reuse_tracker.datarequest_per_page", 1)
def test_listing_pages_keep_the_filters(app):
    """With one request per page, page 2 shows the next one and the pager keeps the filters."""
    portal = make_portal()
    create(portal.plain, title="Parkings relais")
    first = app.get("/datarequest?sort=newest&state=open")
    second = app.get("/datarequest?sort=newest&state=open&page=2")
    assert _titles(first) == ["Parkings relais"]
    assert _titles(second) == [portal.request["title"]]
    next_link = _soup(first).select_one('a[rel="next"]')["href"]
    assert "page=2" in next_link and "state=open" in next_link and "sort=newest" in next_link
    assert "Page 2 of 2" in second.body


def test_spam_is_not_listed_except_to_moderators_asking_for_it(app):
    """A spam request is absent from the public listing and its page is a 404; a sysadmin
    finds it with the spam filter."""
    portal = make_portal()
    spam = create(portal.plain, title="Casino en ligne", organization_id=portal.org["id"])
    assert spam["state"] == "spam"
    assert "Casino en ligne" not in app.get("/datarequest").body
    assert "Casino en ligne" not in login(app, portal.plain).get("/datarequest").body
    assert app.get(_url(spam)).status_code == 404
    admin = login(app, portal.admin)
    assert _titles(admin.get("/datarequest?state=spam")) == ["Casino en ligne"]
    assert 'value="spam"' in admin.get("/datarequest").body
    assert 'value="spam"' not in app.get("/datarequest").body


def test_listing_offers_the_form_to_users_and_a_login_link_to_visitors(app):
    """A logged-in user gets the "Request data" button; a visitor a log-in link."""
    portal = make_portal()
    anonymous = _soup(app.get("/datarequest"))
    assert anonymous.select_one("a.datarequest-new") is None
    assert "Log in to request data" in anonymous.select_one("a.datarequest-login").get_text()
    user = _soup(login(app, portal.plain).get("/datarequest"))
    assert user.select_one("a.datarequest-new")["href"] == "/datarequest/new"


def test_header_has_a_data_requests_entry(app):
    """The site navigation links to the listing."""
    make_portal()
    links = _soup(app.get("/dataset")).select("header a[href='/datarequest']")
    assert links and "Data requests" in links[0].get_text()


# The request form.

def test_anonymous_visitor_is_sent_to_log_in(app):
    """The form is not shown to visitors: they are sent to the login page."""
    make_portal()
    response = app.get("/datarequest/new", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_form_has_csrf_honeypot_organizations_and_themes(app):
    """The form carries a CSRF token, the hidden honeypot, every organization and the themes."""
    portal = make_portal()
    client = login(app, portal.plain)
    soup = _soup(client.get(f"/datarequest/new?organization={portal.org['name']}"))
    form = soup.select_one("form#datarequest-form")
    assert form.select_one('input[name="_csrf_token"]')["value"]
    assert form.select_one(".reuse-hp input[name='website_confirm']") is not None
    options = {o["value"]: o for o in form.select("select[name=organization_id] option")}
    assert {portal.org["name"], portal.other_org["name"]} <= set(options)
    assert options[portal.org["name"]].has_attr("selected")
    themes = [o["value"] for o in form.select("select[name=theme] option")]
    assert "health" in themes and "open_data_tools" in themes
    assert "Markdown" in form.get_text()


def test_form_creates_the_request_and_goes_to_its_page(app):
    """A valid form records the request (organization stored as id) and shows its page."""
    portal = make_portal()
    client = login(app, portal.plain)
    response = _post(client, "/datarequest/new", {
        "title": "Menus des cantines", "description": "Les menus **hebdomadaires**.",
        "organization_id": portal.org["name"], "theme": "food_and_agriculture",
        "website_confirm": ""}, page_url="/datarequest/new", follow_redirects=False)
    assert response.status_code == 302
    row = DataRequest.get(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert (row.title, row.organization_id, row.theme, row.state) == (
        "Menus des cantines", portal.org["id"], "food_and_agriculture", "open")
    page = client.get(response.headers["Location"])
    assert "Your data request is published" in page.body
    assert "<strong>hebdomadaires</strong>" in page.body


def test_form_errors_are_shown_next_to_their_fields(app):
    """A too short title and an unknown theme come back on the form, each by its field."""
    portal = make_portal()
    client = login(app, portal.plain)
    response = _post(client, "/datarequest/new", {
        "title": "ab", "description": "Une description.", "theme": "nonsense"},
        page_url="/datarequest/new")
    assert response.status_code == 200
    soup = _soup(response)
    title_group = soup.select_one("#field-title").find_parent(class_="form-group")
    assert "3 to 200 characters" in title_group.get_text()
    theme_group = soup.select_one("#field-theme").find_parent(class_="form-group")
    assert "Unknown theme" in theme_group.get_text()
    assert soup.select_one("#field-description").get_text() == "Une description."
    assert DataRequest.get(portal.request["id"]) is not None
    assert helpers.call_action("datarequest_list", as_user(portal.plain),
                               mine=True)["count"] == 0


def test_form_without_csrf_token_is_refused(app):
    """A post without the CSRF token records nothing."""
    portal = make_portal()
    response = login(app, portal.plain).post("/datarequest/new", data={
        "title": "Sans jeton", "description": "Rien."})
    assert response.status_code in (400, 403)
    assert helpers.call_action("datarequest_list", {}, q="Sans jeton")["count"] == 0


def test_honeypot_filled_request_is_held_back(app):
    """A bot filling the hidden field gets a notice, and the request stays unlisted."""
    portal = make_portal()
    client = login(app, portal.plain)
    response = _post(client, "/datarequest/new", {
        "title": "Robot", "description": "Je suis un robot.", "website_confirm": "http://x"},
        page_url="/datarequest/new", follow_redirects=True)
    assert "will be checked before it is shown" in response.body
    assert "Je suis un robot" not in app.get("/datarequest").body


@pytest.mark.ckan_config("ckanext.reuse_tracker.datarequest_rate_limit", 1)
def test_form_past_the_rate_limit_gets_429(app):
    """The user's second request within the window is a 429 page, and is not recorded."""
    portal = make_portal()
    client = login(app, portal.plain)
    data = {"description": "Des données utiles."}
    first = _post(client, "/datarequest/new", {**data, "title": "Première demande"},
                  page_url="/datarequest/new", follow_redirects=False)
    assert first.status_code == 302
    second = _post(client, "/datarequest/new", {**data, "title": "Seconde demande"},
                   page_url="/datarequest/new")
    assert second.status_code == 429
    assert "too often" in second.body
    assert helpers.call_action("datarequest_list", {}, q="Seconde demande")["count"] == 0


# A request's page.

def test_page_shows_the_request(app):
    """The page shows the title (also in the page title), state, organization, author and dates."""
    portal = make_portal()
    soup = _soup(app.get(_url(portal.request)))
    assert soup.select_one("h1.datarequest-title").get_text() == portal.request["title"]
    assert soup.title.get_text().startswith(portal.request["title"])
    assert soup.select_one(".datarequest-state").get_text() == "Open"
    assert "Ville de Saint-Martin" in soup.select_one(".datarequest-organization").get_text()
    assert soup.select_one(".datarequest-author").get_text() == portal.request["author"]
    assert 'type="application/ld+json"' not in str(soup)


def test_vote_button_toggles_the_vote_and_the_count(app):
    """Voting adds one to the count, a second post withdraws it."""
    portal = make_portal()
    client = login(app, portal.plain)
    url = _url(portal.request)
    _post(client, f"{url}/vote", {"vote": "1"}, page_url=url)
    _post(client, f"{url}/vote", {"vote": "1"}, page_url=url)  # twice: still one vote
    page = _soup(client.get(url))
    assert page.select_one(".datarequest-vote-count").get_text(" ", strip=True) == "1 vote"
    assert "Withdraw my vote" in page.select_one(".datarequest-vote-form").get_text()
    _post(client, f"{url}/vote", {}, page_url=url)  # no value: toggles
    assert _show(portal.plain, portal.request["id"])["vote_count"] == 0
    assert "I want this data too" in client.get(url).body


def test_vote_is_disabled_with_an_explanation_once_closed(app):
    """On a declined request the vote button is disabled and says why; a post is refused."""
    portal = make_portal()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="declined", reason="Pas de données")
    client = login(app, portal.plain)
    soup = _soup(client.get(_url(portal.request)))
    assert soup.select_one("button.datarequest-vote-closed").has_attr("disabled")
    assert "Votes are closed" in soup.get_text()
    assert soup.select_one(".datarequest-vote-form") is None
    response = _post(client, f"{_url(portal.request)}/vote", {"vote": "1"},
                     page_url=_url(portal.request), follow_redirects=True)
    assert "This request is closed" in response.body
    assert _show(portal.plain, portal.request["id"])["vote_count"] == 0


def test_visitor_gets_log_in_links_not_forms(app):
    """A visitor sees log-in links instead of the vote, follow and comment forms; a post is 403."""
    portal = make_portal()
    soup = _soup(app.get(_url(portal.request)))
    assert soup.select_one(".datarequest-vote-form") is None
    assert soup.select_one(".datarequest-comment-form") is None
    assert soup.select_one("a.datarequest-login-vote") is not None
    assert soup.select_one("a.datarequest-login-comment") is not None
    client = app.test_client()
    response = _post(client, f"{_url(portal.request)}/vote", {"vote": "1"},
                     page_url=_url(portal.request))
    assert response.status_code == 403
    assert _show(None, portal.request["id"])["vote_count"] == 0


def test_follow_button_follows_and_unfollows(app):
    """Following and unfollowing through the form change the user's follow and the count."""
    portal = make_portal()
    client = login(app, portal.plain)
    url = _url(portal.request)
    _post(client, f"{url}/follow", {"follow": "1"}, page_url=url)
    assert _show(portal.plain, portal.request["id"])["following"] is True
    assert "2 followers" in client.get(url).body  # the author follows too
    _post(client, f"{url}/follow", {"follow": "0"}, page_url=url)
    assert _show(portal.plain, portal.request["id"])["following"] is False


def test_comment_appears_and_its_author_deletes_it(app):
    """A comment shows in the thread; its author's delete button removes it."""
    portal = make_portal()
    client = login(app, portal.plain)
    url = _url(portal.request)
    response = _post(client, f"{url}/comment", {"body": "Aussi les horaires d'été."},
                     page_url=url, follow_redirects=True)
    assert "Comment added." in response.body
    comment = _soup(response).select_one(".datarequest-comment")
    assert "Aussi les horaires d'été." in comment.get_text()
    form = comment.select_one("form.datarequest-comment-delete")
    assert form is not None
    assert "Delete this comment" not in login(app, portal.editor).get(url).body
    client.post(form["action"], data={"_csrf_token": csrf_token(client.get(url).body)})
    assert "Aussi les horaires d'été." not in client.get(url).body


def test_empty_comment_is_shown_next_to_the_comment_field(app):
    """An empty comment comes back to the page with the error by the comment field."""
    portal = make_portal()
    client = login(app, portal.plain)
    response = _post(client, f"{_url(portal.request)}/comment", {"body": "  "},
                     page_url=_url(portal.request))
    assert response.status_code == 400
    form = _soup(response).select_one(".datarequest-comment-form")
    assert "Missing value" in form.get_text()


@pytest.mark.parametrize("role, shown", [
    ("anonymous", False), ("plain", False), ("author", False), ("editor", False),
    ("admin", True), ("sysadmin", True)])
def test_moderator_panel_is_for_moderators_only(app, role, shown):
    """Only the target organization's admins and sysadmins see the moderation panel."""
    portal = make_portal()
    user = portal.user(role)
    client = login(app, user) if user else app.test_client()
    soup = _soup(client.get(_url(portal.request)))
    assert (soup.select_one("#datarequest-moderation") is not None) is shown
    assert (soup.select_one("a.datarequest-edit") is not None) is (
        shown or role == "author")


def test_other_organizations_admin_cannot_change_the_status(app):
    """A status post by an admin of another organization is a 403 page and changes nothing."""
    portal = make_portal()
    client = login(app, portal.other_admin)
    response = _post(client, f"{_url(portal.request)}/status", {"state": "planned"},
                     page_url=_url(portal.request))
    assert response.status_code == 403
    assert _show(portal.plain, portal.request["id"])["state"] == "open"


def test_status_change_shows_as_a_timeline_entry(app):
    """A moderator's status change with a comment shows as "Status: Open → Planned"."""
    portal = make_portal()
    client = login(app, portal.admin)
    url = _url(portal.request)
    response = _post(client, f"{url}/status", {"state": "planned",
                                               "comment": "Prévu pour juin."},
                     page_url=url, follow_redirects=True)
    assert "Status changed." in response.body
    entry = _soup(response).select_one(".datarequest-status-change")
    assert entry.select_one(".datarequest-state-change").get_text() == "Status: Open → Planned"
    assert "Prévu pour juin." in entry.get_text()
    assert _soup(response).select_one("p.datarequest-meta .datarequest-state").get_text() == (
        "Planned")


def test_close_as_published_links_the_dataset(app):
    """Closing as published with a dataset name shows the answering dataset's link."""
    portal = make_portal()
    client = login(app, portal.admin)
    url = _url(portal.request)
    response = _post(client, f"{url}/close", {"state": "published",
                                              "package_id": portal.dataset["name"]},
                     page_url=url, follow_redirects=True)
    assert "closed as published" in response.body
    link = _soup(app.get(url)).select_one("a.datarequest-dataset-link")
    assert link["href"] == f"/dataset/{portal.dataset['name']}"
    assert link.get_text() == "Équipements sportifs"
    assert DataRequest.get(portal.request["id"]).package_id == portal.dataset["id"]


def test_close_as_published_without_dataset_shows_the_error_by_the_field(app):
    """Without a dataset the close form comes back with the error by its dataset field."""
    portal = make_portal()
    client = login(app, portal.admin)
    url = _url(portal.request)
    response = _post(client, f"{url}/close", {"state": "published", "package_id": ""},
                     page_url=url)
    assert response.status_code == 400
    form = _soup(response).select_one(".datarequest-publish-form")
    assert "Name the dataset" in form.get_text()
    assert _show(portal.admin, portal.request["id"])["state"] == "open"


def test_close_as_declined_shows_the_reason(app):
    """Closing as declined shows the reason to everyone."""
    portal = make_portal()
    client = login(app, portal.admin)
    url = _url(portal.request)
    _post(client, f"{url}/close", {"state": "declined",
                                   "reason": "Ces données n'existent pas."}, page_url=url)
    soup = _soup(app.get(url))
    assert soup.select_one(".datarequest-reason").get_text() == "Ces données n'existent pas."
    assert soup.select_one("p.datarequest-meta .datarequest-state").get_text() == "Declined"


def test_author_edits_the_request(app):
    """The author changes the title and theme through the edit form."""
    portal = make_portal()
    client = login(app, portal.author)
    url = f"{_url(portal.request)}/edit"
    form = _soup(client.get(url)).select_one("form#datarequest-form")
    assert form.select_one("#field-title")["value"] == portal.request["title"]
    response = _post(client, url, {
        "title": "Horaires des piscines", "description": "Piscines seulement.",
        "organization_id": portal.org["name"], "theme": "culture_and_recreation"},
        page_url=url, follow_redirects=True)
    assert "Data request updated." in response.body
    shown = _show(portal.author, portal.request["id"])
    assert (shown["title"], shown["theme"], shown["organization_id"]) == (
        "Horaires des piscines", "culture_and_recreation", portal.org["id"])


def test_edit_is_refused_to_others(app):
    """Another user gets a 403 page on the edit form, a visitor too."""
    portal = make_portal()
    url = f"{_url(portal.request)}/edit"
    assert login(app, portal.plain).get(url).status_code == 403
    assert app.get(url).status_code == 403


def test_unknown_request_is_a_404_page(app):
    """An id that does not exist is a 404 page, for the page and for its forms."""
    portal = make_portal()
    assert app.get("/datarequest/nope").status_code == 404
    client = login(app, portal.sysadmin)
    assert client.get("/datarequest/nope/edit").status_code == 404
    response = _post(client, "/datarequest/nope/vote", {"vote": "1"}, page_url="/datarequest")
    assert response.status_code == 404
    assert "Data request or organization not found" in response.body


def test_private_answering_dataset_is_not_named_to_visitors(app):
    """A request answered by a private dataset does not name it to those who cannot read it."""
    portal = make_portal()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="published", package_id=portal.private["id"])
    for client in (app.test_client(), login(app, portal.plain)):
        for url in (_url(portal.request), "/datarequest?state=published"):
            body = client.get(url).body
            assert "Fichier interne" not in body and portal.private["name"] not in body
    assert "Fichier interne" in login(app, portal.editor).get(_url(portal.request)).body


# The organization tab and the dataset page.

def test_organization_tab_lists_its_requests(app):
    """The organization's "Data requests" tab lists the requests addressed to it only."""
    portal = make_portal()
    create(portal.plain, title="Bornes de recharge", organization_id=portal.other_org["id"])
    response = app.get(f"/organization/datarequests/{portal.org['name']}")
    assert _titles(response) == [portal.request["title"]]
    soup = _soup(response)
    assert soup.select_one(f'a[href="/organization/datarequests/{portal.org["name"]}"]')
    assert "Data requests" in app.get(f"/organization/{portal.org['name']}").body
    assert app.get("/organization/datarequests/nope").status_code == 404


def test_dataset_page_names_the_request_it_answers(app):
    """The answering dataset's page says which request it answers, with a link."""
    portal = make_portal()
    helpers.call_action("datarequest_close", as_user(portal.admin), id=portal.request["id"],
                        state="published", package_id=portal.dataset["id"])
    soup = _soup(app.get(f"/dataset/{portal.dataset['name']}"))
    notice = soup.select_one(".datarequest-answered")
    assert "This dataset answers the data request" in notice.get_text()
    assert notice.select_one("a")["href"] == _url(portal.request)
    other = factories.Dataset(owner_org=portal.org["id"])
    assert _soup(app.get(f"/dataset/{other['name']}")).select_one(
        ".datarequest-answered") is None
