"""Partners whose listing is shorter than they announce: nothing is marked missing or withdrawn."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from ckan import model
from ckan.tests import factories

from ckanext.territorial_consolidation.model.harvest import HarvestRun, Provenance
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation.replay_ckan import CkanPortal, ckan_records
from tests.territorial_consolidation.replay_server import (DcatPortal, OdsPortal,
                                                           ReplayServer, UdataPortal,
                                                           job_errors, ods_recorded,
                                                           partner_marks, snapshot,
                                                           udata_record)

pytestmark = partner_marks(harvest_grace_days="0")

ORG = udata_record(0)["organization"]["id"]
UDATA_PATH = f"/api/1/organizations/{ORG}/datasets/"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


def _source(replay: ReplayServer, source_type: str, path: str, **config: Any
            ) -> dict[str, Any]:
    return harvest_setup.make_source(factories.Organization(), replay.url(path),
                                     {"territory": "commune:35238", **config},
                                     source_type=source_type)


def _ckan(replay: ReplayServer) -> tuple[Any, dict[str, Any]]:
    portal = CkanPortal(replay, ckan_records(10))
    return portal, _source(replay, "territorial_ckan", "/", page_size=2)


def _udata(replay: ReplayServer) -> tuple[Any, dict[str, Any]]:
    portal = UdataPortal(replay, [udata_record(i) for i in range(4)], page_size=2)
    return portal, _source(replay, "territorial_udata", UDATA_PATH, page_size=2)


def _ods(replay: ReplayServer) -> tuple[Any, dict[str, Any]]:
    portal = OdsPortal(replay, ods_recorded())
    return portal, _source(replay, "territorial_ods", "/", page_size=1)


def _dcat(hydra: str) -> Callable[[ReplayServer], tuple[Any, dict[str, Any]]]:
    def start(replay: ReplayServer) -> tuple[Any, dict[str, Any]]:
        portal = DcatPortal(replay, fmt="turtle", per_page=2, hydra=hydra)
        return portal, _source(replay, "territorial_dcat", DcatPortal.PATH)
    return start


#: (partner, lie): each way a partner of each kind lists less than it announces.
LIES = [
    ("ckan", _ckan, {"empty_from": 4}),          # count 10, empty pages from start=4
    ("ckan", _ckan, {"announce": 38}),           # count 38 with 10 results (Birmingham)
    ("ckan", _ckan, {"repeat": True}),           # the same ids on every page
    ("udata", _udata, {"announce": 38}),         # total 38 for 4 datasets
    ("udata", _udata, {"last_page": 1}),         # no next_page before the total
    ("udata", _udata, {"repeat": True}),
    ("ods", _ods, {"announce": 38}),             # total_count 38 for 2 datasets
    ("ods", _ods, {"empty_from": 1}),            # empty pages before the total
    ("ods", _ods, {"repeat": True}),
    ("dcat", _dcat("nextPage"), {"announce": 38}),   # hydra:totalItems 38 for 3 datasets
    ("dcat", _dcat("nextPage"), {"last_page": 1}),   # no hydra:nextPage before the total
    ("dcat", _dcat("nextPage"), {"repeat": True}),
    ("dcat", _dcat("next"), {"last_page": 1}),       # hydra:last never reached
]


@pytest.mark.parametrize("kind,start,lie", LIES,
                         ids=[f"{kind}-{next(iter(lie))}-{index}"
                              for index, (kind, _s, lie) in enumerate(LIES)])
def test_a_short_listing_marks_nothing_missing_and_withdraws_nothing(
        replay: ReplayServer, kind: str, start: Callable[..., Any], lie: dict[str, Any]
        ) -> None:
    """A listing ending before the partner's announced total is an incomplete gather: the
    job says so, and no local dataset is marked missing nor withdrawn, even with no grace
    period."""
    portal, source = start(replay)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    assert before and all(state[0] == "active" for state in before.values())
    for key, value in lie.items():
        setattr(portal, key, value)

    job = harvest_setup.run_job(source["id"])

    assert any("Incomplete listing" in error for error in job_errors(job.id)), \
        job_errors(job.id)
    assert model.Session.get(HarvestRun, job.id).complete is False
    assert model.Session.query(Provenance).filter(
        Provenance.harvest_source_id == source["id"],
        Provenance.missing_since.isnot(None)).count() == 0
    assert model.Session.query(Provenance).filter(
        Provenance.harvest_source_id == source["id"],
        Provenance.withdrawn.isnot(None)).count() == 0
    assert snapshot(source["id"]) == before


def test_the_datasets_a_short_listing_gives_are_still_updated(replay: ReplayServer) -> None:
    """A change to a dataset the short listing does give is imported all the same."""
    portal, source = _ckan(replay)
    harvest_setup.run_job(source["id"])
    first = portal.records[0]
    first["title"] = "Titre corrigé"
    first["metadata_modified"] = "2026-01-01T00:00:00"
    portal.empty_from = 4

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id)
    after = snapshot(source["id"])
    assert after[first["id"]][2] == "Titre corrigé"
    assert all(state[0] == "active" for state in after.values())


def test_a_whole_listing_still_withdraws_what_is_gone(replay: ReplayServer) -> None:
    """A partner listing all it announces, one dataset fewer, still has it withdrawn."""
    portal, source = _ckan(replay)
    harvest_setup.run_job(source["id"])
    gone = portal.records.pop(3)

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    assert snapshot(source["id"])[gone["id"]][0] == "deleted"


@pytest.mark.parametrize("kind,start", [("ckan", _ckan), ("udata", _udata), ("ods", _ods),
                                        ("dcat", _dcat("nextPage"))])
def test_an_emptied_partner_withdraws_nothing(replay: ReplayServer, kind: str,
                                              start: Callable[..., Any]) -> None:
    """A partner answering no dataset at all, where it had some, withdraws nothing and
    the job says why."""
    portal, source = start(replay)
    harvest_setup.run_job(source["id"])
    before = snapshot(source["id"])
    if kind == "dcat":
        for dataset in portal.datasets():
            portal.remove(str(dataset))
    else:
        portal.records.clear()

    job = harvest_setup.run_job(source["id"])

    assert any("listed no dataset" in error for error in job_errors(job.id))
    assert model.Session.get(HarvestRun, job.id).complete is False
    assert model.Session.query(Provenance).filter(
        Provenance.harvest_source_id == source["id"],
        Provenance.missing_since.isnot(None)).count() == 0
    assert snapshot(source["id"]) == before


def test_a_first_harvest_of_an_empty_partner_is_no_error(replay: ReplayServer) -> None:
    """A partner with no dataset, harvested for the first time, is a complete gather."""
    CkanPortal(replay, [])
    source = _source(replay, "territorial_ckan", "/")

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    assert model.Session.get(HarvestRun, job.id).complete is True
