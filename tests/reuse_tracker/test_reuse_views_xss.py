"""Hostile reuse text on the pages: escaped titles, sanitised Markdown, no script URLs."""
from __future__ import annotations

import json
from typing import Any

from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import helpers

from ckanext.reuse_tracker.model import Reuse
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit

pytestmark = MARKS

TITLE = '<script>alert("titre")</script><img src=x onerror=alert(2)>'
DESCRIPTION = """Une carte.

<script>alert("description")</script>
<img src="x" onerror="alert(3)">
<a href="https://ok.example.org" onclick="alert(4)">lien</a>
[cliquez](javascript:alert(5)) et [data](data:text/html;base64,PHNjcmlwdD4=)
<div style="background:url(javascript:alert(6))" onmouseover="alert(7)">survol</div>
"""


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _has_event_handler(soup: BeautifulSoup) -> bool:
    return any(attribute.lower().startswith("on")
               for tag in soup.find_all(True) for attribute in tag.attrs)


def _scripts(soup: BeautifulSoup) -> list[str]:
    """The text of the executable scripts of a page (JSON-LD is data, not code)."""
    return [script.get_text() for script in soup.find_all("script")
            if script.get("type") != "application/ld+json"]


def _hostile_reuse(portal: Any) -> dict[str, Any]:
    return published(portal, [portal.public], title=TITLE, description=DESCRIPTION)


def _force(reuse: dict[str, Any], **columns: Any) -> None:
    """Write columns straight into the table, as a bad import or an old row might have them."""
    row = Reuse.get(reuse["id"])
    for key, value in columns.items():
        setattr(row, key, value)
    model.Session.commit()


def test_title_is_escaped_on_the_gallery_the_page_and_the_dataset_block(app):
    """A title made of HTML shows as text: no element, no handler, no script is added."""
    portal = make_portal()
    reuse = published(portal, [portal.public], title=TITLE)
    for url in ("/reuses", f"/reuses/{reuse['name']}", "/dataset/budget-primitif"):
        soup = _soup(app.get(url))
        assert not any('alert("titre")' in script for script in _scripts(soup)), url
        assert soup.find("img", src="x") is None, url
        assert not _has_event_handler(soup), url
        assert reuse["title"] in soup.get_text(), url


def test_markdown_embedded_html_and_event_handlers_are_stripped(app):
    """The description keeps no script, no event handler and no style: only harmless tags."""
    portal = make_portal()
    reuse = _hostile_reuse(portal)
    soup = _soup(app.get(f"/reuses/{reuse['name']}"))
    description = soup.select_one(".reuse-description")
    assert description.find("script") is None
    assert all(image.get("src") == "x" for image in description.find_all("img"))
    assert not _has_event_handler(description)
    assert all(not tag.get("style") for tag in description.find_all(True))
    assert not any('alert("description")' in script for script in _scripts(soup))


def test_javascript_and_data_links_in_markdown_are_not_links(app):
    """Markdown links to ``javascript:`` or ``data:`` never become clickable addresses."""
    portal = make_portal()
    reuse = _hostile_reuse(portal)
    soup = _soup(app.get(f"/reuses/{reuse['name']}"))
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    assert not [href for href in hrefs if href.strip().lower().startswith(("javascript:", "data:"))]


def test_stored_javascript_url_is_never_rendered_as_a_link_or_image(app):
    """A ``javascript:`` URL or image written straight into the table is not linked anywhere."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    _force(reuse, url="javascript:alert(8)", image_url="javascript:alert(9)",
           thumbnail_url="data:image/svg+xml;base64,PHN2Zz4=")
    for url in ("/reuses", f"/reuses/{reuse['name']}", "/dataset/budget-primitif"):
        soup = _soup(app.get(url))
        links = [tag.get("href", "") for tag in soup.find_all(["a", "link"])]
        sources = [tag.get("src", "") for tag in soup.find_all(["img", "iframe", "script"])]
        assert not [value for value in links + sources
                    if value.lower().startswith(("javascript:", "data:"))], url
    data = json.loads(_soup(app.get(f"/reuses/{reuse['name']}")).select_one(
        'script[type="application/ld+json"]').string)
    assert data["url"] == ""
    assert "image" not in data


def test_json_ld_survives_a_closing_script_tag_in_the_title(app):
    """A ``</script>`` in the title neither ends the JSON-LD element nor starts a script."""
    portal = make_portal()
    reuse = published(portal, [portal.public],
                      title='</script><script>alert("ld")</script>',
                      description="<!-- commentaire -->")
    soup = _soup(app.get(f"/reuses/{reuse['name']}"))
    blocks = soup.select('script[type="application/ld+json"]')
    assert len(blocks) == 1
    assert json.loads(blocks[0].string)["name"] == reuse["title"]
    assert not any('alert("ld")' in script for script in _scripts(soup))


def test_hostile_title_is_escaped_in_the_moderation_queue(app, api_headers):
    """The moderation queue shows a pending hostile title as text."""
    portal = make_portal()
    submit(portal.submitter, [portal.public], title=TITLE)
    soup = _soup(app.get("/reuses/moderation", headers=api_headers(portal.admin)))
    assert len(soup.select(".reuse-queue-item")) == 1
    assert soup.find("img", src="x") is None
    assert not _has_event_handler(soup)
