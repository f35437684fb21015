"""The gate and ``type=harvest``: skipped only for a real ckanext-harvest source, which holds no data."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.opendata_governance.gate_setup import open_dataset
from tests.shared import as_user
from tests.opendata_governance.services_setup import PLUGINS, SCHEMA, make_portal

DATA = [{"name": "budget.csv", "url": "https://example.org/budget.csv", "format": "CSV"}]

# Plugins are set per test (a module mark would win over a test's own).
without_harvest = pytest.mark.ckan_config("ckan.plugins", PLUGINS)
#: ckanext-harvest loaded, with one of the portal's harvesters so that a source is valid.
with_harvest = pytest.mark.ckan_config(
    "ckan.plugins", f"{PLUGINS} harvest territorial_ckan_harvester")
pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _harvest_type(portal: Any, **kwargs: Any) -> dict[str, Any]:
    return {"name": "source-partenaire", "type": "harvest", "owner_org": portal.org["id"],
            "url": "https://partner.example.org/", "source_type": "territorial_ckan",
            **open_dataset(**kwargs)}


@without_harvest
def test_without_ckanext_harvest_a_public_harvest_type_package_is_gated():
    """Without ckanext-harvest, an editor's public ``type=harvest`` package needs a sign-off."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_create", as_user(portal.editor),
                            **_harvest_type(portal, private=False, resources=DATA))
    assert "no approved compliance sign-off" in " ".join(error.value.error_dict["private"])
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("package_show", id="source-partenaire")


@without_harvest
def test_without_ckanext_harvest_a_harvest_type_package_is_not_published_by_patch():
    """Without ckanext-harvest, making a private ``type=harvest`` package public is gated."""
    portal = make_portal()
    created = factories.Dataset(**_harvest_type(portal, private=True, resources=DATA))
    with pytest.raises(tk.ValidationError):
        helpers.call_action("package_patch", as_user(portal.editor), id=created["id"],
                            private=False)
    assert helpers.call_action("package_show", id=created["id"])["private"] is True


@with_harvest
def test_a_harvest_source_is_public_without_sign_off_and_holds_no_data():
    """With ckanext-harvest, an editor's public harvest source is created, without resources."""
    portal = make_portal()
    source = helpers.call_action("package_create", as_user(portal.editor),
                                 **_harvest_type(portal, private=False, resources=DATA))
    assert source["private"] is False
    assert helpers.call_action("package_show", id=source["id"])["resources"] == []
