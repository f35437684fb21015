"""The demo keeps, whatever the day, a few datasets overdue or due soon."""
from __future__ import annotations

from ckan.tests import helpers

from ckanext.opendata_governance import demo
from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS


def _names(status: str) -> set[str]:
    found = helpers.call_action("package_search", fq=f"update_status:{status}",
                                include_private=True, rows=100)
    return {item["name"] for item in found["results"]}


def test_demo_has_overdue_and_due_soon_datasets():
    """Loaded with the suite's schema, the demo has four overdue datasets and one due soon."""
    demo.load_demo()
    assert _names("overdue") == {
        "rennes-metropole-budget-primitif-2025",
        "rennes-metropole-qualite-air",
        "rennes-frequentation-bibliotheques",
        "cesson-sevigne-inscriptions-cantine",
    }
    assert _names("due_soon") == {"rennes-metropole-frequentation-reseau-star"}


def test_demo_uploads_keep_the_described_last_data_update():
    """Uploading the demo files does not turn the described dates into today."""
    demo.load_demo()
    dataset = helpers.call_action("package_show", id="rennes-metropole-budget-primitif-2025")
    assert dataset["last_data_update"] == "2025-02-06"
