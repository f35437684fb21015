"""Shared set-up of the feedback tests: plugins, a populated portal, helpers."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ckan.tests import factories, helpers
from tests.shared import PASSWORD, as_user

PLUGINS = "postgres_search reuse_tracker"
GOVERNANCE_PLUGINS = "postgres_search scheming_datasets opendata_governance reuse_tracker"
SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"

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




def post(user: dict[str, Any] | None, package_id: str, **data: Any) -> dict[str, Any]:
    """feedback_create as this user, with a question by default."""
    data.setdefault("kind", "question")
    data.setdefault("body", "Une question sur ces données.")
    return helpers.call_action("feedback_create", as_user(user), package_id=package_id, **data)



