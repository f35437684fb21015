"""Shared set-up of the feedback tests: plugins, a populated portal, helpers."""
from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from ckan.tests import factories, helpers

PLUGINS = "postgres_search reuse_tracker"
GOVERNANCE_PLUGINS = "postgres_search scheming_datasets opendata_governance reuse_tracker"
SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"
PASSWORD = "Correct-horse-battery-1"

#: Marks every feedback test: the reuse tracker alone, a clean database.
MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

#: The same, with the governance plugin (owner services) loaded too.
GOVERNANCE_MARKS = [
    pytest.mark.ckan_config("ckan.plugins", GOVERNANCE_PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

ROLES = ("anonymous", "plain", "author", "editor", "admin", "sysadmin")


@dataclasses.dataclass
class Portal:
    """One organization with a public and a private dataset, a user of every kind,
    and one feedback item by ``author`` on the public dataset."""

    sysadmin: dict[str, Any]
    admin: dict[str, Any]
    editor: dict[str, Any]
    member: dict[str, Any]
    plain: dict[str, Any]
    author: dict[str, Any]
    other_editor: dict[str, Any]
    org: dict[str, Any]
    other_org: dict[str, Any]
    dataset: dict[str, Any]
    private: dict[str, Any]
    feedback: dict[str, Any]

    def user(self, role: str) -> dict[str, Any] | None:
        return None if role == "anonymous" else getattr(self, role)


def make_portal(service: str | None = "direction-des-finances") -> Portal:
    users = {key: factories.User(password=PASSWORD)
             for key in ("admin", "editor", "member", "plain", "author", "other_editor")}
    sysadmin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"},
        {"name": users["member"]["name"], "capacity": "member"},
    ])
    other_org = factories.Organization(users=[
        {"name": users["other_editor"]["name"], "capacity": "editor"}])
    extras = [{"key": "owner_service", "value": service}] if service else []
    dataset = factories.Dataset(owner_org=org["id"], title="Budget primitif",
                                extras=extras, resources=[{"url": "http://example.org/b.csv"}])
    private = factories.Dataset(owner_org=org["id"], private=True, title="Fichier interne",
                                extras=extras)
    feedback = helpers.call_action(
        "feedback_create", as_user(users["author"]), package_id=dataset["id"],
        kind="question", body="Les montants sont-ils en euros ?", rating=4)
    return Portal(sysadmin=sysadmin, org=org, other_org=other_org, dataset=dataset,
                  private=private, feedback=feedback, **users)


def as_user(user: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """An action context for the user, anonymous when None."""
    return {"user": user["name"] if user else "", "ignore_auth": False, **extra}


def post(user: dict[str, Any] | None, package_id: str, **data: Any) -> dict[str, Any]:
    """feedback_create as this user, with a question by default."""
    data.setdefault("kind", "question")
    data.setdefault("body", "Une question sur ces données.")
    return helpers.call_action("feedback_create", as_user(user), package_id=package_id, **data)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = re.search(r'name="_csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="_csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(app: Any, user: dict[str, Any]) -> Any:
    """A test client holding the session of the user, logged in through the login form."""
    client = app.test_client()
    page = client.get("/user/login")
    response = client.post("/user/login", data={
        "login": user["name"], "password": PASSWORD,
        "_csrf_token": csrf_token(page.body)}, follow_redirects=False)
    assert response.status_code == 302, response.body
    return client
