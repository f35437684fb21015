"""The demo keeps, whatever the day, a few datasets overdue or due soon.

These tests only read the portal, so they share one load of the demo (a module-scoped
fixture) instead of loading it into an empty portal each."""
from __future__ import annotations

from typing import Iterator

import pytest

from ckan.tests import helpers

from ckanext.opendata_governance import demo
from tests.opendata_governance.services_setup import PLUGINS, SCHEMA
from tests.portal import plugins_loaded, reset_portal

#: services_setup.MARKS less its clean_db, which would empty the shared load.
pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "loaded"),
]
OPTIONS = {"scheming.dataset_schemas": SCHEMA}


@pytest.fixture(scope="module")
def loaded_once(reset_db, migrate_db_for) -> Iterator[None]:
    """One load of the demo into an empty portal, with the suite's schema, for every
    test of this module; the portal is emptied again after them."""
    with plugins_loaded(PLUGINS, OPTIONS):
        reset_portal(reset_db, migrate_db_for)
        demo.load_demo()
    yield
    with plugins_loaded(PLUGINS, OPTIONS):
        reset_portal(reset_db, migrate_db_for)


@pytest.fixture
def loaded(loaded_once: None, with_plugins: None) -> None:
    """The module's load of the demo, with the plugins loaded for the test."""


def _names(status: str) -> set[str]:
    found = helpers.call_action("package_search", fq=f"update_status:{status}",
                                include_private=True, rows=100)
    return {item["name"] for item in found["results"]}


def test_demo_has_overdue_and_due_soon_datasets():
    """Loaded with the suite's schema, the demo has four overdue datasets and one due soon."""
    assert _names("overdue") == {
        "rennes-metropole-budget-primitif-2025",
        "rennes-metropole-qualite-air",
        "rennes-frequentation-bibliotheques",
        "cesson-sevigne-inscriptions-cantine",
    }
    assert _names("due_soon") == {"rennes-metropole-frequentation-reseau-star"}


def test_demo_uploads_keep_the_described_last_data_update():
    """Uploading the demo files does not turn the described dates into today."""
    dataset = helpers.call_action("package_show", id="rennes-metropole-budget-primitif-2025")
    assert dataset["last_data_update"] == "2025-02-06"
