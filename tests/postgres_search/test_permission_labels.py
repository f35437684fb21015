"""Dataset visibility in search follows the permission labels plugins give."""
from __future__ import annotations

import pytest

from ckan.tests import factories


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "postgres_search example_ipermissionlabels")
def test_custom_permission_labels_plugin_is_honoured(app, api_headers):
    """Visibility follows the labels an IPermissionLabels plugin gives, as on Solr."""
    owner = factories.User()
    other = factories.User()
    org = factories.Organization(users=[{"name": owner["name"], "capacity": "editor"}])
    # The example plugin shows "Proposed:" datasets to their creator only.
    factories.Dataset(name="proposition", notes="Proposed: a new dataset",
                      owner_org=org["id"], user=owner)
    factories.Dataset(name="publique", notes="Ordinary", owner_org=org["id"])
    seen = app.get("/api/3/action/package_search", headers=api_headers(owner)).json["result"]
    unseen = app.get("/api/3/action/package_search", headers=api_headers(other)).json["result"]
    assert {r["name"] for r in seen["results"]} == {"proposition", "publique"}
    assert {r["name"] for r in unseen["results"]} == {"publique"}
