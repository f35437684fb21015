"""Big documents are read by a background job: queued, followed with its progress, then
the preview or the CSV resource; a refusal is the job's outcome, never a lost request."""
from __future__ import annotations

import pathlib
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib import jobs as jobs_lib
from ckan.tests import factories, helpers

from tests.opendata_governance import extract_setup as setup
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.gate_setup import open_dataset
from tests.shared import as_user, login
from tests.opendata_governance.services_setup import MARKS, make_portal

#: Every file is "big": reading it is left to the job.
pytestmark = MARKS + [
    pytest.mark.ckan_config("ckanext.opendata_governance.extract_sync_max_bytes", "100")]


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    jobs_lib.get_queue().empty()


def _source(portal: Any, tmp_path: pathlib.Path, kind: str = "pdf") -> dict[str, Any]:
    path = tmp_path / "source.{}".format(kind)
    if kind == "scan":
        setup.write_scanned_pdf(str(path))
    else:
        setup.write_pdf(str(path), copies=2)
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True))
    return helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"],
        name="Subventions", format="PDF", upload=upload(path.read_bytes(), "s.pdf"))


def _status(portal: Any, job_id: str) -> dict[str, Any]:
    return helpers.call_action("resource_table_extract_status", as_user(portal.editor),
                               id=job_id)


def _work() -> None:
    jobs_lib.Worker().work(burst=True)


def test_a_big_document_is_previewed_by_a_job_with_its_progress(tmp_path: pathlib.Path):
    """The preview of a big PDF is queued; once the worker has run, the status gives the
    pages read and the tables found."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    answer = helpers.call_action("resource_table_preview", as_user(portal.editor),
                                 id=source["id"])
    assert answer["queued"] is True
    assert _status(portal, answer["job_id"])["state"] == "queued"
    _work()
    status = _status(portal, answer["job_id"])
    assert status["state"] == "finished"
    assert status["done"] == status["total"] == 3
    (table,) = status["result"]["tables"]
    assert table["row_count"] == len(setup.pdf_table(copies=2)) - 1


def test_the_job_reads_the_pages_asked_and_keeps_them(tmp_path: pathlib.Path, app):
    """A preview of pages 2-3 reads two pages; its page keeps the range in the form."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    job_id = helpers.call_action("resource_table_preview", as_user(portal.editor),
                                 id=source["id"], pages="2-3")["job_id"]
    _work()
    status = _status(portal, job_id)
    assert (status["pages"], status["done"], status["total"]) == ("2-3", 2, 2)
    page = login(app, portal.editor).get("/dataset/{}/resource/{}/extract/job/{}".format(
        source["package_id"], source["id"], job_id))
    assert 'name="pages" value="2-3"' in page.body


def test_a_big_extraction_is_made_by_the_job(tmp_path: pathlib.Path):
    """The extraction of a big PDF is queued; the job creates the CSV resource with its
    provenance, as the user who asked."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    answer = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                 id=source["id"], tables=[0])
    assert answer["queued"] is True
    assert len(helpers.call_action("package_show", id=source["package_id"])["resources"]) == 1
    _work()
    status = _status(portal, answer["job_id"])
    assert status["state"] == "finished", status
    created = helpers.call_action("resource_show", id=status["result"]["id"])
    assert created["extracted_from"] == source["id"]
    assert created["package_id"] == source["package_id"]


def test_a_refused_document_fails_the_job_with_the_reason(tmp_path: pathlib.Path):
    """A scanned PDF read by the job: the status is failed with the reason; nothing made."""
    portal = make_portal()
    source = _source(portal, tmp_path, kind="scan")
    answer = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                 id=source["id"], tables=[0])
    _work()
    status = _status(portal, answer["job_id"])
    assert status["state"] == "failed"
    assert "text layer" in " ".join(status["errors"]["id"])
    assert len(helpers.call_action("package_show", id=source["package_id"])["resources"]) == 1


@pytest.mark.parametrize("who,allowed", [("anonymous", False), ("plain", False),
                                         ("member", False), ("other_editor", False),
                                         ("editor", True), ("admin", True),
                                         ("sysadmin", True)])
def test_only_editors_follow_the_job(tmp_path: pathlib.Path, who: str, allowed: bool):
    """The status of a job is for those who may extract from its resource."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    job_id = helpers.call_action("resource_table_preview", as_user(portal.editor),
                                 id=source["id"])["job_id"]
    user = None if who == "anonymous" else getattr(portal, who)
    context = {"user": user["name"] if user else ""}
    if allowed:
        assert helpers.call_auth("resource_table_extract_status", context, id=job_id)
    else:
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth("resource_table_extract_status", context, id=job_id)


@pytest.mark.parametrize("job_id", ["nope", "0" * 36, "../x", ""])
def test_an_unknown_job_is_refused(job_id: str):
    """An id that is no job is refused, not a crash."""
    portal = make_portal()
    with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
        _status(portal, job_id)


def test_the_page_shows_the_progress_then_the_new_resource(tmp_path: pathlib.Path, app):
    """The page of a big PDF sends to the job's page, which refreshes while the job
    waits, then shows the tables; the chosen extraction ends on the new resource."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    client = login(app, portal.editor)
    url = "/dataset/{}/resource/{}/extract".format(source["package_id"], source["id"])
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert "/extract/job/" in job_url
    waiting = client.get(job_url)
    assert 'http-equiv="refresh"' in waiting.body
    assert 'data-state="queued"' in waiting.body
    _work()
    done = client.get(job_url)
    assert 'http-equiv="refresh"' not in done.body
    assert "Subventions" in done.body and 'name="tables"' in done.body


def test_a_job_may_read_longer_than_a_request():
    """A long sheet read in the job is bounded by the job's time, not a request's."""
    from ckanext.opendata_governance.extract import jobs

    in_request = jobs.limits({}).max_seconds
    in_job = jobs.limits({jobs.IN_JOB: True}).max_seconds
    assert in_request < in_job < jobs.JOB_TIMEOUT
