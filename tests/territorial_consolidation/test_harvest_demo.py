"""The demo's harvest sources: real partner portals, one per harvester, and what an offline
portal shows when one is harvested."""
from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.territorial_consolidation import harvest_demo

from tests.territorial_consolidation.harvest_setup import run_job

HARVESTERS = ("territorial_ckan_harvester territorial_udata_harvester "
              "territorial_ods_harvester territorial_dcat_harvester")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search scheming_datasets "
                            "opendata_governance harvest territorial_consolidation "
                            + HARVESTERS),
    pytest.mark.ckan_config("scheming.dataset_schemas",
                            "ckanext.opendata_governance:schemas/dataset.yaml"),
    pytest.mark.ckan_config("ckanext.territorial_consolidation.harvest_retries", "0"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "harvest_redis_db"),
]


def _sources() -> dict[str, dict[str, Any]]:
    listed = helpers.call_action("harvest_source_list", {"user": factories.Sysadmin()["name"]},
                                 return_last_job_status=False)
    shown = [helpers.call_action("harvest_source_show", id=source["id"]) for source in listed]
    return {source["name"]: source for source in shown}


def test_demo_registers_one_partner_portal_per_harvester():
    """The demo adds a manual source of the demo EPCI for each harvester, once."""
    owner = factories.Organization(name=harvest_demo.DEMO_OWNER)
    first = harvest_demo.load_harvest_sources()
    assert sorted(first["created"]) == sorted(harvest_demo.DEMO_SOURCES)
    again = harvest_demo.load_harvest_sources()
    assert again == {"created": [], "present": list(harvest_demo.DEMO_SOURCES), "skipped": []}
    sources = _sources()
    assert set(sources) == set(harvest_demo.DEMO_SOURCES)
    assert {source["source_type"] for source in sources.values()} == {
        "territorial_ckan", "territorial_udata", "territorial_ods", "territorial_dcat"}
    for name, source in sources.items():
        _type, _title, url, territory = harvest_demo.DEMO_SOURCES[name]
        assert source["url"] == url and url.startswith("https://")
        assert source["frequency"] == "MANUAL"
        assert source["owner_org"] == owner["id"]
        assert json.loads(source["config"]) == {"territory": territory}


def test_demo_sources_wait_for_the_demo_organization():
    """Without the demo organization nothing is registered, and a later load does it."""
    assert harvest_demo.load_harvest_sources()["skipped"] == list(harvest_demo.DEMO_SOURCES)
    assert _sources() == {}
    factories.Organization(name=harvest_demo.DEMO_OWNER)
    assert len(harvest_demo.load_harvest_sources()["created"]) == 4


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No internet: every name but the loopback's fails to resolve, as on a machine
    without a network (the test never depends on this machine's network)."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("127.0.0.1", "localhost", "::1"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.mark.usefixtures("offline")
def test_offline_harvest_of_a_demo_source_shows_why_on_its_page(app, api_headers):
    """Harvesting a demo partner without internet ends the job with an error naming the host
    it could not resolve, shown on the source's page; nothing is imported."""
    admin = factories.Sysadmin()
    factories.Organization(name=harvest_demo.DEMO_OWNER,
                           users=[{"name": admin["name"], "capacity": "admin"}])
    harvest_demo.load_harvest_sources()
    source = _sources()["demo-rennes-metropole-ods"]
    job = run_job(source["id"])
    assert job.status == "Finished"
    assert [error.message for error in job.gather_errors] == [
        "Gather stopped: Cannot resolve the host data.rennesmetropole.fr"]
    response = app.get(f"/harvest/territorial/{source['name']}", headers=api_headers(admin))
    assert response.status_code == 200
    assert "Cannot resolve the host data.rennesmetropole.fr" in response.body
    assert helpers.call_action("package_search", fq=f"harvest_source_id:{source['id']}",
                               include_private=True)["count"] == 0


def test_demo_load_command_registers_the_sources(cli):
    """``ckan territorial-consolidation demo load`` (run by `make run`) says what it did."""
    from ckanext.territorial_consolidation.cli import territorial_consolidation

    factories.Organization(name=harvest_demo.DEMO_OWNER)
    result = cli.invoke(territorial_consolidation, ["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo harvest sources: 4 created, 0 already there" in result.output
    again = cli.invoke(territorial_consolidation, ["demo", "load"])
    assert "Demo harvest sources: 0 created, 4 already there" in again.output
