"""The reuse forms: submission, field errors, duplicates, images, edition and CSRF."""
from __future__ import annotations

import io
from typing import Any

import pytest
from bs4 import BeautifulSoup

from ckan.tests import helpers

from tests.shared import as_user, csrf_token, login
from tests.reuse_tracker.reuse_setup import (MARKS, image_bytes, make_portal, published,
                                             submit, upload)

pytestmark = MARKS

#: A visitor's address (the test client sends none; anonymous posting needs one).
VISITOR = {"REMOTE_ADDR": "198.51.100.7"}


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _form(**fields: Any) -> dict[str, Any]:
    data = {"title": "Carte des budgets", "url": "https://carte.example.org/",
            "description": "Une carte.", "type": "visualization", "topic": "",
            "datasets": "budget-primitif", "image_url": "", "contact_email": ""}
    data.update(fields)
    return data


def _field_error(response: Any, field_id: str) -> str:
    """The error shown in the form group of a field."""
    field = _soup(response).select_one(f"#{field_id}")
    assert field is not None, field_id
    group = field.find_parent(class_="form-group")
    error = group.select_one(".error-block") if group else None
    return error.get_text(" ", strip=True) if error else ""


def test_anonymous_visitor_is_sent_to_log_in(app):
    """Without anonymous submission, a visitor opening the form is redirected to log in."""
    make_portal()
    response = app.get("/reuses/new", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_form_carries_a_csrf_token_and_prefills_the_dataset(app, api_headers):
    """The form from a dataset page has a CSRF token and its datasets field filled in."""
    portal = make_portal()
    soup = _soup(app.get("/reuses/new?dataset=budget-primitif",
                         headers=api_headers(portal.submitter)))
    form = soup.select_one("#reuse-form")
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("input[name=_csrf_token]")["value"]
    assert form.select_one("#field-datasets")["value"] == "budget-primitif"


def test_logged_in_user_submits_a_pending_reuse_through_the_form(app):
    """Posting the form (session and CSRF token) creates a pending reuse and shows its page."""
    portal = make_portal()
    client = login(app, portal.submitter)
    token = csrf_token(client.get("/reuses/new").body)
    response = client.post("/reuses/new", data=_form(
        _csrf_token=token, datasets="budget-primitif, arbres-urbains"), follow_redirects=True)
    assert response.status_code == 200
    listed = helpers.call_action("reuse_list", as_user(portal.submitter), mine=True,
                                 state="pending")
    assert listed["count"] == 1
    reuse = listed["results"][0]
    assert reuse["title"] == "Carte des budgets"
    assert {dataset["name"] for dataset in reuse["datasets"]} == {
        "budget-primitif", "arbres-urbains"}
    assert "moderator" in _soup(response).select_one(".alert").get_text()


def test_post_without_csrf_token_is_refused(app):
    """A logged-in session posting the form without its CSRF token creates nothing."""
    portal = make_portal()
    client = login(app, portal.submitter)
    response = client.post("/reuses/new", data=_form())
    assert response.status_code in (400, 403)
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")["count"] == 0


def test_missing_title_is_shown_next_to_the_title_and_values_are_kept(app, api_headers):
    """A form without title comes back (200) with the error by the title and the typed URL kept."""
    portal = make_portal()
    response = app.post("/reuses/new", headers=api_headers(portal.submitter),
                        data=_form(title=""))
    assert response.status_code == 200
    assert _field_error(response, "field-title")
    assert _soup(response).select_one("#field-url")["value"] == "https://carte.example.org/"


def test_duplicate_url_links_to_the_existing_reuse(app, api_headers):
    """Submitting a URL already used shows the error on the URL with a link to the first reuse."""
    portal = make_portal()
    first = published(portal, [portal.public], url="https://carte.example.org/")
    response = app.post("/reuses/new", headers=api_headers(portal.plain),
                        data=_form(url="https://CARTE.example.org"))
    assert _field_error(response, "field-url")
    assert _soup(response).select_one(f".reuse-existing a[href='/reuses/{first['name']}']")


def test_linking_a_dataset_the_user_cannot_see_is_an_error_on_datasets(app, api_headers):
    """A private dataset of another organization in the datasets field is refused on that field."""
    portal = make_portal()
    response = app.post("/reuses/new", headers=api_headers(portal.plain),
                        data=_form(datasets="subventions-brouillon"))
    assert _field_error(response, "field-datasets")
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")["count"] == 0


def test_javascript_url_is_refused_on_the_url_field(app, api_headers):
    """A ``javascript:`` address is refused with an error on the URL field."""
    portal = make_portal()
    response = app.post("/reuses/new", headers=api_headers(portal.submitter),
                        data=_form(url="javascript:alert(1)"))
    assert _field_error(response, "field-url")


def test_uploaded_image_is_stored_and_shown_on_the_card(app, api_headers):
    """A real PNG sent with the form becomes the reuse's image, shown in the gallery."""
    portal = make_portal()
    response = app.post("/reuses/new", headers=api_headers(portal.sysadmin), data=_form(
        image_upload=(io.BytesIO(image_bytes(800, 600)), "carte.png", "image/png")),
        content_type="multipart/form-data", follow_redirects=False)
    assert response.status_code == 302
    reuse = helpers.call_action("reuse_list")["results"][0]
    assert reuse["image_url"]
    image = _soup(app.get("/reuses")).select_one("img.reuse-card-image")
    assert image["src"] == (reuse["thumbnail_url"] or reuse["image_url"])
    assert app.get(image["src"]).status_code == 200


def test_fake_image_is_refused_next_to_the_image_field(app, api_headers):
    """A text file named .png is refused, the error shown by the image field."""
    portal = make_portal()
    response = app.post("/reuses/new", headers=api_headers(portal.submitter), data=_form(
        image_upload=(io.BytesIO(b"not an image at all"), "carte.png", "image/png")),
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert _field_error(response, "field-image-upload")


def test_submitter_edits_the_title_of_the_reuse(app, api_headers):
    """The submitter's edit form is filled in with the reuse, and saving changes the title."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public, portal.second], title="Ancien titre")
    headers = api_headers(portal.submitter)
    soup = _soup(app.get(f"/reuses/{reuse['name']}/edit", headers=headers))
    assert soup.select_one("#field-title")["value"] == "Ancien titre"
    assert set(soup.select_one("#field-datasets")["value"].split(", ")) == {
        "budget-primitif", "arbres-urbains"}
    values = {field["name"]: field.get("value", "") for field in soup.select("#reuse-form input")
              if field.get("name") and field.get("type") not in ("file",)}
    values.update({"title": "Nouveau titre", "type": "application",
                   "description": reuse["description"], "topic": reuse["topic"] or ""})
    response = app.post(f"/reuses/{reuse['name']}/edit", headers=headers, data=values,
                        follow_redirects=False)
    assert response.status_code == 302
    reuse = helpers.call_action("reuse_show", as_user(portal.sysadmin), id=reuse["id"])
    assert reuse["title"] == "Nouveau titre"


def test_edit_form_is_forbidden_to_another_user(app, api_headers):
    """A user who neither submitted nor moderates the reuse gets a 403 on its edit form."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    assert app.get(f"/reuses/{reuse['name']}/edit",
                   headers=api_headers(portal.plain)).status_code == 403


def test_sysadmin_features_a_reuse_from_the_edit_form(app, api_headers):
    """Only a sysadmin's edit form has the featured box; ticking it features the reuse."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    assert _soup(app.get(f"/reuses/{reuse['name']}/edit", headers=api_headers(
        portal.submitter))).select_one("#field-featured") is None
    headers = api_headers(portal.sysadmin)
    assert _soup(app.get(f"/reuses/{reuse['name']}/edit", headers=headers)).select_one(
        "#field-featured") is not None
    app.post(f"/reuses/{reuse['name']}/edit", headers=headers, data=_form(
        title=reuse["title"], url=reuse["url"], featured="on"))
    reuse = helpers.call_action("reuse_show", as_user(portal.sysadmin), id=reuse["id"])
    assert reuse["featured"] is True


def test_submitter_editing_a_published_reuse_is_told_it_goes_back_to_moderation(app, api_headers):
    """A submitter's change to a published reuse is saved, and the page says it awaits moderation."""
    portal = make_portal()
    reuse = published(portal, [portal.public], title="Ancien titre")
    response = app.post(f"/reuses/{reuse['name']}/edit", headers=api_headers(portal.submitter),
                        data=_form(title="Nouveau titre", url=reuse["url"]),
                        follow_redirects=True)
    assert "once a moderator has checked the changes" in _soup(response).select_one(
        ".alert").get_text()
    assert _soup(response).select_one(".reuse-state-pending") is not None


def test_editing_keeps_an_uploaded_image_unless_removed(app, api_headers):
    """Saving the edit form keeps the uploaded image; ticking "remove" takes it away."""
    portal = make_portal()
    reuse = helpers.call_action("reuse_create", as_user(portal.sysadmin), title="Carte",
                                url="https://image.example.org/", type="other",
                                datasets=[portal.public["id"]],
                                image_upload=upload(image_bytes()))
    headers = api_headers(portal.sysadmin)
    soup = _soup(app.get(f"/reuses/{reuse['name']}/edit", headers=headers))
    assert soup.select_one("#field-image-url")["value"] == ""
    app.post(f"/reuses/{reuse['name']}/edit", headers=headers,
             data=_form(title="Carte renommée", url=reuse["url"]))
    kept = helpers.call_action("reuse_show", as_user(portal.sysadmin), id=reuse["id"])
    assert kept["title"] == "Carte renommée"
    assert kept["image_url"] == reuse["image_url"]
    assert app.get(kept["image_url"]).status_code == 200
    app.post(f"/reuses/{reuse['name']}/edit", headers=headers,
             data=_form(title="Carte renommée", url=reuse["url"], clear_image="on"))
    cleared = helpers.call_action("reuse_show", as_user(portal.sysadmin), id=reuse["id"])
    assert cleared["image_url"] is None


@pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
def test_visitor_submits_a_pending_reuse_when_anonymous_submission_is_on(app, reset_redis):
    """With anonymous submission on, a visitor's form (CSRF token, empty honeypot) makes a pending reuse."""
    reset_redis("reuse_tracker:rate:*")  # earlier runs' attempts count against the limit
    portal = make_portal()
    client = app.test_client()
    form = client.get("/reuses/new")
    assert form.status_code == 200
    assert _soup(form).select_one(".reuse-hp input[name=website_confirm]") is not None
    response = client.post("/reuses/new", data=_form(
        _csrf_token=csrf_token(form.body), website_confirm="",
        contact_email="visiteur@example.org"), environ_base=VISITOR, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reuses")
    pending = helpers.call_action("reuse_list", as_user(portal.sysadmin), state="pending")
    assert [reuse["title"] for reuse in pending["results"]] == ["Carte des budgets"]


@pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
def test_visitor_filling_the_honeypot_creates_nothing(app, reset_redis):
    """A visitor's form that comes back with the hidden honeypot filled in is refused."""
    reset_redis("reuse_tracker:rate:*")
    portal = make_portal()
    client = app.test_client()
    form = client.get("/reuses/new")
    response = client.post("/reuses/new", data=_form(
        _csrf_token=csrf_token(form.body), website_confirm="http://spam.example"),
        environ_base=VISITOR)
    assert response.status_code == 200
    assert _soup(response).select_one("#reuse-form-errors") is not None
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")["count"] == 0
