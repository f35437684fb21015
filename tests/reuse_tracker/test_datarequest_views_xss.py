"""Hostile text on the data request pages: escaped titles, comments, reasons and names,
sanitised Markdown descriptions."""
from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.reuse_tracker.datarequest_setup import (
    MARKS, PASSWORD, as_user, create, csrf_token, login, make_portal)

pytestmark = MARKS

TITLE = '<script>alert("titre")</script><img src=x onerror=alert(2)>'
DESCRIPTION = """Des données.

<script>alert("description")</script>
<img src="x" onerror="alert(3)">
<a href="https://ok.example.org" onclick="alert(4)">lien</a>
[cliquez](javascript:alert(5)) et [data](data:text/html;base64,PHNjcmlwdD4=)
<div style="background:url(javascript:alert(6))" onmouseover="alert(7)">survol</div>
"""
TEXT = '<script>alert("texte")</script><b onmouseover="alert(8)">gras</b>'


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _has_event_handler(soup: BeautifulSoup) -> bool:
    return any(attribute.lower().startswith("on")
               for tag in soup.find_all(True) for attribute in tag.attrs)


def _alerts(soup: BeautifulSoup) -> list[str]:
    """The scripts of a page that run one of the hostile texts' alerts."""
    return [script.get_text() for script in soup.find_all("script")
            if "alert(" in script.get_text()]


def _assert_inert(response: Any, where: str) -> BeautifulSoup:
    soup = _soup(response)
    assert response.status_code == 200, where
    assert not _alerts(soup), where
    assert soup.find("b", onmouseover=True) is None, where
    assert not _has_event_handler(soup), where
    return soup


def test_hostile_title_is_text_on_every_page(app):
    """A title made of HTML shows as text on the listing, its page, the organization tab,
    the answering dataset's page and the edit form."""
    portal = make_portal()
    request = create(portal.plain, title=TITLE, organization_id=portal.org["id"])
    helpers.call_action("datarequest_close", as_user(portal.admin), id=request["id"],
                        state="published", package_id=portal.dataset["id"])
    stored = request["title"]
    for url in ("/datarequest", f"/datarequest/{request['id']}",
                f"/organization/datarequests/{portal.org['name']}",
                f"/dataset/{portal.dataset['name']}"):
        soup = _assert_inert(app.get(url), url)
        assert soup.find("img", src="x") is None, url
        assert stored in soup.get_text(), url
    edit = _assert_inert(login(app, portal.admin).get(f"/datarequest/{request['id']}/edit"),
                         "edit")
    assert edit.select_one("#field-title")["value"] == stored


def test_markdown_description_keeps_no_script_handler_style_or_script_link(app):
    """The description keeps no script, event handler, style or javascript:/data: link."""
    portal = make_portal()
    request = create(portal.plain, description=DESCRIPTION)
    assert request["state"] == "open"
    soup = _assert_inert(app.get(f"/datarequest/{request['id']}"), "page")
    description = soup.select_one(".datarequest-description")
    assert "survol" in description.get_text()
    assert all(not tag.get("style") for tag in description.find_all(True))
    hrefs = [a.get("href", "").strip().lower() for a in soup.find_all("a")]
    assert not [href for href in hrefs if href.startswith(("javascript:", "data:"))]


def test_hostile_comment_state_comment_and_reason_are_text(app):
    """A comment, a status comment and a decline reason made of HTML show as text."""
    portal = make_portal()
    request_id = portal.request["id"]
    helpers.call_action("datarequest_comment_create", as_user(portal.plain), id=request_id,
                        body=TEXT)
    helpers.call_action("datarequest_update", as_user(portal.admin), id=request_id,
                        state="planned", comment=TEXT)
    helpers.call_action("datarequest_close", as_user(portal.admin), id=request_id,
                        state="declined", reason=TEXT)
    soup = _assert_inert(app.get(f"/datarequest/{request_id}"), "page")
    bodies = [p.get_text() for p in soup.select(".datarequest-comment-body")]
    assert bodies == [TEXT, TEXT]
    assert soup.select_one(".datarequest-reason").get_text() == TEXT


def test_hostile_organization_title_and_author_name_are_text(app):
    """An organization title and a user's full name made of HTML show as text."""
    author = factories.User(password=PASSWORD, fullname=TEXT)
    org = factories.Organization(title=TEXT)
    request = create(author, organization_id=org["id"])
    for url in ("/datarequest", f"/datarequest/{request['id']}"):
        soup = _assert_inert(app.get(url), url)
        assert TEXT in soup.get_text(), url
    page = _soup(app.get(f"/datarequest/{request['id']}"))
    assert page.select_one(".datarequest-author").get_text() == TEXT
    form = _assert_inert(login(app, author).get("/datarequest/new"), "form")
    assert TEXT in [option.get_text() for option in form.select("#field-organization option")]


def test_hostile_values_sent_back_with_errors_stay_text(app):
    """A refused form shows the hostile values typed as text inside the fields."""
    portal = make_portal()
    client = login(app, portal.plain)
    token = csrf_token(client.get("/datarequest/new").body)
    response = client.post("/datarequest/new", data={
        "_csrf_token": token, "title": TITLE, "description": TEXT, "theme": "nonsense"})
    soup = _assert_inert(response, "form")
    assert soup.select_one("#field-description").get_text() == TEXT
    assert soup.select_one("#field-title")["value"] == TITLE
    assert helpers.call_action("datarequest_list", as_user(portal.plain), mine=True)[
        "count"] == 0
