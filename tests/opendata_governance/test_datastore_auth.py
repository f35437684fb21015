"""A dataset's DataStore table answers only those who can see the dataset, through every
door: the Data API, SQL, the dump, the preview and its table queries."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.datastore_setup import MARKS
from tests.opendata_governance.gate_setup import switch_gate

pytestmark = MARKS + [pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", True)]

ROLES = ("anonymous", "outsider", "member", "editor", "sysadmin")
#: Who reads the table, by the dataset's visibility.
ALLOWED = {"public": set(ROLES), "private": {"member", "editor", "sysadmin"}}


def _token(user: dict[str, Any]) -> str:
    return helpers.call_action("api_token_create", {"user": user["name"]},
                               user=user["name"], name="auth")["token"]


def _portal(private: bool) -> dict[str, Any]:
    """An organization (gate off: the visibility is the test's) with a member and an
    editor, a dataset whose resource has a DataStore table and a table view."""
    users = {role: factories.User() for role in ("outsider", "member", "editor")}
    users["sysadmin"] = factories.Sysadmin()
    org = factories.Organization(users=[
        {"name": users["member"]["name"], "capacity": "member"},
        {"name": users["editor"]["name"], "capacity": "editor"}])
    switch_gate(org["id"], False)
    dataset = factories.Dataset(owner_org=org["id"], private=private)
    resource = factories.Resource(package_id=dataset["id"], url_type="datastore",
                                  url="_datastore_only_resource", format="CSV")
    helpers.call_action("datastore_create", {"ignore_auth": True},
                        resource_id=resource["id"], force=True,
                        records=[{"commune": "Paris", "montant": 12},
                                 {"commune": "Lyon", "montant": 8}])
    view = helpers.call_action("resource_view_create", {"ignore_auth": True},
                               resource_id=resource["id"], view_type="datatables_view",
                               title="Tableau")
    return {"dataset": dataset, "resource": resource, "view": view,
            "tokens": {role: _token(user) for role, user in users.items()}}


def _search(app: Any, portal: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.post("/api/3/action/datastore_search", headers=headers,
                    json={"resource_id": portal["resource"]["id"]})


def _sql(app: Any, portal: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.post("/api/3/action/datastore_search_sql", headers=headers, json={
        "sql": 'SELECT commune FROM "{}"'.format(portal["resource"]["id"])})


def _info(app: Any, portal: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.post("/api/3/action/datastore_info", headers=headers,
                    json={"id": portal["resource"]["id"]})


def _dump(app: Any, portal: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.get("/datastore/dump/{}".format(portal["resource"]["id"]), headers=headers)


def _view(app: Any, portal: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.get("/dataset/{}/resource/{}/view/{}".format(
        portal["dataset"]["id"], portal["resource"]["id"], portal["view"]["id"]),
        headers=headers)


def _ajax(app: Any, portal: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.post("/datatables/ajax/{}".format(portal["view"]["id"]), headers=headers,
                    data={"draw": "1", "search[value]": "", "start": "0", "length": "10"})


DOORS: dict[str, Callable[..., Any]] = {
    "datastore_search": _search, "datastore_search_sql": _sql, "datastore_info": _info,
    "dump": _dump, "view": _view, "datatables_ajax": _ajax}


def _answers(app: Any, portal: dict[str, Any], door: str) -> dict[str, int]:
    answers = {}
    for role in ROLES:
        headers = {"Authorization": portal["tokens"][role]} if role != "anonymous" else {}
        answers[role] = DOORS[door](app, portal, headers).status_code
    return answers


def _expected(visibility: str) -> dict[str, bool]:
    return {role: role in ALLOWED[visibility] for role in ROLES}


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("door", list(DOORS))
def test_the_table_answers_those_who_see_the_dataset(app, door, visibility):
    """Every role × every door: 200 for those who may see the dataset; 403 or 404,
    never the rows, for the others."""
    portal = _portal(private=visibility == "private")
    answers = _answers(app, portal, door)
    assert {role: status == 200 for role, status in answers.items()} == \
        _expected(visibility), answers
    assert all(status in (200, 403, 404) for status in answers.values()), answers


@pytest.mark.parametrize("door", list(DOORS))
def test_a_dataset_unpublished_by_the_scanner_closes_its_table(app, door):
    """When the gate makes a public dataset private, its table closes to visitors and
    outsiders at once."""
    from ckanext.opendata_governance import unpublish
    from tests.opendata_governance.gate_setup import approve

    portal = _portal(private=False)
    dataset_id = portal["dataset"]["id"]
    switch_gate(portal["dataset"]["owner_org"], True)
    approve(dataset_id)
    unpublished = unpublish.unpublish_for(dataset_id, [{
        "check_id": "personal_data_scan", "title": "No personal data found",
        "severity": "blocking", "resource_id": portal["resource"]["id"],
        "status": "failed", "findings": [{"message": "e-mails"}]}], "job")
    assert unpublished is True
    answers = _answers(app, portal, door)
    assert {role: status == 200 for role, status in answers.items()} == \
        _expected("private"), answers
