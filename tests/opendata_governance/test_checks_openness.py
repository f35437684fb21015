"""Openness and metadata checks: French open licences, formats, description, metadata, reachability."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import helpers

from ckanext.opendata_governance import checks
from tests.opendata_governance.checks_setup import (  # noqa: F401  (fixture)
    file_server, result_of, upload)
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS

NOTES = ("Subventions versées par la commune aux associations en 2025, au format du schéma "
         "SCDL, mises à jour après chaque conseil municipal.")


def _dataset(**fields: Any) -> dict[str, Any]:
    data = {"license_id": "etalab-2.0", "notes": NOTES, "owner_service": "finances",
            "update_frequency": "ANNUAL", "data_steward": "donnees@ville.example",
            "tags": [{"name": "budget"}], "resources": []}
    data.update(fields)
    return data


def _result(check_id: str, package: dict[str, Any]) -> dict[str, Any]:
    (result,) = [r for r in checks.run_all(package, costs=("light",))
                 if r["check_id"] == check_id]
    return result


@pytest.mark.parametrize("licence", ["etalab-2.0", "etalab-1.0", "odc-odbl", "cc-by-4.0",
                                     "cc-by-sa-4.0", "cc-zero"])
def test_the_registers_open_licences_pass(licence):
    """Licence Ouverte 2.0 and 1.0, ODbL, CC-BY, CC-BY-SA and CC0 are open in the register."""
    assert _result("licence_open", _dataset(license_id=licence))["status"] == "passed"


def test_a_closed_licence_fails_with_its_title():
    """other-closed is in the register but not open: the finding names it by its title."""
    result = _result("licence_open", _dataset(license_id="other-closed"))
    assert result["status"] == "failed"
    assert result["findings"][0]["message"] == (
        "The licence Autre (non ouverte) is not an open licence")


@pytest.mark.parametrize("licence", ["lov2", "other-at", "cc-by"])
def test_an_id_outside_the_register_fails(licence):
    """An alias the register does not hold (before the migration) is not taken as open."""
    result = _result("licence_open", _dataset(license_id=licence))
    assert result["status"] == "failed"
    assert "not in the portal's licence register" in result["findings"][0]["message"]


@pytest.mark.parametrize("fmt", ["PDF", "DOC", "JPEG", "TIFF"])
def test_documents_and_scans_are_not_machine_readable(fmt):
    """PDF, Word files and scanned images fail the open format check."""
    package = _dataset(resources=[{"id": "r1", "format": fmt}])
    assert _result("open_format", package)["status"] == "failed"


@pytest.mark.parametrize("fmt", ["CSV", "JSON", "GeoJSON", "XML", "ODS", "XLSX", "Parquet"])
def test_machine_readable_formats_pass(fmt):
    """CSV, JSON, GeoJSON, XML, ODS, XLSX and Parquet pass the open format check."""
    package = _dataset(resources=[{"id": "r1", "format": fmt}])
    assert _result("open_format", package)["status"] == "passed"


def test_a_short_description_is_a_warning_giving_its_length():
    """A description under the minimum length fails with its length and the minimum."""
    result = _result("description_long_enough", _dataset(notes="Subventions 2025"))
    assert (result["status"], result["severity"]) == ("failed", "warning")
    assert (result["findings"][0]["length"], result["findings"][0]["minimum"]) == (16, 80)


@pytest.mark.ckan_config("ckanext.opendata_governance.description_min_length", "10")
def test_the_minimum_description_length_is_configurable():
    """With a minimum of 10 characters a 16-character description passes."""
    assert _result("description_long_enough",
                   _dataset(notes="Subventions 2025"))["status"] == "passed"


def test_a_missing_data_steward_is_reported():
    """Metadata completeness names the missing data steward."""
    result = _result("metadata_complete", _dataset(data_steward=""))
    assert [f["field"] for f in result["findings"]] == ["data_steward"]


@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")
def test_a_reachable_url_resource_passes(file_server):
    """A URL answering 200 through the allow-listed loopback server is reachable."""
    portal = make_portal()
    created = dataset(portal, resources=[
        {"url": file_server + "/scdl/subventions/exemple_valide.csv", "format": "CSV"}])
    result = result_of("resources_reachable", created["id"])
    assert (result["status"], result["severity"]) == ("passed", "warning")


@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")
def test_a_url_answering_404_is_unreachable(file_server):
    """A URL answering 404 fails the reachability check with the status."""
    portal = make_portal()
    created = dataset(portal, resources=[{"url": file_server + "/missing.csv",
                                          "format": "CSV"}])
    result = result_of("resources_reachable", created["id"])
    assert result["status"] == "failed"
    assert result["findings"][0]["status"] == 404


def test_a_url_on_a_private_address_is_unreachable(file_server, ckan_config, monkeypatch):
    """Without an allow-list the loopback URL is refused and reported as unreachable."""
    monkeypatch.setitem(ckan_config, "ckanext.opendata_governance.fetch_allowlist", [])
    portal = make_portal()
    created = dataset(portal, resources=[{"url": file_server + "/x.csv", "format": "CSV"}])
    result = result_of("resources_reachable", created["id"])
    assert result["status"] == "failed"
    assert "private, local or reserved" in result["findings"][0]["message"]


def test_an_uploaded_file_is_reachable(ckan_config, monkeypatch, tmp_path):
    """An uploaded resource whose file is stored passes the reachability check."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    portal = make_portal()
    created = dataset(portal)
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=created["id"], upload=upload(b"a,b\n1,2\n"))
    result = result_of("resources_reachable", created["id"], resource["id"])
    assert result["status"] == "passed"
