"""The portal's start-up path: the consolidation demo after the governance demo, gate on."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from ckanext.opendata_governance import demo as governance_demo
from ckanext.territorial_consolidation.consolidation import demo as consolidation_demo

# As the portal of `make run` (ckan.ini.in): scheming with the suite's dataset schema.
@pytest.mark.ckan_config("ckan.plugins",
                         "postgres_search scheming_datasets scheming_organizations "
                         "opendata_governance territorial_consolidation")
@pytest.mark.ckan_config("scheming.dataset_schemas",
                         "ckanext.opendata_governance:schemas/dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas",
                         "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_demo_files_are_signed_off_and_consolidated_under_the_gate():
    """Each demo commune's file goes public through a real sign-off and joins the consolidation."""
    governance_demo.load_demo()
    result = consolidation_demo.load_consolidation_demo()
    sources = result["sources"]
    assert len(sources) == 3
    for name in sources:
        package = helpers.call_action("package_show", id=name)
        assert package["private"] is False, name
        review = helpers.call_action("governance_review_show", package_id=package["id"])
        assert review["state"] == "approved"
    report = result["run"]["report"]
    verdicts = {source["dataset_url"].rsplit("/", 1)[-1]: source["verdict"]
                for source in report["sources"]}
    assert {name: verdicts.get(name) for name in sources} == {
        "rennes-subventions-2025": "valid", "cesson-sevigne-subventions-2025": "partial",
        "bruz-subventions-2025": "valid"}
