"""The harvester base: source config, convergent gather, import errors, withdrawal rules."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, Optional

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.territorial_consolidation.harvesters.base import (RemoteDataset,
                                                               TerritorialHarvester, parse_config)
from ckanext.territorial_consolidation.harvesters.local_edits import stable_resources
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from ckanext.territorial_consolidation.model import HarvestRun, Provenance
from tests.territorial_consolidation.harvest_setup import MARKS, job_errors, make_source


class MemoryHarvester(TerritorialHarvester):
    """A partner held in memory: ``records`` are listed, then ``fail_after`` may cut it."""

    PORTAL_KIND = "ckan"

    def __init__(self, records: list[dict[str, Any]], fail_after: Optional[int] = None):
        self.records = records
        self.fail_after = fail_after

    def info(self) -> dict[str, str]:
        return {"name": "territorial_ckan", "title": "memory", "description": ""}

    def iter_remote(self, source_url: str, config: dict[str, Any], client: HarvestClient,
                    since: Optional[dt.datetime]) -> Iterator[RemoteDataset]:
        for index, record in enumerate(self.records):
            if self.fail_after is not None and index >= self.fail_after:
                raise HarvestFetchError("page 2 answered HTTP 500", source_url, 500)
            yield RemoteDataset(remote_id=record["id"], remote_url=None, modified=None,
                                identifier=None, raw=record)

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        raw = remote.raw
        return {"name": raw["id"], "title": raw["title"], "license_id": "odc-odbl",
                "tags": [{"name": tag} for tag in raw.get("tags", [])],
                "resources": [{"url": url, "remote_id": url} for url in raw.get("urls", [])]}


def _record(key: str, title: str = "Jeu") -> dict[str, Any]:
    return {"id": f"remote-{key}", "title": f"{title} {key}",
            "urls": [f"https://data.example.org/{key}.csv"]}


def _run(harvester: MemoryHarvester, source_id: str) -> HarvestJob:
    user = helpers.call_action("get_site_user")["name"]
    job_dict = helpers.call_action("harvest_job_create", {"user": user},
                                   source_id=source_id, run=False)
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    ids = queue.gather_stage(harvester, job) or []
    for object_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    helpers.call_action("harvest_jobs_run", {"user": user}, source_id=source_id)
    return HarvestJob.get(job_dict["id"])


def _source() -> dict[str, Any]:
    return make_source(factories.Organization(), "https://partner.example.org",
                       {"territory": "epci:243500139"})


class TestConfig:
    def test_territory_as_level_and_code(self):
        """``"territory": "level:code"`` becomes territory_code and territorial_level."""
        config = parse_config('{"territory": "epci:243500139"}')
        assert config == {"territory_code": "243500139", "territorial_level": "epci"}

    def test_territory_as_two_keys(self):
        """territory_code with territorial_level is accepted as is."""
        config = parse_config({"territory_code": "35", "territorial_level": "departement"})
        assert config["territory_code"] == "35"

    @pytest.mark.parametrize("config, key", [
        ('{"territory": "canton:35"}', "territorial_level"),
        ('{"territory": "35238"}', "territory"),
        ('{"territory_code": "35238"}', "territorial_level"),
        ('{"filters": "org"}', "filters"),
        ('{"default_extras": {"theme": ["a"]}}', "default_extras"),
        ('{"schedule": "HOURLY"}', "schedule"),
        ('{"keep_local_fields": "notes, title"}', "keep_local_fields"),
        ('{"incremental": "yes"}', "incremental"),
        ('{"page_size": 5000}', "page_size"),
        ('{"colour": "blue"}', "colour"),
    ])
    def test_bad_value_is_refused_naming_the_key(self, config, key):
        """A bad config value raises a ValueError whose message names the key."""
        with pytest.raises(ValueError, match=key):
            parse_config(config)

    def test_source_cannot_allow_list_hosts(self):
        """``allowlist`` in a source config is refused: only the site admin allow-lists."""
        with pytest.raises(ValueError, match="allowlist"):
            parse_config({"allowlist": ["10.0.0.0/8"]})

    def test_invalid_json_is_refused(self):
        """A config that is not JSON is refused with a readable message."""
        with pytest.raises(ValueError, match="JSON"):
            parse_config("{territory: epci}")

    def test_keep_local_fields_and_defaults_kept(self):
        """keep_local_fields, default_extras and schedule are normalised and kept."""
        config = parse_config({"keep_local_fields": ["notes"], "schedule": "weekly",
                               "default_extras": {"theme": "Budget", "year": 2026}})
        assert config == {"keep_local_fields": ["notes"], "schedule": "WEEKLY",
                          "default_extras": {"theme": "Budget", "year": "2026"}}


def test_stable_resources_match_by_remote_id_then_url():
    """Incoming resources take the local id of the same remote id, else of the same URL."""
    current = [{"id": "a", "remote_id": "r1", "url": "https://x/1.csv"},
               {"id": "b", "remote_id": "r2", "url": "https://x/2.csv"}]
    incoming = [{"remote_id": "r2", "url": "https://x/2-new.csv"},
                {"remote_id": "r9", "url": "https://x/1.csv"},
                {"remote_id": "r3", "url": "https://x/3.csv"}]
    assert [r.get("id") for r in stable_resources(current, incoming)] == ["b", "a", None]


@pytest.mark.usefixtures(*MARKS[-1].args)
@pytest.mark.ckan_config("ckan.plugins", MARKS[0].args[1])
@pytest.mark.ckan_config("scheming.dataset_schemas", MARKS[1].args[1])
class TestStages:
    def test_unchanged_records_create_no_harvest_object(self):
        """A second gather of the same records creates no object and counts them unchanged."""
        source = _source()
        harvester = MemoryHarvester([_record("a"), _record("b")])
        _run(harvester, source["id"])
        job = _run(harvester, source["id"])
        assert model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).count() == 0
        assert HarvestRun.get(job.id).unchanged == 2

    def test_failed_gather_imports_what_it_listed_but_is_incomplete(self):
        """A gather cut by a partner error imports the records listed and is not complete."""
        source = _source()
        job = _run(MemoryHarvester([_record("a"), _record("b")], fail_after=1), source["id"])
        assert [p.remote_id for p in model.Session.query(Provenance)] == ["remote-a"]
        assert HarvestRun.get(job.id).complete is False
        assert any("HTTP 500" in message for message in job_errors(job))

    def test_incomplete_gather_does_not_mark_missing(self):
        """Datasets not listed by an incomplete gather are not marked missing."""
        source = _source()
        _run(MemoryHarvester([_record("a"), _record("b")]), source["id"])
        _run(MemoryHarvester([_record("a"), _record("b")], fail_after=1), source["id"])
        assert all(p.missing_since is None for p in model.Session.query(Provenance))

    def test_bad_record_is_an_object_error_and_others_import(self):
        """A record the portal refuses is an error of its object; the others are imported."""
        source = _source()
        bad = {"id": "remote-bad", "title": "Mauvais", "urls": [], "tags": ["bad!tag"]}
        job = _run(MemoryHarvester([bad, _record("a")]), source["id"])
        assert [p.remote_id for p in model.Session.query(Provenance)] == ["remote-a"]
        assert any("remote-bad" in message for message in job_errors(job))

    def test_grace_period_zero_withdraws_at_first_complete_miss(self, ckan_config, monkeypatch):
        """With a grace period of 0 days the first complete gather missing it withdraws it."""
        monkeypatch.setitem(ckan_config, "ckanext.territorial_consolidation.harvest_grace_days", 0)
        source = _source()
        _run(MemoryHarvester([_record("a"), _record("b")]), source["id"])
        _run(MemoryHarvester([_record("a")]), source["id"])
        prov = model.Session.query(Provenance).filter_by(remote_id="remote-b").one()
        assert model.Package.get(prov.package_id).state == "deleted"

    def test_default_extras_are_added(self):
        """default_extras of the source config are added to every harvested dataset."""
        source = make_source(factories.Organization(), "https://partner.example.org",
                             {"territory": "epci:243500139",
                              "default_extras": {"producteur": "Rennes Métropole"}})
        _run(MemoryHarvester([_record("a")]), source["id"])
        prov = model.Session.query(Provenance).one()
        pkg = helpers.call_action("package_show", id=prov.package_id)
        assert {e["key"]: e["value"] for e in pkg["extras"]}["producteur"] == "Rennes Métropole"

    def test_invalid_stored_config_is_a_gather_error(self):
        """A source whose stored config became invalid ends its job with a gather error."""
        from ckanext.harvest.model import HarvestSource
        source = _source()
        HarvestSource.get(source["id"]).config = '{"colour": "blue"}'
        model.Session.commit()
        job = _run(MemoryHarvester([_record("a")]), source["id"])
        assert any("colour" in message for message in job_errors(job))
        assert model.Session.query(Provenance).count() == 0

    def test_preview_writes_nothing(self):
        """preview returns package dicts with territory fields and writes no dataset."""
        before = model.Session.query(model.Package).count()
        packages = MemoryHarvester([_record("a"), _record("b"), _record("c")]).preview(
            "https://partner.example.org", {"territory": "commune:35238"}, 2)
        assert [p["title"] for p in packages] == ["Jeu a", "Jeu b"]
        assert packages[0]["territory_code"] == "35238"
        assert model.Session.query(model.Package).count() == before


@pytest.mark.usefixtures(*MARKS[-1].args)
@pytest.mark.ckan_config("ckan.plugins", MARKS[0].args[1])
@pytest.mark.ckan_config("scheming.dataset_schemas", MARKS[1].args[1])
class TestSources:
    def test_source_creation_refuses_bad_config_on_config_field(self):
        """harvest_source_create refuses an invalid config with an error on ``config``."""
        import ckan.plugins.toolkit as tk
        with pytest.raises(tk.ValidationError) as error:
            make_source(factories.Organization(), "https://partner.example.org",
                        {"allowlist": ["10.0.0.0/8"]})
        assert "allowlist" in str(error.value.error_dict["config"])

    @pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/latest/",
                                     "http://127.0.0.2:5000/"])
    def test_private_source_address_ends_job_with_error(self, url):
        """A source at a private, metadata or loopback name is refused and the job records why."""
        from tests.territorial_consolidation.harvest_setup import run_job
        job = run_job(make_source(factories.Organization(), url)["id"])
        assert any("private" in message for message in job_errors(job))
        assert model.Session.query(Provenance).count() == 0
