"""The check registry: built-in checks, checks added by plugins, crashes and blocking results."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins as p
from ckan.plugins import core as plugins_core

from ckanext.opendata_governance import checks
from tests.opendata_governance.clean_peer import ALLOWLIST, clean_url
from tests.opendata_governance.services_setup import PLUGINS

# The checks read options the plugin declares; the file checks read the peer's clean CSV.
pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist",
                                      ALLOWLIST),
              pytest.mark.usefixtures("with_plugins")]


def _dataset(**fields: Any) -> dict[str, Any]:
    dataset = {"license_id": "cc-by-4.0",
               "notes": "Budget primitif 2025 de la commune, voté par le conseil municipal, "
                        "par chapitre et par article.", "owner_service": "finances",
               "update_frequency": "ANNUAL", "tags": [{"name": "budget"}],
               "data_steward": "donnees@ville.example",
               "resources": [{"id": "r1", "format": "CSV", "url": clean_url()}]}
    dataset.update(fields)
    return dataset


def _by_id(results: list[dict[str, Any]], check_id: str) -> list[dict[str, Any]]:
    return [result for result in results if result["check_id"] == check_id]


class _ChecksPlugin(p.SingletonPlugin):
    p.implements(checks.IGovernanceChecks)

    def governance_checks(self) -> list[checks.Check]:
        def crash(package: dict[str, Any]) -> list[dict[str, Any]]:
            raise RuntimeError("scanner unavailable")

        def rows(package: dict[str, Any], resource: dict[str, Any]) -> list[dict[str, Any]]:
            return [{"message": "too few rows"}] if resource["id"] == "r2" else []

        return [checks.Check("always_crashes", "Crash", "Crashes.", "blocking", crash),
                checks.Check("rows", "Rows", "Enough rows.", "info", rows,
                             scope="resource", version="7")]


@pytest.fixture
def extra_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Registered the way CKAN registers a loaded plugin, without an entry point.
    monkeypatch.setitem(plugins_core._PLUGINS_SERVICE, "test_checks", _ChecksPlugin())


def test_a_complete_open_dataset_passes_every_built_in_check():
    """A dataset with an open licence, full metadata and a CSV has no failed check."""
    results = checks.run_all(_dataset(), costs=("light",))
    assert {r["check_id"] for r in results} == {
        "licence_open", "personal_data_declared", "metadata_complete", "open_format",
        "description_long_enough"}
    assert all(result["status"] == "passed" for result in results)


@pytest.mark.parametrize("licence", ["", "notspecified", "other-closed"])
def test_a_missing_or_closed_licence_is_a_blocking_failure(licence):
    """No licence, "not specified" or a closed licence fail the blocking licence check."""
    results = checks.run_all(_dataset(license_id=licence))
    (licence_result,) = _by_id(results, "licence_open")
    assert licence_result["status"] == "failed"
    assert licence_result["findings"][0]["field"] == "license_id"
    assert checks.blocking_failures(results) == [licence_result]


def test_declared_personal_data_blocks_until_a_reviewer_overrides():
    """A dataset declared to contain personal data fails a blocking check."""
    results = checks.run_all(_dataset(contains_personal_data="true"))
    assert [r["check_id"] for r in checks.blocking_failures(results)] == [
        "personal_data_declared"]


def test_missing_metadata_is_a_warning_naming_each_missing_field():
    """Missing description and frequency are listed as findings of a warning."""
    results = checks.run_all(_dataset(notes="", update_frequency=None))
    (result,) = _by_id(results, "metadata_complete")
    assert result["severity"] == "warning"
    assert {finding["field"] for finding in result["findings"]} == {"notes", "update_frequency"}
    assert checks.blocking_failures(results) == []


def test_resource_checks_run_per_resource_and_can_be_limited_to_some():
    """The open-format check runs once per resource, or only on the resources asked for."""
    dataset = _dataset(resources=[{"id": "r1", "format": "CSV"}, {"id": "r2", "format": "XLS"},
                                  {"id": "r3", "format": ""}])
    results = _by_id(checks.run_all(dataset), "open_format")
    assert {(r["resource_id"], r["status"]) for r in results} == {
        ("r1", "passed"), ("r2", "failed"), ("r3", "failed")}
    only = _by_id(checks.run_all(dataset, resource_ids=["r2"]), "open_format")
    assert [r["resource_id"] for r in only] == ["r2"]


def test_plugins_add_checks_and_a_crashing_check_is_an_error_result(extra_checks):
    """Checks of an IGovernanceChecks plugin run; one that raises is recorded as an error."""
    dataset = _dataset(resources=[{"id": "r1", "format": "CSV"}, {"id": "r2", "format": "CSV"}])
    results = checks.run_all(dataset)
    (crashed,) = _by_id(results, "always_crashes")
    assert crashed["status"] == "error"
    assert crashed["findings"] == [{"message": "scanner unavailable"}]
    assert crashed in checks.blocking_failures(results)
    rows = {r["resource_id"]: r for r in _by_id(results, "rows")}
    assert rows["r1"]["status"] == "passed" and rows["r2"]["status"] == "failed"
    assert rows["r2"]["version"] == "7"
