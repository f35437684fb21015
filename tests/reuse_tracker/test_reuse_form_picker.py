"""The dataset picker of the reuse and data request forms (its search never offers a
dataset the user cannot read), and the reuse form's errors all shown at once."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.reuse_tracker import images
from ckanext.reuse_tracker.picker_views import search_query
from tests.shared import as_user, login
from tests.reuse_tracker import datarequest_setup
from tests.reuse_tracker.reuse_setup import (MARKS, image_bytes, make_portal, published,
                                             submit, upload)

pytestmark = MARKS


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _offered(client: Any, text: str) -> list[str]:
    response = client.get("/reuses/dataset-picker", query_string={"q": text})
    assert response.status_code == 200
    return [dataset["name"] for dataset in response.json["results"]]


# The search.

def _prefixes(*words: str) -> str:
    return " AND ".join(f"(title:{word}* OR name:{word}*)" for word in words)


@pytest.mark.parametrize("typed,query", [
    ("budg", _prefixes("budg")), ("Budget prim", _prefixes("budget", "prim")), ("  ", ""),
    ('budget" OR name:*', _prefixes("budget", "or", "name")),
    ("Élections (2024)", _prefixes("élections", "2024")),
    ("subventions-brouillon", _prefixes("subventions", "brouillon"))])
def test_the_typed_words_become_prefixes_and_nothing_else(typed, query):
    """Only letters and digits reach the search, each word a prefix."""
    assert search_query(typed) == query


def test_the_search_finds_a_dataset_by_the_start_of_its_title(app):
    """A few letters of a title's words find the dataset, with its title and name."""
    portal = make_portal()
    response = app.get("/reuses/dataset-picker", query_string={"q": "budg prim"})
    assert response.json["results"] == [{"id": portal.public["id"], "name": "budget-primitif",
                                         "title": "Budget primitif"}]


@pytest.mark.parametrize("who,offered", [
    ("anonymous", False), ("plain", False), ("submitter", False), ("other_admin", False),
    ("member", True), ("editor", True), ("admin", True), ("sysadmin", True)])
def test_a_private_dataset_is_offered_only_to_who_may_read_it(app, who, offered):
    """The private draft is offered to its organization's members and sysadmins only."""
    portal = make_portal()
    client = app if who == "anonymous" else login(app, getattr(portal, who))
    assert ("subventions-brouillon" in _offered(client, "subv")) is offered
    assert "budget-primitif" in _offered(client, "budget")


def test_an_empty_search_offers_nothing(app):
    """Without a word typed, the picker offers no dataset."""
    make_portal()
    assert _offered(app, " ") == [] and _offered(app, "*") == []


# The forms.

def test_the_reuse_form_turns_the_datasets_field_into_a_picker(app, api_headers):
    """The datasets field carries the picker's search address and the titles of the
    datasets already in it; the page loads the picker's script."""
    portal = make_portal()
    soup = _soup(app.get("/reuses/new?dataset=budget-primitif",
                         headers=api_headers(portal.submitter)))
    field = soup.select_one("#field-datasets")
    assert field["value"] == "budget-primitif"
    assert field["data-dataset-picker"] == "/reuses/dataset-picker"
    assert json.loads(field["data-dataset-picker-titles"]) == {
        "budget-primitif": "Budget primitif"}
    assert soup.select_one("script[src$='/reuse_tracker/dataset-picker.js']")


def test_the_form_never_shows_the_title_of_a_dataset_the_user_cannot_read(app, api_headers):
    """A private dataset's name typed by an outsider stays a bare name: its title is not
    given away."""
    portal = make_portal()
    soup = _soup(app.get("/reuses/new?dataset=subventions-brouillon",
                         headers=api_headers(portal.plain)))
    assert json.loads(soup.select_one("#field-datasets")["data-dataset-picker-titles"]) == {}
    assert "Subventions (brouillon)" not in soup.get_text()


def test_the_edit_form_gives_the_titles_of_the_linked_datasets(app, api_headers):
    """Editing a reuse, the picker starts with the linked datasets' titles."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public, portal.second])
    soup = _soup(app.get(f"/reuses/{reuse['name']}/edit",
                         headers=api_headers(portal.submitter)))
    titles = json.loads(soup.select_one("#field-datasets")["data-dataset-picker-titles"])
    assert titles == {"budget-primitif": "Budget primitif", "arbres-urbains": "Arbres urbains"}


def test_the_close_as_published_field_is_a_single_dataset_picker(app):
    """A data request's moderator closes it with a picker of one dataset."""
    portal = datarequest_setup.make_portal()
    soup = _soup(login(app, portal.admin).get(f"/datarequest/{portal.request['id']}"))
    field = soup.select_one("#field-close-package")
    assert field["name"] == "package_id"
    assert field["data-dataset-picker"] == "/reuses/dataset-picker"
    assert field.has_attr("data-dataset-picker-single")
    assert soup.select_one("script[src$='/reuse_tracker/dataset-picker.js']")


def test_the_close_form_still_takes_a_typed_name(app):
    """Without JavaScript, the typed dataset name closes the request as published."""
    portal = datarequest_setup.make_portal()
    client = login(app, portal.admin)
    url = f"/datarequest/{portal.request['id']}"
    token = datarequest_setup.csrf_token(client.get(url).body)
    response = client.post(f"{url}/close", data={
        "_csrf_token": token, "state": "published", "package_id": portal.dataset["name"]},
        follow_redirects=False)
    assert response.status_code == 302
    closed = helpers.call_action("datarequest_show", id=portal.request["id"])
    assert closed["state"] == "published"


# Every error at once.

def _bad_form(**fields: Any) -> dict[str, Any]:
    return {"title": "", "url": "javascript:alert(1)", "description": "", "type": "spaceship",
            "topic": "", "datasets": "nulle-part, subventions-brouillon", "image_url": "",
            "contact_email": "pas-une-adresse", "query_resource_id": "inconnue", **fields}


def _error_by(soup: BeautifulSoup, field_id: str) -> str:
    group = soup.select_one(f"#{field_id}").find_parent(class_="form-group")
    error = group.select_one(".error-block") if group else None
    return error.get_text(" ", strip=True) if error else ""


def test_the_reuse_form_shows_every_error_at_once_each_by_its_field(app, api_headers):
    """Title, URL, type, datasets, e-mail and query errors all come back in one answer,
    each next to its field and all in the summary."""
    portal = make_portal()
    response = app.post("/reuses/new", headers=api_headers(portal.plain), data=_bad_form())
    assert response.status_code == 200
    soup = _soup(response)
    for field_id in ("field-title", "field-url", "field-type", "field-datasets",
                     "field-contact-email"):
        assert _error_by(soup, field_id), field_id
    assert "nulle-part" in _error_by(soup, "field-datasets")
    assert soup.select_one(".reuse-datastore-query .error-block").get_text(strip=True)
    summary = {item["data-field"] for item in soup.select("#reuse-form-errors li")}
    assert {"title", "url", "type", "datasets", "contact_email", "datastore_query"} <= summary
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")["count"] == 0


def test_reuse_create_reports_the_checks_of_the_database_with_the_schemas():
    """A duplicate URL, an unknown dataset and a foreign organization are reported together
    with a bad type."""
    portal = make_portal()
    first = published(portal, url="https://carte.example.org/")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("reuse_create", as_user(portal.plain), title="Carte",
                            url="https://carte.example.org", type="spaceship",
                            datasets="nulle-part", organization_id=portal.org["id"])
    assert {"url", "type", "datasets", "organization_id"} <= set(error.value.error_dict)
    assert first["name"] in error.value.error_dict["url_existing"]


def test_reuse_update_reports_every_error_and_changes_nothing():
    """An update with a bad URL and unknown datasets reports both, the reuse unchanged."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public], title="Avant")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                            title="Après", url="ftp://example.org", datasets="nulle-part")
    assert {"url", "datasets"} <= set(error.value.error_dict)
    assert helpers.call_action("reuse_show", as_user(portal.submitter),
                               id=reuse["id"])["title"] == "Avant"


@pytest.mark.ckan_config("ckan.storage_path", None)
def test_an_image_sent_with_a_refused_form_is_not_kept(tmp_path, monkeypatch):
    """A valid image uploaded with otherwise bad fields is reported with them and not stored."""
    monkeypatch.setattr(images, "_folder", lambda: tmp_path)
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("reuse_create", as_user(portal.submitter), title="Carte",
                            url="https://carte.example.org", type="application",
                            datasets="nulle-part", image_upload=upload(image_bytes()))
    assert set(error.value.error_dict) == {"datasets"}
    assert list(tmp_path.iterdir()) == []


def test_datarequest_create_reports_the_organization_with_the_schemas_errors():
    """An unknown organization is reported together with a missing title."""
    portal = datarequest_setup.make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("datarequest_create", as_user(portal.plain), title="",
                            description="Les horaires.", organization_id="nulle-part")
    assert {"title", "organization_id"} <= set(error.value.error_dict)


def test_a_hostile_title_stays_inside_the_pickers_attribute(app, api_headers):
    """A dataset title made of HTML and quotes is JSON inside the attribute, never markup."""
    portal = make_portal()
    hostile = '"><img src=x onerror=alert(1)>\'</script>'
    helpers.call_action("package_patch", id=portal.public["id"], title=hostile)
    soup = _soup(app.get("/reuses/new?dataset=budget-primitif",
                         headers=api_headers(portal.submitter)))
    titles = json.loads(soup.select_one("#field-datasets")["data-dataset-picker-titles"])
    assert titles == {"budget-primitif": hostile}
    assert soup.find("img", src="x") is None
    found = app.get("/reuses/dataset-picker", query_string={"q": "budget"}).json["results"]
    assert found[0]["title"] == hostile
