"""Harvested datasets are in the search index as soon as their job has run, on every
CKAN version: created, changed and withdrawn copies alike."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation.model import Provenance
from tests.territorial_consolidation.harvest_setup import MARKS, make_source
from tests.territorial_consolidation.test_harvest_base import MemoryHarvester, _record, _run

pytestmark = MARKS


def _found(**params: Any) -> dict[str, str]:
    """Titles of the datasets package_search finds (private ones included), by id."""
    result = helpers.call_action("package_search", include_private=True, rows=100, **params)
    return {dataset["id"]: dataset["title"] for dataset in result["results"]}


def _package_id(source_id: str, remote_id: str) -> str:
    return model.Session.query(Provenance.package_id).filter_by(
        harvest_source_id=source_id, remote_id=remote_id).scalar()


def test_created_copies_are_found_after_their_job():
    """Every dataset a job creates is found by search, once, with its title."""
    source = make_source(factories.Organization(), "https://partner.example.org",
                         {"territory": "commune:35238"})
    _run(MemoryHarvester([_record("a", "Arbres"), _record("b", "Bancs")]), source["id"])
    first, second = _package_id(source["id"], "remote-a"), _package_id(source["id"], "remote-b")
    assert _found(q="Arbres") == {first: "Arbres a"}
    assert _found(q="Bancs") == {second: "Bancs b"}


def test_a_changed_copy_is_found_under_its_new_title():
    """A record changed on the partner is searched by its new title, no longer the old."""
    source = make_source(factories.Organization(), "https://partner.example.org",
                         {"territory": "commune:35238"})
    _run(MemoryHarvester([_record("a", "Arbres")]), source["id"])
    _run(MemoryHarvester([_record("a", "Fontaines")]), source["id"])
    package_id = _package_id(source["id"], "remote-a")
    assert _found(q="Fontaines") == {package_id: "Fontaines a"}
    assert _found(q="Arbres") == {}


def test_a_withdrawn_copy_leaves_search(ckan_config, monkeypatch):
    """A copy withdrawn after the grace period is no longer found."""
    monkeypatch.setitem(ckan_config, "ckanext.territorial_consolidation.harvest_grace_days", 0)
    source = make_source(factories.Organization(), "https://partner.example.org",
                         {"territory": "commune:35238"})
    _run(MemoryHarvester([_record("a", "Arbres"), _record("b", "Bancs")]), source["id"])
    _run(MemoryHarvester([_record("b", "Bancs")]), source["id"])
    assert _found(q="Arbres") == {}
    assert list(_found(q="Bancs").values()) == ["Bancs b"]
