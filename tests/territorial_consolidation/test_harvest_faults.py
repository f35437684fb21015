"""Dead, slow or lying partners: every failure ends the job with errors and leaves local data as it was."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.territorial_consolidation.model.harvest import HarvestRun, Provenance
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation import replay_server as rs
from tests.territorial_consolidation.replay_server import (DcatPortal, OdsPortal,
                                                           ReplayServer, UdataPortal,
                                                           job_errors, ods_recorded,
                                                           partner_marks, snapshot,
                                                           udata_record)

pytestmark = partner_marks()

ORG = udata_record(0)["organization"]["id"]
UDATA_PATH = f"/api/1/organizations/{ORG}/datasets/"
OPTION = "ckanext.territorial_consolidation."


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture
def limits(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tight limits so that faults show quickly; no grace period, so that a wrongly
    complete gather would withdraw datasets at once."""
    for key, value in (("harvest_timeout", 1), ("harvest_retries", 0),
                       ("harvest_max_bytes", 1024 * 1024), ("harvest_grace_days", 0)):
        monkeypatch.setitem(ckan_config, OPTION + key, value)


def _source(replay: ReplayServer, source_type: str, path: str, **config: Any
            ) -> dict[str, Any]:
    return harvest_setup.make_source(factories.Organization(), replay.url(path),
                                     {"territory": "commune:35238", **config},
                                     source_type=source_type)


def _udata(replay: ReplayServer) -> dict[str, Any]:
    UdataPortal(replay, [udata_record(i) for i in range(4)], page_size=2)
    return _source(replay, "territorial_udata", UDATA_PATH, page_size=2)


def _assert_failed_run_kept_everything(replay: ReplayServer, source: dict[str, Any],
                                       before: dict[str, Any], fault: str) -> None:
    job = harvest_setup.run_job(source["id"])
    assert job.status == "Finished", fault
    assert job_errors(job.id), f"{fault}: the failure is recorded on the job"
    assert snapshot(source["id"]) == before, fault
    assert model.Session.get(HarvestRun, job.id).complete is False, fault
    assert model.Session.query(Provenance).filter(
        Provenance.missing_since.isnot(None)).count() == 0, fault


def _assert_converges(replay: ReplayServer, source: dict[str, Any],
                      before: dict[str, Any]) -> None:
    replay.clear_faults()
    job = harvest_setup.run_job(source["id"])
    assert job_errors(job.id) == []
    assert snapshot(source["id"]) == before
    assert model.Session.get(HarvestRun, job.id).complete is True
    assert job.objects == []


UDATA_FAULTS = [rs.FAULT_500, rs.FAULT_503, rs.FAULT_STALL, rs.FAULT_TRUNCATED, rs.FAULT_CUT,
                rs.FAULT_INVALID, rs.FAULT_HUGE, rs.FAULT_HUGE_DECLARED,
                rs.FAULT_REDIRECT_METADATA, rs.FAULT_REDIRECT_PRIVATE]


@pytest.mark.usefixtures("limits")
def test_udata_faults_on_second_page(replay: ReplayServer) -> None:
    """Each fault on page 2 of a udata listing (500, 503, stall, truncated or cut body,
    invalid JSON, 200 MB page, redirect to the metadata service or a private address)
    ends the job with its error recorded and never touches nor withdraws a local
    dataset; the next healthy run converges."""
    source = _udata(replay)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    assert len(before) == 4
    for fault in UDATA_FAULTS:
        replay.clear_faults()
        replay.fault(UDATA_PATH, fault, query={"page": "2"})
        _assert_failed_run_kept_everything(replay, source, before, fault)

    _assert_converges(replay, source, before)


@pytest.mark.usefixtures("limits")
def test_huge_page_is_never_read_whole(replay: ReplayServer) -> None:
    """A 200 MB page, with or without its length declared, is cut off at the size cap:
    the server could send only a small part of it before the harvester hung up."""
    source = _udata(replay)
    for fault in (rs.FAULT_HUGE, rs.FAULT_HUGE_DECLARED):
        replay.clear_faults()
        replay.bytes_sent.clear()
        replay.fault(UDATA_PATH, fault)

        job = harvest_setup.run_job(source["id"])

        assert any("1048576" in error for error in job_errors(job.id)), fault
        assert replay.bytes_sent[UDATA_PATH] < 50 * 1024 * 1024, fault
    assert snapshot(source["id"]) == {}


@pytest.mark.usefixtures("limits")
def test_passing_503_is_retried(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
                                ) -> None:
    """A 503 answered once is retried and the job ends without error."""
    monkeypatch.setitem(tk.config, OPTION + "harvest_retries", 1)
    source = _udata(replay)
    replay.fault(UDATA_PATH, rs.FAULT_503, times=1)

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    assert len(snapshot(source["id"])) == 4
    assert len(replay.requests_to(UDATA_PATH)) == 3


@pytest.mark.usefixtures("limits")
def test_retries_are_bounded(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A partner answering 503 forever is asked 1 + retries times, then the job fails."""
    monkeypatch.setitem(tk.config, OPTION + "harvest_retries", 2)
    source = _udata(replay)
    replay.fault(UDATA_PATH, rs.FAULT_503)

    job = harvest_setup.run_job(source["id"])

    assert len(job_errors(job.id)) == 1
    assert len(replay.requests_to(UDATA_PATH)) == 3


@pytest.mark.usefixtures("limits")
def test_ods_faults_on_second_page(replay: ReplayServer) -> None:
    """A 500, invalid or truncated JSON on the second ODS page (offset 1) leaves the
    harvested datasets as they were, and the next run converges."""
    OdsPortal(replay, ods_recorded())
    source = _source(replay, "territorial_ods", "/", page_size=1)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    assert len(before) == 2
    for fault in (rs.FAULT_500, rs.FAULT_INVALID, rs.FAULT_TRUNCATED):
        replay.clear_faults()
        replay.fault(OdsPortal.PATH, fault, query={"offset": "1"})
        _assert_failed_run_kept_everything(replay, source, before, fault)

    _assert_converges(replay, source, before)


@pytest.mark.usefixtures("limits")
def test_dcat_faults_on_second_page(replay: ReplayServer) -> None:
    """Invalid, truncated or stalled RDF on page 2 leaves the harvested datasets as they
    were, and the next run converges."""
    DcatPortal(replay, fmt="xml", per_page=2)
    source = _source(replay, "territorial_dcat", DcatPortal.PATH)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    assert len(before) == 3
    for fault in (rs.FAULT_INVALID, rs.FAULT_TRUNCATED, rs.FAULT_STALL):
        replay.clear_faults()
        replay.fault(DcatPortal.PATH, fault, query={"page": "2"})
        _assert_failed_run_kept_everything(replay, source, before, fault)

    _assert_converges(replay, source, before)


@pytest.mark.usefixtures("limits")
def test_recorded_invalid_turtle_is_an_error(replay: ReplayServer) -> None:
    """The recorded HealthDCAT-AP Turtle, invalid as published, ends the job with a
    parse error and creates nothing."""
    body = (rs.FIXTURES / "dcat" / "ckanext-dcat_dataset_dcat-ap-full.ttl").read_bytes()
    replay.add("/catalog.ttl", rs.Reply(body=body, content_type="text/turtle"))
    source = _source(replay, "territorial_dcat", "/catalog.ttl")

    job = harvest_setup.run_job(source["id"])

    (error,) = job_errors(job.id)
    assert "not valid turtle" in error and "healthdcatap" in error
    assert snapshot(source["id"]) == {}


@pytest.mark.usefixtures("limits")
def test_paging_loop_is_an_error(replay: ReplayServer) -> None:
    """A listing whose next page points back to itself ends the gather with an error
    after reading it once, and withdraws nothing."""
    page = {"data": [udata_record(0)], "next_page": replay.url(UDATA_PATH + "?page_size=2")}
    replay.add(UDATA_PATH, rs.json_reply(page))
    source = _source(replay, "territorial_udata", UDATA_PATH, page_size=2)

    job = harvest_setup.run_job(source["id"])

    (error,) = job_errors(job.id)
    assert "does not end" in error
    assert len(replay.requests_to(UDATA_PATH)) == 1
    assert model.Session.get(HarvestRun, job.id).complete is False


@pytest.mark.usefixtures("limits")
def test_answer_changing_between_runs_converges(replay: ReplayServer) -> None:
    """When the partner changes between runs, the next run updates and withdraws what
    changed, and a run after it changes nothing."""
    records = [udata_record(i) for i in range(4)]
    portal = UdataPortal(replay, records, page_size=2)
    source = _source(replay, "territorial_udata", UDATA_PATH, page_size=2)
    harvest_setup.run_job(source["id"])
    records[0]["title"] = "Titre corrigé"
    records[0]["last_update"] = "2026-01-01T00:00:00+00:00"
    gone = portal.records.pop()

    harvest_setup.run_job(source["id"])
    after = snapshot(source["id"])
    job = harvest_setup.run_job(source["id"])

    assert after[records[0]["id"]][2] == "Titre corrigé"
    assert after[gone["id"]][0] == "deleted"
    assert snapshot(source["id"]) == after
    assert job.objects == []


def test_dataset_gone_upstream_waits_for_the_grace_period(replay: ReplayServer) -> None:
    """With the default grace period, a dataset missing upstream is only marked missing
    and stays active."""
    records = [udata_record(i) for i in range(2)]
    portal = UdataPortal(replay, records)
    source = _source(replay, "territorial_udata", UDATA_PATH)
    harvest_setup.run_job(source["id"])
    gone = portal.records.pop()

    harvest_setup.run_job(source["id"])

    assert snapshot(source["id"])[gone["id"]][0] == "active"
    prov = model.Session.query(Provenance).filter_by(remote_id=gone["id"]).one()
    assert prov.missing_since is not None and prov.withdrawn is None
