"""The publication gate in the web forms: dataset edit and new forms, organization bulk page."""
from __future__ import annotations

import html
from typing import Any

from ckan.tests import factories, helpers

from tests.opendata_governance.gate_setup import approve, open_dataset
from tests.shared import csrf_token, login
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

REFUSAL = "it has no approved compliance sign-off"


def _private_dataset(portal: Any, **kwargs: Any) -> dict[str, Any]:
    return factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True,
                                            **kwargs))


def _edit_form(client: Any, dataset: dict[str, Any], **changes: Any) -> Any:
    page = client.get(f"/dataset/edit/{dataset['name']}")
    form = {
        "_csrf_token": csrf_token(page.body),
        "name": dataset["name"], "title": dataset["title"], "notes": dataset["notes"] or "",
        "owner_org": dataset["owner_org"], "license_id": dataset["license_id"],
        "contains_personal_data": "false", "private": "True", "save": "",
        **changes,
    }
    return client.post(f"/dataset/edit/{dataset['name']}", data=form,
                       follow_redirects=False)


def _is_private(dataset_id: str) -> bool:
    return helpers.call_action("package_show", id=dataset_id)["private"]


def test_edit_form_shows_the_refusal_on_the_visibility_field(app):
    """Publishing through the edit form without a sign-off re-renders the form with the reason."""
    portal = make_portal()
    dataset = _private_dataset(portal)
    response = _edit_form(login(app, portal.editor), dataset, private="False")
    assert response.status_code == 200
    assert REFUSAL in html.unescape(response.body)
    assert _is_private(dataset["id"])


def test_edit_form_publishes_a_signed_off_dataset(app):
    """Publishing through the edit form with a matching sign-off redirects, dataset public."""
    portal = make_portal()
    dataset = _private_dataset(portal)
    approve(dataset["id"])
    response = _edit_form(login(app, portal.editor), dataset, private="False")
    assert response.status_code == 302, response.body
    assert not _is_private(dataset["id"])


def test_new_form_shows_the_refusal_for_a_public_dataset(app):
    """Creating a public dataset through the new form re-renders the form with the reason."""
    portal = make_portal()
    client = login(app, portal.editor)
    page = client.get("/dataset/new", query_string={"owner_org": portal.org["id"]})
    response = client.post("/dataset/new", data={
        "_csrf_token": csrf_token(page.body), "name": "budget-2026",
        "title": "Budget 2026", "owner_org": portal.org["id"], "private": "False",
        "license_id": "cc-by-4.0", "contains_personal_data": "false", "save": "continue",
    }, follow_redirects=False)
    assert response.status_code == 200
    assert REFUSAL in html.unescape(response.body)
    assert helpers.call_action("package_search", q="name:budget-2026",
                               include_private=True, include_drafts=True)["count"] == 0


def test_new_form_creates_a_private_dataset(app):
    """The new form creates a private dataset of a governed organization without a sign-off."""
    portal = make_portal()
    client = login(app, portal.editor)
    page = client.get("/dataset/new", query_string={"owner_org": portal.org["id"]})
    response = client.post("/dataset/new", data={
        "_csrf_token": csrf_token(page.body), "name": "budget-2026",
        "title": "Budget 2026", "owner_org": portal.org["id"], "private": "True",
        "license_id": "cc-by-4.0", "contains_personal_data": "false", "save": "continue",
    }, follow_redirects=False)
    assert response.status_code == 302, response.body
    assert _is_private("budget-2026")


def _bulk_publish(client: Any, portal: Any, *datasets: dict[str, Any]) -> Any:
    page = client.get(f"/organization/bulk_process/{portal.org['name']}")
    form = {"_csrf_token": csrf_token(page.body), "bulk_action.public": "public"}
    form.update({f"dataset_{d['id']}": "on" for d in datasets})
    return client.post(f"/organization/bulk_process/{portal.org['name']}", data=form,
                       follow_redirects=False)


def test_bulk_page_refusal_is_flashed_not_a_server_error(app):
    """Bulk publishing unsigned datasets redirects back to the page, which shows the refusal."""
    portal = make_portal()
    dataset = _private_dataset(portal, name="not-signed-off")
    client = login(app, portal.admin)
    response = _bulk_publish(client, portal, dataset)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).body
    assert "without a matching approved sign-off: not-signed-off" in html.unescape(page)
    assert _is_private(dataset["id"])


def test_bulk_page_publishes_signed_off_datasets(app):
    """Bulk publishing signed-off datasets makes them public."""
    portal = make_portal()
    dataset = _private_dataset(portal)
    approve(dataset["id"])
    response = _bulk_publish(login(app, portal.admin), portal, dataset)
    assert response.status_code == 302
    assert not _is_private(dataset["id"])


def test_api_refusal_is_a_409_naming_private(app, api_headers):
    """Through the HTTP API, a refused publication is a validation error on "private"."""
    portal = make_portal()
    dataset = _private_dataset(portal)
    response = app.post("/api/3/action/package_patch", headers=api_headers(portal.editor),
                        json={"id": dataset["id"], "private": False}, status=409)
    assert REFUSAL in response.json["error"]["private"][0]
    assert _is_private(dataset["id"])
