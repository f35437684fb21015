"""Shared set-up of the tests of the reuse tracker's DataStore references (a reuse's
query, a feedback's quoted row): the real DataStore database of the test database."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import factories, helpers

PLUGINS = "postgres_search datastore reuse_tracker"
MARKS = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
         pytest.mark.usefixtures("with_plugins", "clean_datastore")]

FIELDS = [{"id": "commune", "type": "text"}, {"id": "habitants", "type": "int"},
          {"id": "departement", "type": "text"}]
RECORDS = [{"commune": "Rennes", "habitants": 222485, "departement": "35"},
           {"commune": "Saint-Malo", "habitants": 46803, "departement": "35"},
           {"commune": "Brest", "habitants": 139456, "departement": "29"},
           {"commune": "Quimper", "habitants": 63283, "departement": "29"}]


def table(package_id: str, records: list[dict[str, Any]] | None = None,
          fields: list[dict[str, Any]] | None = None, name: str = "communes.csv"
          ) -> dict[str, Any]:
    """A resource of the dataset with a DataStore table (loaded as xloader would)."""
    resource = factories.Resource(package_id=package_id, name=name,
                                  url="http://example.org/communes.csv", format="CSV")
    helpers.call_action("datastore_create", {"ignore_auth": True},
                        resource_id=resource["id"], force=True,
                        fields=fields or FIELDS, records=records or RECORDS)
    return helpers.call_action("resource_show", {"ignore_auth": True}, id=resource["id"])


def row_id(resource_id: str, commune: str) -> int:
    """The DataStore ``_id`` of a commune's row."""
    found = helpers.call_action("datastore_search", {"ignore_auth": True},
                                resource_id=resource_id, filters={"commune": commune})
    return int(found["records"][0]["_id"])
