"""Duplicate detection of harvested datasets: once per job, after its last import."""
from __future__ import annotations

from typing import Any

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.territorial_consolidation import duplicates
from ckanext.territorial_consolidation.model import Provenance
from tests.territorial_consolidation.harvest_setup import MARKS, make_source
from tests.territorial_consolidation.test_harvest_base import MemoryHarvester, _record, _run

COMMUNE = {"territory": "commune:35238"}
NATIONAL = {"territory": "national:FR"}


def _source(config: dict[str, Any], url: str) -> dict[str, Any]:
    return make_source(factories.Organization(), url, config)


def _copy(source_id: str, remote_id: str) -> Provenance:
    model.Session.expire_all()
    return model.Session.query(Provenance).filter_by(harvest_source_id=source_id,
                                                     remote_id=remote_id).one()


@pytest.mark.usefixtures(*MARKS[-1].args)
@pytest.mark.ckan_config("ckan.plugins", MARKS[0].args[1])
@pytest.mark.ckan_config("scheming.dataset_schemas", MARKS[1].args[1])
class TestJobDetection:
    def test_copy_from_a_second_portal_is_a_mirror_after_its_job(self):
        """The national copy of a commune's dataset is marked and indexed as its mirror."""
        commune = _source(COMMUNE, "https://commune.example.org")
        national = _source(NATIONAL, "https://national.example.org")
        _run(MemoryHarvester([_record("a"), _record("b")]), commune["id"])
        _run(MemoryHarvester([_record("a")]), national["id"])
        original, mirror = _copy(commune["id"], "remote-a"), _copy(national["id"], "remote-a")
        assert mirror.canonical_package_id == original.package_id
        assert mirror.duplicate_reason == "resource_url"
        assert _copy(commune["id"], "remote-b").canonical_package_id is None
        found = helpers.call_action("package_search", fq="territorial_mirror:true",
                                    include_private=True)
        assert [result["id"] for result in found["results"]] == [mirror.package_id]

    def test_detection_runs_once_per_job_over_its_datasets(self, monkeypatch):
        """One detection per job, after its last import, over every dataset it imported."""
        calls: list[list[str]] = []
        real = duplicates.detect

        def counting(package_ids: Any = None, reindex: bool = True) -> dict[str, Any]:
            calls.append(sorted(package_ids))
            return real(package_ids, reindex=reindex)

        monkeypatch.setattr(duplicates, "detect", counting)
        source = _source(COMMUNE, "https://commune.example.org")
        _run(MemoryHarvester([_record("a"), _record("b"), _record("c")]), source["id"])
        imported = sorted(row.package_id for row in model.Session.query(Provenance))
        assert len(imported) == 3
        assert calls == [imported]

    def test_withdrawn_canonical_releases_its_mirror(self, ckan_config, monkeypatch):
        """When the canonical copy is withdrawn, its mirror is no longer one."""
        monkeypatch.setitem(ckan_config,
                            "ckanext.territorial_consolidation.harvest_grace_days", 0)
        commune = _source(COMMUNE, "https://commune.example.org")
        national = _source(NATIONAL, "https://national.example.org")
        _run(MemoryHarvester([_record("a"), _record("b")]), commune["id"])
        _run(MemoryHarvester([_record("a")]), national["id"])
        assert _copy(national["id"], "remote-a").canonical_package_id is not None
        _run(MemoryHarvester([_record("b")]), commune["id"])
        assert model.Package.get(_copy(commune["id"], "remote-a").package_id).state == "deleted"
        assert _copy(national["id"], "remote-a").canonical_package_id is None

    def test_job_left_unfinished_is_detected_by_the_next_gather(self):
        """A job whose last object was never imported gets its detection at the next job."""
        commune = _source(COMMUNE, "https://commune.example.org")
        national = _source(NATIONAL, "https://national.example.org")
        _run(MemoryHarvester([_record("a")]), commune["id"])
        harvester = MemoryHarvester([_record("a"), _record("b")])
        user = helpers.call_action("get_site_user")["name"]
        job = HarvestJob.get(helpers.call_action("harvest_job_create", {"user": user},
                                                 source_id=national["id"], run=False)["id"])
        job.status = "Running"
        ids = queue.gather_stage(harvester, job)
        first = HarvestObject.get(ids[0])
        assert first.guid == "remote-a"
        queue.fetch_and_import_stages(harvester, first)  # the worker stops after it
        assert _copy(national["id"], "remote-a").canonical_package_id is None
        job = HarvestJob.get(job.id)
        job.status = "Finished"
        job.save()
        # The next job finds "remote-a" unchanged: only the catch-up looks at it again.
        _run(harvester, national["id"])
        assert _copy(national["id"], "remote-a").canonical_package_id == \
            _copy(commune["id"], "remote-a").package_id
