"""A blocking file check that cannot read its file reports "not run" with why, and blocks
publication until a reviewer overrides it."""
from __future__ import annotations

import os
import socket
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.opendata_governance import jobs, resource_source
from tests.opendata_governance.checks_setup import file_server, result_of, upload  # noqa: F401
from tests.opendata_governance.clean_peer import clean_url
from tests.opendata_governance.review_setup import (
    MARKS, approve, as_user, make_review_portal, request_review, reviewable_dataset)
from tests.shared import csrf_token, login

pytestmark = MARKS

#: The smallest file a PDF reader accepts the start of: not a table.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: Social security numbers with their control key (97 - body mod 97), one per agent.
NIR_CSV = ("nom_agent;numero_securite_sociale\n" + "".join(
    f"Agent {i};18505780060{i:02d}{97 - int(f'18505780060{i:02d}') % 97:02d}\n"
    for i in range(30))).encode()
OVERRIDE = "Fichier ouvert à la main : montants par chapitre, aucune donnée personnelle."


@pytest.fixture
def storage(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return str(tmp_path)


def _closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/budget.csv"


def _scan_of(dataset: dict[str, Any]) -> dict[str, Any]:
    resource_id = dataset["resources"][0]["id"]
    return result_of("personal_data_scan", dataset["id"], resource_id)


def _dataset_with(portal: Any, url: str, **resource: Any) -> dict[str, Any]:
    # A small declared size: the file checks run within the request, no worker needed.
    return reviewable_dataset(portal, resources=[
        {"url": url, "format": "CSV", "size": 1000, **resource}])


def test_a_clean_csv_served_locally_passes_the_scan():
    """The peer's table of amounts by commune is fetched, scanned and passes."""
    portal = make_review_portal()
    result = _scan_of(_dataset_with(portal, clean_url("budget.csv")))
    assert (result["status"], result["findings"]) == ("passed", [])


def test_a_url_answering_404_is_not_run_with_the_status(file_server):
    """A link answering 404 is not scanned: not run, the reason naming the HTTP status."""
    portal = make_review_portal()
    result = _scan_of(_dataset_with(portal, file_server + "/missing.csv"))
    assert (result["status"], result["severity"]) == ("not_run", "blocking")
    (finding,) = result["findings"]
    assert finding["reason"] == "unreachable"
    assert "HTTP status 404" in finding["message"]


def test_a_url_nobody_answers_is_not_run_with_the_error_kind():
    """A refused connection is not run, the reason naming the kind of network error."""
    portal = make_review_portal()
    result = _scan_of(_dataset_with(portal, _closed_port_url()))
    assert result["status"] == "not_run"
    assert result["findings"][0]["reason"] == "unreachable"
    assert "ConnectionError" in result["findings"][0]["message"]


def test_a_missing_upload_is_not_run_without_the_server_path(storage):
    """An uploaded file gone from the storage is not run; the reason shows no server path."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=dataset["id"], upload=upload(b"a;b\n1;2\n"),
                                   format="CSV")
    os.remove(resource_source.upload_path(resource))
    result = result_of("personal_data_scan", dataset["id"], resource["id"])
    assert result["status"] == "not_run"
    message = result["findings"][0]["message"]
    assert "uploaded file of this resource is missing" in message
    assert storage not in message and resource["id"] not in message


def test_a_pdf_link_is_not_run_as_not_tabular():
    """A resource in PDF is not a table the scanner reads: not run, naming the format."""
    portal = make_review_portal()
    result = _scan_of(_dataset_with(portal, clean_url("rapport.pdf"), format="PDF"))
    assert result["status"] == "not_run"
    assert result["findings"][0]["reason"] == "not_tabular"
    assert result["findings"][0]["message"].startswith("PDF is not a tabular format")


def test_a_binary_file_declared_csv_is_not_run_as_unreadable(storage):
    """Bytes that are no text, uploaded as CSV, are not run as unreadable."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=dataset["id"],
                                   upload=upload(PDF + bytes(range(256)) * 40), format="CSV")
    result = result_of("personal_data_scan", dataset["id"], resource["id"])
    assert result["status"] == "not_run"
    assert result["findings"][0]["reason"] in ("unreadable", "over_limits")


def test_a_json_past_the_depth_limit_is_not_run_as_over_limits(storage):
    """JSON nested deeper than the reading limit is not scanned: not run, over the limits."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=dataset["id"],
                                   upload=upload(b"[" * 200 + b"]" * 200, "data.json"),
                                   format="JSON")
    result = result_of("personal_data_scan", dataset["id"], resource["id"])
    assert result["status"] == "not_run"
    assert result["findings"][0]["reason"] == "over_limits"


def test_a_schema_declared_on_a_pdf_is_not_run():
    """A resource that declares a Table Schema but is a PDF is not validated: not run."""
    portal = make_review_portal()
    dataset = _dataset_with(portal, clean_url("rapport.pdf"), format="PDF",
                            conforms_to='{"fields": [{"name": "commune"}]}')
    result = result_of("schema_conformity", dataset["id"], dataset["resources"][0]["id"])
    assert (result["status"], result["severity"]) == ("not_run", "blocking")


def test_not_run_blocks_approval_without_an_override(file_server):
    """A review whose scan did not run cannot be approved without an override, nor published."""
    portal = make_review_portal()
    dataset = _dataset_with(portal, file_server + "/missing.csv")
    review = request_review(portal.editor, dataset)
    scan = [c for c in review["checks"] if c["check_id"] == "personal_data_scan"]
    assert [c["status"] for c in scan] == ["not_run"]
    with pytest.raises(tk.ValidationError) as error:
        approve(review, portal.reviewer, comment="Vu")
    assert "did not run (No personal data found)" in error.value.error_dict["override"][0]
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action("package_patch", as_user(portal.editor), id=dataset["id"],
                            private=False)
    assert "private" in refused.value.error_dict
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_an_override_with_a_comment_approves_and_publishes(file_server):
    """The reviewer's override, with what was checked by hand, approves and publishes."""
    portal = make_review_portal()
    dataset = _dataset_with(portal, file_server + "/missing.csv")
    review = request_review(portal.editor, dataset)
    decided = approve(review, portal.reviewer, override=True, comment=OVERRIDE)
    assert (decided["state"], decided["override"], decided["published"]) == (
        "approved", True, True)
    assert decided["decision_comment"] == OVERRIDE
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False


def _published_over_a_pdf(portal: Any) -> dict[str, Any]:
    """A public dataset of one PDF, its scan not run and overridden by the reviewer."""
    dataset = _dataset_with(portal, clean_url("rapport.pdf"), format="PDF")
    approve(request_review(portal.editor, dataset), portal.reviewer, override=True,
            comment=OVERRIDE)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
    return dataset


def test_an_override_still_covers_the_same_file_checked_again():
    """Checking the overridden PDF again, unchanged, leaves the dataset public."""
    portal = make_review_portal()
    dataset = _published_over_a_pdf(portal)
    outcome = jobs.run_checks(dataset["id"], trigger="manual")
    assert "not_run" in [r["status"] for r in outcome["results"]
                         if r["check_id"] == "personal_data_scan"]
    assert outcome["unpublished"] is False
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False


def test_an_override_does_not_cover_a_new_file_in_the_same_resource():
    """A new unreadable file in the overridden resource was not seen: private again."""
    portal = make_review_portal()
    dataset = _published_over_a_pdf(portal)
    helpers.call_action("resource_patch", as_user(portal.editor),
                        id=dataset["resources"][0]["id"], url=clean_url("rapport-v2.pdf"),
                        size=2000)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_an_override_of_a_pdf_does_not_excuse_personal_data_in_a_new_file(storage):
    """A CSV of social security numbers added after a PDF's override makes it private."""
    portal = make_review_portal()
    dataset = _published_over_a_pdf(portal)
    helpers.call_action("resource_create", as_user(portal.editor), package_id=dataset["id"],
                        upload=upload(NIR_CSV), format="CSV")
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_a_public_dataset_whose_new_file_cannot_be_read_goes_private(file_server):
    """A published dataset whose resource now points at a dead link goes back to private."""
    portal = make_review_portal()
    dataset = _dataset_with(portal, clean_url("budget.csv"))
    approve(request_review(portal.editor, dataset), portal.reviewer)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
    helpers.call_action("resource_patch", as_user(portal.editor),
                        id=dataset["resources"][0]["id"], url=file_server + "/gone.csv",
                        size=1000)
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_the_french_review_page_shows_not_run_and_the_reason(app):
    """A review requested in French shows "Non exécuté" and why, in French."""
    portal = make_review_portal()
    dataset = _dataset_with(portal, clean_url("rapport.pdf"), format="PDF")
    editor = login(app, portal.editor)
    page = editor.get("/fr/dataset/{}/governance".format(dataset["name"])).body
    editor.post("/fr/dataset/{}/governance/request".format(dataset["name"]), data={
        "_csrf_token": csrf_token(page), "comment": "", "publish": "on"})
    body = login(app, portal.reviewer).get(
        "/fr/dataset/{}/governance".format(dataset["name"])).body
    row = body[body.index('data-check="personal_data_scan"'):]
    row = row[:row.index("</tr>")]
    assert "Non exécuté" in row and "Fichier non tabulaire" in row
    assert "PDF n&#39;est pas un format tabulaire" in row
    assert "1 contrôle bloquant n&#39;a pas été exécuté" in body


def test_the_resource_page_shows_not_run_and_the_reason(app, file_server):
    """The resource page's check table says "Not run" and gives the HTTP status."""
    portal = make_review_portal()
    dataset = _dataset_with(portal, file_server + "/missing.csv")
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"])
    body = login(app, portal.editor).get("/dataset/{}/resource/{}".format(
        dataset["name"], dataset["resources"][0]["id"])).body
    row = body[body.index('data-check="personal_data_scan"'):]
    row = row[:row.index("</tr>")]
    assert "Not run" in row and "HTTP status 404" in row
