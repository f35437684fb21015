"""Schema conformity: resources declaring a Table Schema are validated with frictionless."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.opendata_governance.checks_setup import (  # noqa: F401  (fixture)
    SUBVENTIONS, file_server, result_of, upload)
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = [*MARKS, pytest.mark.ckan_config(
    "ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")]


def _resource(portal, content: bytes, **fields):
    created = dataset(portal)
    return helpers.call_action("resource_create", as_user(portal.editor),
                               package_id=created["id"], upload=upload(content),
                               format="CSV", **fields)


@pytest.fixture
def storage(ckan_config, monkeypatch, tmp_path):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))


def test_the_official_valid_example_conforms(storage, file_server):
    """The SCDL subventions valid example passes against its schema fetched over HTTP."""
    portal = make_portal()
    resource = _resource(portal, (SUBVENTIONS / "exemple_valide.csv").read_bytes(),
                         conforms_to=file_server + "/scdl/subventions/schema.json")
    result = result_of("schema_conformity", resource["package_id"], resource["id"])
    assert (result["status"], result["severity"]) == ("passed", "blocking")


def test_cell_errors_are_counted_by_type_with_first_rows(storage, file_server):
    """The official invalid example fails with error counts by type and located errors."""
    portal = make_portal()
    resource = _resource(
        portal, (SUBVENTIONS / "exemple_invalide_erreurs_cellules.csv").read_bytes(),
        conforms_to=file_server + "/scdl/subventions/schema.json")
    result = result_of("schema_conformity", resource["package_id"], resource["id"])
    assert result["status"] == "failed"
    counts = [f for f in result["findings"] if "count" in f]
    located = [f for f in result["findings"] if "row" in f]
    assert counts and all(f["count"] >= 1 for f in counts)
    assert located and located[0]["row"] >= 2


def test_a_resource_without_schema_passes_with_a_note(storage):
    """Without conforms_to the check has nothing to validate and passes."""
    portal = make_portal()
    resource = _resource(portal, b"a,b\n1,2\n")
    result = result_of("schema_conformity", resource["package_id"], resource["id"])
    assert result["status"] == "passed"
    assert result["note"]


def test_a_schema_on_a_private_address_is_an_error(storage, file_server, ckan_config,
                                                   monkeypatch):
    """A schema URL outside the allow-list is refused: the check ends in error."""
    monkeypatch.setitem(ckan_config, "ckanext.opendata_governance.fetch_allowlist", [])
    portal = make_portal()
    resource = _resource(portal, b"a,b\n1,2\n",
                         conforms_to=file_server + "/scdl/subventions/schema.json?private")
    result = result_of("schema_conformity", resource["package_id"], resource["id"])
    assert result["status"] == "error"
    assert "private, local or reserved" in result["findings"][0]["message"]
