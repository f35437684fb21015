"""The scanner and secrecy checks on uploaded files, and their effect on sign-off and the gate."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import result_of, upload
from tests.opendata_governance.gate_setup import approve as signed_off
from tests.opendata_governance.gate_setup import open_dataset
from tests.opendata_governance.review_setup import (
    MARKS, approve, as_user, make_review_portal, request_review, reviewable_dataset)

pytestmark = MARKS


def _nir(body: str) -> str:
    """A French social security number with its control key (97 - body mod 97)."""
    return f"{body}{97 - int(body) % 97:02d}"


NIR_CSV = ("nom_agent;service;numero_securite_sociale\n" + "".join(
    f"Agent {i};Finances;{_nir(f'18505780060{i:02d}')}\n" for i in range(30))).encode()
EMAIL_CSV = ("structure;contact\n" + "".join(
    f"Association {i};contact{i}@asso{i}.fr\n" for i in range(30))).encode()
COUNTS_CSV = ("commune;tranche_age;nombre\n" + "".join(
    f"Commune {i};{20 + i % 3}-{29 + i % 3};{3 if i % 4 == 0 else 120 + i}\n"
    for i in range(40))).encode()
CLEAN_CSV = b"commune;montant\nRennes;1200\nBruz;800\n"


@pytest.fixture(autouse=True)
def storage(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))


def _upload(portal: Any, dataset: dict[str, Any], content: bytes, **fields: Any
            ) -> dict[str, Any]:
    return helpers.call_action("resource_create", as_user(portal.editor),
                               package_id=dataset["id"], upload=upload(content),
                               format="CSV", **fields)


def test_a_planted_nir_column_fails_the_blocking_scan():
    """Valid NIR values in an uploaded CSV are a blocking finding naming the column."""
    portal = make_review_portal()
    resource = _upload(portal, reviewable_dataset(portal, resources=[]), NIR_CSV)
    result = result_of("personal_data_scan", resource["package_id"], resource["id"])
    assert (result["status"], result["severity"]) == ("failed", "blocking")
    finding = next(f for f in result["findings"] if f["kind"] == "nir")
    assert finding["column"] == "numero_securite_sociale"
    assert all("1850578006000" not in sample for sample in finding["samples"])
    assert "numero_securite_sociale" in finding["message"]


def test_a_clean_file_passes_the_scan():
    """A table of communes and amounts has no personal-data finding."""
    portal = make_review_portal()
    resource = _upload(portal, reviewable_dataset(portal, resources=[]), CLEAN_CSV)
    result = result_of("personal_data_scan", resource["package_id"], resource["id"])
    assert result["status"] == "passed"


def test_binary_garbage_is_not_run_as_unreadable():
    """A file of NUL bytes declared as CSV leaves the scan not run, with why, not a crash."""
    portal = make_review_portal()
    resource = _upload(portal, reviewable_dataset(portal, resources=[]), b"\x00\x01" * 5000)
    result = result_of("personal_data_scan", resource["package_id"], resource["id"])
    assert result["status"] == "not_run"
    assert result["findings"][0]["reason"] == "unreadable"
    assert result["findings"][0]["message"].startswith("The file was not scanned: ")


def test_a_pdf_is_not_run_as_not_tabular():
    """A PDF resource is not scanned: the blocking scan reports not run, naming the format."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=dataset["id"], upload=upload(b"%PDF-1.4", "a.pdf"),
                                   format="PDF")
    result = result_of("personal_data_scan", resource["package_id"], resource["id"])
    assert (result["status"], result["severity"]) == ("not_run", "blocking")
    assert result["findings"][0]["reason"] == "not_tabular"
    assert "PDF is not a tabular format" in result["findings"][0]["message"]


def test_small_counts_are_a_secrecy_warning():
    """Counts of 3 in an aggregated table fail the statistical secrecy warning."""
    portal = make_review_portal()
    resource = _upload(portal, reviewable_dataset(portal, resources=[]), COUNTS_CSV)
    result = result_of("statistical_secrecy", resource["package_id"], resource["id"])
    assert (result["status"], result["severity"]) == ("failed", "warning")
    assert result["findings"][0]["column"] == "nombre"
    assert result["findings"][0]["count"] == 10


def test_declared_quasi_identifiers_are_checked_for_k_anonymity():
    """Unique commune and age-band combinations are flagged as classes smaller than k."""
    portal = make_review_portal()
    resource = _upload(portal, reviewable_dataset(portal, resources=[]), COUNTS_CSV,
                       quasi_identifiers="commune, tranche_age")
    result = result_of("statistical_secrecy", resource["package_id"], resource["id"])
    (k_finding,) = [f for f in result["findings"] if f.get("kind") == "k_anonymity"]
    assert (k_finding["k"], k_finding["classes"]) == (5, 40)


def test_a_planted_nir_blocks_approval_without_override():
    """A dataset with an uploaded NIR column cannot be approved without an override."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, resources=[])
    _upload(portal, dataset, NIR_CSV)
    review = request_review(portal.editor, dataset)
    assert "personal_data_scan" in [c["check_id"] for c in review["checks"]
                                    if c["status"] == "failed"]
    with pytest.raises(tk.ValidationError) as error:
        approve(review, portal.reviewer)
    assert "override" in error.value.error_dict


def test_a_public_dataset_getting_a_file_of_emails_is_unpublished():
    """A new uploaded resource full of e-mail addresses makes a public dataset private."""
    portal = make_review_portal()
    created = factories.Dataset(**open_dataset(
        owner_org=portal.org["id"], private=True, owner_service="direction-des-finances"))
    signed_off(created["id"])
    helpers.call_action("package_patch", id=created["id"], private=False)
    _upload(portal, created, EMAIL_CSV)
    assert helpers.call_action("package_show", id=created["id"])["private"] is True
