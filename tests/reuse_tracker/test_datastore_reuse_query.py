"""A reuse pointing at a DataStore query: validated with the submitter's rights, stored,
and shown (with links that run it) only to those who can read the resource."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from bs4 import BeautifulSoup

from ckan.tests import helpers

from tests.shared import as_user, csrf_token, login
from tests.reuse_tracker.datastore_refs_setup import MARKS, table
from tests.reuse_tracker.reuse_setup import make_portal, submit, unique_url

pytestmark = MARKS


def _errors(info: pytest.ExceptionInfo) -> str:
    return " ".join(info.value.error_dict["datastore_query"])


def _publish(portal: Any, reuse: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=reuse["id"],
                               decision="publish")


def _run(app: Any, api_url: str) -> dict[str, Any]:
    """Follow the reuse's Data API link through the portal's web app."""
    parts = urllib.parse.urlsplit(api_url)
    response = app.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.body
    return json.loads(response.body)["result"]


def test_a_reuse_stores_a_query_and_its_link_runs_it(app):
    """A query with filters, search and sort is stored; the API link returns its rows."""
    portal = make_portal()
    resource = table(portal.public["id"])
    reuse = submit(portal.submitter, [portal.public], datastore_query={
        "resource_id": resource["id"], "filters": {"departement": "35"},
        "sort": "habitants desc"})
    query = reuse["datastore_query"]
    assert (query["resource_id"], query["filters"], query["sort"]) == (
        resource["id"], {"departement": "35"}, "habitants desc")
    assert query["resource_url"].endswith(
        f"/dataset/{portal.public['name']}/resource/{resource['id']}")
    result = _run(app, query["api_url"])
    assert [row["commune"] for row in result["records"]] == ["Rennes", "Saint-Malo"]


def test_the_query_may_come_as_json_text_with_a_list_filter_and_q(app):
    """The API takes the query as JSON text too; a filter's list means "any of"."""
    portal = make_portal()
    resource = table(portal.public["id"])
    reuse = submit(portal.submitter, [portal.public], datastore_query=json.dumps({
        "resource_id": resource["id"], "filters": {"commune": ["Brest", "Quimper"]},
        "q": "Quimper"}))
    result = _run(app, reuse["datastore_query"]["api_url"])
    assert [row["commune"] for row in result["records"]] == ["Quimper"]


@pytest.mark.parametrize("query, message", [
    ({"filters": {"commune": "Rennes"}}, "resource_id"),
    ({"filters": {"ville": "Rennes"}}, "No such field in the resource's table: ville"),
    ({"sort": "population desc"}, "No such field in the resource's table: population"),
    ({"filters": {f"f{n}": "x" for n in range(11)}}, "At most 10 filters"),
    ({"filters": {"commune": ["x"] * 21}}, "A filter takes 1 to 20 values"),
    ({"filters": {"commune": {"nested": 1}}}, "texts or numbers"),
    ({"q": "x" * 201}, "at most 200 characters"),
    ({"sort": "commune, habitants, departement, commune"}, "at most 3 fields"),
    ({"limit": 5}, "Unknown query keys: limit"),
    ({"filters": {"habitants": "beaucoup"}}, "The DataStore refuses this query"),
    ({"sort": "commune; DROP TABLE x"}, "No such field in the resource's table"),
    ("not json", "JSON object"),
    ({"filters": "{bad"}, "JSON object"),
])
def test_bad_queries_are_refused_naming_the_field(query, message):
    """Each bad query is a ValidationError on datastore_query saying what is wrong."""
    portal = make_portal()
    resource = table(portal.public["id"])
    if isinstance(query, dict) and message != "resource_id":
        query = {"resource_id": resource["id"], **query}
    with pytest.raises(helpers.logic.ValidationError) as info:
        submit(portal.submitter, [portal.public], datastore_query=query)
    assert message in _errors(info)
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")[
        "count"] == 0


def test_a_resource_without_a_table_or_unknown_is_refused():
    """The resource must exist and be loaded in the DataStore."""
    portal = make_portal()
    plain = helpers.call_action("resource_create", {"ignore_auth": True},
                                package_id=portal.public["id"], url="http://example.org/x")
    with pytest.raises(helpers.logic.ValidationError) as info:
        submit(portal.submitter, [portal.public], datastore_query={"resource_id": plain["id"]})
    assert "has no data table" in _errors(info)
    with pytest.raises(helpers.logic.ValidationError) as info:
        submit(portal.submitter, [portal.public], datastore_query={"resource_id": "nope"})
    assert "Resource not found" in _errors(info)


def test_a_private_resource_cannot_be_named_by_who_cannot_read_it():
    """A submitter outside the organization gets "not found" for its private table; a
    member of the organization may name it."""
    portal = make_portal()
    secret = table(portal.private["id"])
    with pytest.raises(helpers.logic.ValidationError) as info:
        submit(portal.plain, [portal.public], datastore_query={"resource_id": secret["id"]})
    assert "Resource not found" in _errors(info)
    reuse = submit(portal.member, [portal.public], datastore_query={
        "resource_id": secret["id"], "filters": {"commune": "Brest"}})
    assert reuse["datastore_query"]["resource_id"] == secret["id"]


def test_a_private_resources_query_does_not_leak_through_the_showcase(app):
    """A published reuse whose query names a private resource: the visitor and an outsider
    see neither the query nor its links (action, gallery, reuse page); the organization's
    member sees them."""
    portal = make_portal()
    secret = table(portal.private["id"], name="tableau-secret.csv")
    reuse = _publish(portal, submit(portal.member, [portal.public], datastore_query={
        "resource_id": secret["id"], "filters": {"commune": "Quimper"}}))
    for user in (None, portal.plain, portal.other_admin):
        shown = helpers.call_action("reuse_show", as_user(user), id=reuse["id"])
        assert shown["datastore_query"] is None
        listed = helpers.call_action("reuse_list", as_user(user))["results"]
        assert [item["datastore_query"] for item in listed] == [None]
    for body in (app.get(f"/reuses/{reuse['name']}").body,
                 app.get("/reuses").body,
                 login(app, portal.plain).get(f"/reuses/{reuse['name']}").body,
                 app.get(f"/api/3/action/reuse_show?id={reuse['id']}").body):
        assert secret["id"] not in body
        assert "Quimper" not in body
        assert "tableau-secret" not in body
    page = login(app, portal.member).get(f"/reuses/{reuse['name']}").body
    link = BeautifulSoup(page, "html.parser").select_one("a.reuse-datastore-api")
    assert link is not None and secret["id"] in link["href"]
    assert "Quimper" in page


def test_update_changes_clears_and_keeps_what_the_caller_cannot_see():
    """reuse_update replaces the query, an empty value removes it, and an editor who
    cannot read the query's resource leaves it in place."""
    portal = make_portal()
    public_table = table(portal.public["id"])
    secret = table(portal.private["id"])
    reuse = submit(portal.submitter, [portal.public])
    assert reuse["datastore_query"] is None
    updated = helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                                  datastore_query={"resource_id": public_table["id"],
                                                   "q": "Brest"})
    assert updated["datastore_query"]["q"] == "Brest"
    cleared = helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                                  datastore_query="")
    assert cleared["datastore_query"] is None

    hidden = submit(portal.member, [portal.public], datastore_query={
        "resource_id": secret["id"]})
    # The reuse's moderator from another organization cannot read the private table.
    helpers.call_action("reuse_update", as_user(portal.sysadmin), id=hidden["id"],
                        datasets=[portal.public["id"], portal.other["id"]])
    helpers.call_action("reuse_update", as_user(portal.other_admin), id=hidden["id"],
                        datastore_query="", title="Nouveau titre")
    again = helpers.call_action("reuse_show", as_user(portal.member), id=hidden["id"])
    assert again["title"] == "Nouveau titre"
    assert again["datastore_query"]["resource_id"] == secret["id"]


def _form(**fields: Any) -> dict[str, Any]:
    return {"title": "Carte des communes", "url": unique_url(), "description": "Une carte.",
            "type": "visualization", "topic": "", "datasets": "budget-primitif",
            "image_url": "", "contact_email": "", "query_resource_id": "",
            "query_filters": "", "query_q": "", "query_sort": "", **fields}


def test_the_form_takes_the_query_and_shows_its_errors(app):
    """Through the form (session and CSRF token): a bad filter comes back on the form
    with the error, a good one is stored and linked from the reuse page."""
    portal = make_portal()
    resource = table(portal.public["id"])
    client = login(app, portal.submitter)
    token = csrf_token(client.get("/reuses/new").body)
    bad = client.post("/reuses/new", data=_form(
        _csrf_token=token, query_resource_id=resource["id"],
        query_filters='{"ville": "<b>Rennes</b>"}'))
    assert bad.status_code == 200
    assert "No such field in the resource&#39;s table: ville" in bad.body
    assert "<b>Rennes</b>" not in bad.body
    response = client.post("/reuses/new", data=_form(
        _csrf_token=token, query_resource_id=resource["id"],
        query_filters='{"departement": "29"}', query_sort="habitants"),
        follow_redirects=True)
    assert response.status_code == 200
    reuse = helpers.call_action("reuse_list", as_user(portal.submitter), mine=True)[
        "results"][0]
    assert reuse["datastore_query"]["filters"] == {"departement": "29"}
    link = BeautifulSoup(response.body, "html.parser").select_one("a.reuse-datastore-api")
    assert link is not None and urllib.parse.quote(resource["id"]) in link["href"]
    edit = client.get(f"/reuses/{reuse['name']}/edit").body
    field = BeautifulSoup(edit, "html.parser").select_one("#field-query-filters")
    assert json.loads(field["value"]) == {"departement": "29"}


def test_the_form_without_csrf_token_is_refused(app):
    portal = make_portal()
    resource = table(portal.public["id"])
    response = login(app, portal.submitter).post("/reuses/new", data=_form(
        query_resource_id=resource["id"]))
    assert response.status_code in (400, 403)
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")[
        "count"] == 0
