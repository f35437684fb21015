"""Shared set-up of the data request tests: plugins, a populated portal, helpers."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ckan.tests import factories, helpers

from tests.shared import PASSWORD, as_user, csrf_token, login

__all__ = ["PLUGINS", "MARKS", "ROLES", "PASSWORD", "Portal", "make_portal", "as_user",
           "create", "csrf_token", "login"]

PLUGINS = "postgres_search reuse_tracker"

#: Marks every data request test: the reuse tracker alone, a clean database.
MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

#: The six roles of the auth matrix: ``author`` wrote the request, ``editor`` and
#: ``admin`` belong to its target organization (only the admin moderates it).
ROLES = ("anonymous", "plain", "author", "editor", "admin", "sysadmin")


@dataclasses.dataclass
class Portal:
    """The request's target organization (an admin, an editor) and another one (an
    admin), a public and a private dataset of the target organization, a user of every
    kind, and one open data request by ``author`` targeting the organization."""

    sysadmin: dict[str, Any]
    admin: dict[str, Any]
    editor: dict[str, Any]
    plain: dict[str, Any]
    author: dict[str, Any]
    other_admin: dict[str, Any]
    org: dict[str, Any]
    other_org: dict[str, Any]
    dataset: dict[str, Any]
    private: dict[str, Any]
    request: dict[str, Any]

    def user(self, role: str) -> dict[str, Any] | None:
        return None if role == "anonymous" else getattr(self, role)


def make_portal() -> Portal:
    users = {key: factories.User(password=PASSWORD)
             for key in ("admin", "editor", "plain", "author", "other_admin")}
    sysadmin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(title="Ville de Saint-Martin", users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"},
    ])
    other_org = factories.Organization(title="Communauté de communes", users=[
        {"name": users["other_admin"]["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"], title="Équipements sportifs",
                                resources=[{"url": "http://example.org/e.csv"}])
    private = factories.Dataset(owner_org=org["id"], private=True, title="Fichier interne")
    request = create(users["author"], organization_id=org["id"])
    return Portal(sysadmin=sysadmin, org=org, other_org=other_org, dataset=dataset,
                  private=private, request=request, **users)


def create(user: dict[str, Any] | None, **data: Any) -> dict[str, Any]:
    """datarequest_create as this user, with a plausible title and description by default."""
    data.setdefault("title", "Horaires d'ouverture des équipements sportifs")
    data.setdefault("description",
                    "Les horaires des gymnases et piscines, mis à jour chaque saison.")
    return helpers.call_action("datarequest_create", as_user(user), **data)
