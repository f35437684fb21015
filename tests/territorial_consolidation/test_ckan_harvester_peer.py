"""The CKAN partner harvester end to end against a second real CKAN over HTTP on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import model
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject
from ckanext.territorial_consolidation.model import HarvestRun, Provenance
from tests.territorial_consolidation.harvest_setup import (MARKS, extras_of, free_port,
                                                           harvested, job_errors, make_source,
                                                           run_job)

pytestmark = MARKS


def _setup(ckan_peer: Any, count: int = 1, **config: Any) -> tuple[dict, list, dict, dict]:
    """A partner organization with ``count`` datasets, and a local source harvesting it."""
    remote_org = ckan_peer.organization()
    remotes = [ckan_peer.dataset(remote_org) for _ in range(count)]
    org = factories.Organization()
    source = make_source(org, ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]},
        **config})
    return remote_org, remotes, org, source


def _backdate_missing(source_id: str, days: int) -> None:
    model.Session.query(Provenance).filter_by(harvest_source_id=source_id).filter(
        Provenance.missing_since.isnot(None)).update(
        {"missing_since": dt.datetime.utcnow() - dt.timedelta(days=days)})
    model.Session.commit()


def test_first_harvest_creates_datasets_in_source_organization(ckan_peer):
    """A first run creates one local dataset per partner dataset, owned by the source's organization."""
    _remote_org, remotes, org, source = _setup(ckan_peer, count=2)
    job = run_job(source["id"])
    local = harvested(source["id"])
    assert job_errors(job) == []
    assert sorted(local) == sorted(r["id"] for r in remotes)
    assert {pkg["owner_org"] for pkg in local.values()} == {org["id"]}


def test_harvested_dataset_carries_territory_licence_frequency_and_schema(ckan_peer):
    """The copy has the source's territory, the mapped licence and EU frequency, and conforms_to."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    run_job(source["id"])
    pkg = harvested(source["id"])[remote["id"]]
    assert (pkg["territory_code"], pkg["territorial_level"]) == ("35238", "commune")
    assert pkg["license_id"] == "odc-odbl"
    assert pkg["update_frequency"] == "MONTHLY"
    assert [r.get("conforms_to") for r in pkg["resources"]] == [
        None, "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"]


def test_provenance_records_portal_and_remote_dataset(ckan_peer):
    """The provenance row names the partner, the remote id and page, and its modified date."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    run_job(source["id"])
    prov = model.Session.query(Provenance).filter_by(harvest_source_id=source["id"]).one()
    assert prov.portal_kind == "ckan"
    assert prov.portal_url == ckan_peer.url
    assert prov.remote_id == remote["id"]
    assert prov.remote_url == f"{ckan_peer.url}/dataset/{remote['name']}"
    assert prov.remote_modified.isoformat() == remote["metadata_modified"]


def test_private_datasets_upstream_are_never_copied(ckan_peer):
    """A private dataset of the partner is not harvested, even by a sysadmin's source."""
    remote_org, [public], _org, source = _setup(ckan_peer)
    private = ckan_peer.dataset(remote_org, private=True)
    run_job(source["id"])
    local = harvested(source["id"])
    assert list(local) == [public["id"]]
    assert private["id"] not in local


def test_organization_filter_limits_the_harvest(ckan_peer):
    """Only datasets of the organizations named in the filter are harvested."""
    _remote_org, [kept], _org, source = _setup(ckan_peer)
    ckan_peer.dataset(ckan_peer.organization())
    run_job(source["id"])
    assert list(harvested(source["id"])) == [kept["id"]]


def test_excluded_organization_is_not_harvested(ckan_peer):
    """A partner organization listed in organizations_exclude is skipped."""
    excluded = ckan_peer.organization()
    dropped = ckan_peer.dataset(excluded)
    org = factories.Organization()
    source = make_source(org, ckan_peer.url, {
        "territory": "commune:35238",
        "filters": {"organizations_exclude": [excluded["name"]]}})
    run_job(source["id"])
    assert dropped["id"] not in harvested(source["id"])


def test_reharvest_of_unchanged_partner_changes_nothing(ckan_peer):
    """A second run over an unchanged partner imports nothing and counts the records unchanged."""
    _remote_org, remotes, _org, source = _setup(ckan_peer, count=2)
    run_job(source["id"])
    before = {key: pkg["metadata_modified"] for key, pkg in harvested(source["id"]).items()}
    job = run_job(source["id"])
    after = {key: pkg["metadata_modified"] for key, pkg in harvested(source["id"]).items()}
    assert after == before
    assert model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).count() == 0
    assert HarvestRun.get(job.id).unchanged == 2


def test_change_upstream_updates_the_copy_with_stable_resource_ids(ckan_peer):
    """An edited partner dataset updates the local copy and keeps each local resource id."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    run_job(source["id"])
    first = harvested(source["id"])[remote["id"]]
    resources = list(reversed(remote["resources"]))
    resources[0]["name"] = "Données JSON 2026"
    ckan_peer.call("package_patch", id=remote["id"], title="Budget primitif 2026",
                   resources=resources)
    run_job(source["id"])
    second = harvested(source["id"])[remote["id"]]
    assert second["id"] == first["id"]
    assert second["title"] == "Budget primitif 2026"
    assert {r["remote_id"]: r["id"] for r in second["resources"]} == \
        {r["remote_id"]: r["id"] for r in first["resources"]}


def test_resource_recreated_upstream_keeps_local_id_by_url(ckan_peer):
    """A partner resource re-created with a new id but the same URL keeps its local id."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    run_job(source["id"])
    first = harvested(source["id"])[remote["id"]]
    recreated = [{k: v for k, v in r.items() if k != "id"} for r in remote["resources"]]
    ckan_peer.call("package_patch", id=remote["id"], resources=recreated)
    run_job(source["id"])
    second = harvested(source["id"])[remote["id"]]
    assert {r["url"]: r["id"] for r in second["resources"]} == \
        {r["url"]: r["id"] for r in first["resources"]}
    assert {r["remote_id"] for r in second["resources"]}.isdisjoint(
        {r["remote_id"] for r in first["resources"]})


def test_local_edits_to_kept_fields_survive_reharvest(ckan_peer):
    """A local edit to a field listed in keep_local_fields is kept when the partner changes."""
    _remote_org, [remote], _org, source = _setup(ckan_peer, keep_local_fields=["notes"])
    run_job(source["id"])
    local = harvested(source["id"])[remote["id"]]
    helpers.call_action("package_patch", id=local["id"], notes="Note locale du service")
    ckan_peer.call("package_patch", id=remote["id"], notes="Nouvelle description",
                   title="Titre modifié")
    run_job(source["id"])
    after = harvested(source["id"])[remote["id"]]
    assert after["notes"] == "Note locale du service"
    assert after["title"] == "Titre modifié"


def test_incremental_source_asks_only_for_recent_changes(ckan_peer):
    """An incremental source's second gather lists only datasets modified since the last run."""
    _remote_org, remotes, _org, source = _setup(ckan_peer, count=2, incremental=True)
    run_job(source["id"])
    ckan_peer.call("package_patch", id=remotes[0]["id"], title="Seul modifié")
    job = run_job(source["id"])
    run = HarvestRun.get(job.id)
    assert run.since is not None
    assert run.complete is False
    assert run.gathered == 1
    assert harvested(source["id"])[remotes[0]["id"]]["title"] == "Seul modifié"


def test_deleted_upstream_is_first_marked_missing_not_withdrawn(ckan_peer):
    """A dataset gone upstream is marked missing and stays active during the grace period."""
    # Two datasets: a listing with none left is refused as a lying partner.
    _remote_org, [remote, _kept], _org, source = _setup(ckan_peer, count=2)
    run_job(source["id"])
    ckan_peer.call("package_delete", id=remote["id"])
    job = run_job(source["id"])
    prov = model.Session.query(Provenance).filter_by(harvest_source_id=source["id"],
                                                        remote_id=remote["id"]).one()
    assert prov.missing_since is not None
    assert prov.withdrawn is None
    assert model.Package.get(prov.package_id).state == "active"
    assert HarvestRun.get(job.id).missing == 1


def test_deleted_upstream_is_withdrawn_after_grace_period(ckan_peer):
    """After the grace period a complete gather withdraws (deletes) the missing dataset."""
    # Two datasets: a listing with none left is refused as a lying partner.
    _remote_org, [remote, _kept], _org, source = _setup(ckan_peer, count=2)
    run_job(source["id"])
    ckan_peer.call("package_delete", id=remote["id"])
    run_job(source["id"])
    _backdate_missing(source["id"], days=8)
    run_job(source["id"])
    prov = model.Session.query(Provenance).filter_by(harvest_source_id=source["id"],
                                                        remote_id=remote["id"]).one()
    assert prov.withdrawn is not None
    assert model.Package.get(prov.package_id).state == "deleted"


def test_failed_gather_never_withdraws(ckan_peer):
    """A gather that fails (partner unreachable) withdraws nothing, even past the grace period."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    run_job(source["id"])
    ckan_peer.call("package_delete", id=remote["id"])
    run_job(source["id"])
    _backdate_missing(source["id"], days=30)
    from ckanext.harvest.model import HarvestSource
    harvest_source = HarvestSource.get(source["id"])
    harvest_source.url = f"http://127.0.0.1:{free_port()}"
    model.Session.commit()
    job = run_job(source["id"])
    prov = model.Session.query(Provenance).filter_by(harvest_source_id=source["id"]).one()
    assert job_errors(job)
    assert prov.withdrawn is None
    assert model.Package.get(prov.package_id).state == "active"


def test_withdrawn_dataset_comes_back_when_republished(ckan_peer):
    """A withdrawn copy is restored, with the same id, when the partner publishes it again."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    run_job(source["id"])
    local_id = harvested(source["id"])[remote["id"]]["id"]
    ckan_peer.call("package_delete", id=remote["id"])
    run_job(source["id"])
    _backdate_missing(source["id"], days=8)
    run_job(source["id"])
    ckan_peer.call("package_patch", id=remote["id"], state="active")
    run_job(source["id"])
    prov = model.Session.query(Provenance).filter_by(harvest_source_id=source["id"]).one()
    assert prov.package_id == local_id
    assert prov.withdrawn is None
    assert model.Package.get(local_id).state == "active"


def test_rerunning_a_finished_job_changes_nothing(ckan_peer):
    """Importing again the objects of a finished job leaves the datasets as they are."""
    _remote_org, [remote], _org, source = _setup(ckan_peer)
    job = run_job(source["id"])
    before = harvested(source["id"])[remote["id"]]
    harvester = queue.get_harvester("territorial_ckan")
    for harvest_object in model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id):
        assert harvester.import_stage(harvest_object) == "unchanged"
    after = harvested(source["id"])[remote["id"]]
    assert after["metadata_modified"] == before["metadata_modified"]
    assert extras_of(after) == extras_of(before)
