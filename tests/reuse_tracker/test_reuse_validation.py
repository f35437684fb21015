"""Bad input to the reuse actions: a ValidationError naming the field, never a 500; XSS kept inert."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.helpers import render_markdown
from ckan.tests import helpers

from ckanext.reuse_tracker.logic.reuse_validators import normalise_url
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit

pytestmark = MARKS

BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ftp://example.org/file",
    "file:///etc/passwd",
    "//example.org/no-scheme",
    "/reuses/relative",
    "http://",
    "https://user:secret@example.org/",
    "https://exa mple.org/",
    "https://example.org/\x00",
    "http://example.org:99999/",
    'https://example.org/"><script>alert(1)</script>',
    "https://example.org/' onmouseover=alert(1) x='",
    "https://evil.example\\@good.example/",
]


def _errors(call: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as error:
        call()
    return error.value.error_dict


def test_required_fields_are_named():
    """A submission without title, url, type or datasets names each missing field."""
    portal = make_portal()
    errors = _errors(lambda: helpers.call_action("reuse_create", as_user(portal.submitter)))
    assert {"title", "url", "type", "datasets"} <= set(errors)


def test_only_http_urls_are_accepted():
    """Script, data, file, relative and malformed addresses are refused by normalisation."""
    for url in BAD_URLS:
        with pytest.raises(ValueError):
            normalise_url(url)
    assert normalise_url("http://[2001:DB8::1]:80/a/") == "http://[2001:db8::1]/a"


def test_bad_urls_are_refused_by_create_on_url_and_image_url():
    """reuse_create refuses every non-http(s) address, naming url or image_url."""
    portal = make_portal()
    for url in BAD_URLS:
        assert "url" in _errors(lambda: submit(portal.submitter, [portal.public], url=url)), url
        assert "image_url" in _errors(
            lambda: submit(portal.submitter, [portal.public], image_url=url)), url


def test_update_refuses_a_script_url():
    """reuse_update refuses a javascript: URL on url and keeps the old one."""
    portal = make_portal()
    reuse = published(portal)
    errors = _errors(lambda: helpers.call_action(
        "reuse_update", as_user(portal.sysadmin), id=reuse["id"], url="javascript:alert(1)"))
    assert "url" in errors
    assert helpers.call_action("reuse_show", id=reuse["id"])["url"] == reuse["url"]


def test_unknown_type_and_topic_are_refused():
    """A type or topic outside the fixed lists is refused on that field."""
    portal = make_portal()
    errors = _errors(lambda: submit(portal.submitter, [portal.public], type="poem",
                                    topic="astrology"))
    assert {"type", "topic"} <= set(errors)


def test_datasets_must_not_be_empty():
    """An empty dataset list, or a string of commas, is refused on datasets."""
    portal = make_portal()
    assert "datasets" in _errors(lambda: submit(portal.submitter, []))
    assert "datasets" in _errors(lambda: submit(portal.submitter, " , ,"))
    assert "datasets" in _errors(lambda: submit(portal.submitter, {"a": 1}))


def test_unknown_dataset_is_refused_naming_it():
    """A dataset that does not exist is refused on datasets, with its name."""
    portal = make_portal()
    errors = _errors(lambda: submit(portal.submitter, [portal.public, "n-existe-pas"]))
    assert "n-existe-pas" in errors["datasets"][0]


@pytest.mark.ckan_config("ckanext.reuse_tracker.max_datasets", "1")
def test_too_many_datasets_are_refused():
    """More datasets than max_datasets are refused on datasets."""
    portal = make_portal()
    assert "datasets" in _errors(lambda: submit(portal.submitter, [portal.public,
                                                                   portal.second]))


def test_title_is_plain_text_on_one_line():
    """Control and bidirectional-override characters and line breaks leave the title
    (a NUL byte is refused before, by the suite's input guard)."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public],
                   title="  Carte\r\ndes\x07 budgets\u202e\x1b[31m  ")
    assert reuse["title"] == "Carte des budgets [31m"


def test_title_too_long_or_blank_is_refused():
    """A title over 200 characters, or only blanks, is refused on title."""
    portal = make_portal()
    assert "title" in _errors(lambda: submit(portal.submitter, [portal.public], title="x" * 201))
    assert "title" in _errors(lambda: submit(portal.submitter, [portal.public], title=" \x00 "))


def test_description_too_long_is_refused():
    """A description over 10,000 characters is refused on description."""
    portal = make_portal()
    assert "description" in _errors(
        lambda: submit(portal.submitter, [portal.public], description="a" * 10001))


def test_bad_contact_email_is_refused():
    """A contact e-mail that is not an address is refused on contact_email."""
    portal = make_portal()
    assert "contact_email" in _errors(
        lambda: submit(portal.submitter, [portal.public], contact_email="pas une adresse"))


def test_taken_name_is_refused():
    """A slug already used by another reuse is refused on name."""
    portal = make_portal()
    submit(portal.submitter, [portal.public], name="ma-carte")
    assert "name" in _errors(lambda: submit(portal.submitter, [portal.public], name="ma-carte"))


def test_xss_title_is_stored_as_text():
    """An HTML payload in the title is kept as plain text, for templates to escape."""
    portal = make_portal()
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    reuse = submit(portal.submitter, [portal.public], title=payload)
    assert reuse["title"] == payload


def test_xss_description_renders_inert():
    """Script tags, event handlers and script links in the Markdown render to inert HTML."""
    portal = make_portal()
    payload = ('Voir <script>alert(1)</script> <img src=x onerror=alert(2)> '
               '[clic](javascript:alert(3)) <a href="data:text/html,x">d</a> '
               '<iframe src="https://evil.example"></iframe> **gras**')
    reuse = submit(portal.submitter, [portal.public], description=payload)
    assert reuse["description"] == payload  # stored as written...
    html = str(render_markdown(reuse["description"])).lower()
    # ...and rendered without any active content.
    for needle in ("<script", "onerror", "javascript:", "data:text", "<iframe"):
        assert needle not in html
    assert "<strong>gras</strong>" in html


def test_moderation_decision_and_comment_are_checked():
    """An unknown decision is refused on decision; a rejection without comment on comment."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    ctx = as_user(portal.sysadmin)
    assert "decision" in _errors(lambda: helpers.call_action(
        "reuse_moderate", ctx, id=reuse["id"], decision="approve"))
    assert "comment" in _errors(lambda: helpers.call_action(
        "reuse_moderate", ctx, id=reuse["id"], decision="reject", comment="  "))


def test_api_answers_bad_input_with_a_409_naming_the_field(app, api_headers):
    """Through the HTTP API, a bad URL is a 409 ValidationError on url, not a 500."""
    portal = make_portal()
    response = app.post("/api/3/action/reuse_create", headers=api_headers(portal.submitter),
                        json={"title": "x", "url": "javascript:alert(1)", "type": "api",
                              "datasets": [portal.public["name"]]}, status=409)
    assert "url" in response.json["error"]


INTERNAL_IMAGES = [
    "http://127.0.0.1/logo.png",
    "http://localhost:8080/logo.png",
    "http://10.0.0.5/logo.png",
    "http://192.168.1.1/logo.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://[::1]/logo.png",
    "http://[fd00:ec2::254]/logo.png",
    "http://[::ffff:127.0.0.1]/logo.png",
]


@pytest.mark.parametrize("image_url", INTERNAL_IMAGES)
def test_create_refuses_an_image_on_an_internal_host(image_url):
    """An image_url on a private, loopback, link-local or metadata host is refused on
    image_url (names are resolved: localhost is loopback)."""
    portal = make_portal()
    errors = _errors(lambda: submit(portal.submitter, [portal.public], image_url=image_url))
    assert list(errors) == ["image_url"]


def test_update_refuses_an_image_on_an_internal_host_and_keeps_the_old_one():
    """reuse_update refuses a loopback image_url and the reuse keeps its image."""
    portal = make_portal()
    reuse = published(portal, image_url="https://93.184.215.14/carte.png")
    errors = _errors(lambda: helpers.call_action(
        "reuse_update", as_user(portal.sysadmin), id=reuse["id"],
        image_url="http://127.0.0.1:5000/api/3/action/status_show"))
    assert "image_url" in errors
    assert helpers.call_action("reuse_show", id=reuse["id"])["image_url"] == \
        "https://93.184.215.14/carte.png"


@pytest.mark.ckan_config("ckan.locale_default", "fr")
def test_internal_image_host_is_refused_in_french(app, api_headers):
    """The API answers 409 with a French message on image_url."""
    portal = make_portal()
    response = app.post("/api/3/action/reuse_create", headers=api_headers(portal.submitter),
                        json={"title": "Carte", "url": "https://carte.example.org/",
                              "type": "application", "datasets": [portal.public["id"]],
                              "image_url": "http://192.168.0.10/logo.png"}, status=409)
    assert response.json["error"]["image_url"] == [
        "L'adresse de l'image désigne un hôte privé, local ou réservé"]
