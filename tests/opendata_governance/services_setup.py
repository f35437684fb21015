"""Shared set-up of the owner service tests: plugins, schema and a populated portal."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import OrganizationSetting
from tests.opendata_governance.clean_peer import ALLOWLIST
from tests.opendata_governance.gate_setup import open_dataset, published
from tests.shared import PASSWORD

PLUGINS = "postgres_search scheming_datasets opendata_governance"
SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"

#: Marks every service test: our plugins, our dataset schema, a clean database, and the
#: checks allowed to read the fixtures' files from the loopback peer (clean_peer).
MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", ALLOWLIST),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


@dataclasses.dataclass
class Portal:
    """Two organizations, one service in the first, and a user of every kind."""

    sysadmin: dict[str, Any]
    admin: dict[str, Any]
    editor: dict[str, Any]
    member: dict[str, Any]
    other_editor: dict[str, Any]
    plain: dict[str, Any]
    org: dict[str, Any]
    other_org: dict[str, Any]
    service: dict[str, Any]


def make_portal() -> Portal:
    users = {key: factories.User(password=PASSWORD)
             for key in ("admin", "editor", "member", "other_editor", "plain")}
    sysadmin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"},
        {"name": users["member"]["name"], "capacity": "member"},
    ])
    other_org = factories.Organization(users=[
        {"name": users["other_editor"]["name"], "capacity": "editor"},
    ])
    service = helpers.call_action(
        "governance_service_create", {"user": sysadmin["name"]},
        organization_id=org["id"], name="direction-des-finances",
        title="Direction des finances", email="finances@example.org")
    return Portal(sysadmin=sysadmin, org=org, other_org=other_org,
                  service=service, **users)




def dataset(portal: Portal, service: str | None = "direction-des-finances",
            **kwargs: Any) -> dict[str, Any]:
    """A dataset of the portal's organization, given this owner service.

    Public unless ``private=True``; public in an organization that keeps the
    publication gate on means published through it, with an approved sign-off.
    """
    data: dict[str, Any] = {"owner_org": portal.org["id"], **kwargs}
    if service is not None:
        data["owner_service"] = service
    if data.get("private") or not OrganizationSetting.gate_enabled_for(data["owner_org"]):
        return factories.Dataset(**data)
    # A sign-off a reviewer could give: no blocking check fails without an override.
    return published(**open_dataset(**data))



