"""Harvest actions: preview of a partner, job reports with counts and errors, provenance."""
from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from tests.territorial_consolidation.harvest_setup import (MARKS, free_port, harvested,
                                                           make_source, run_job)

pytestmark = MARKS


def _sysadmin() -> dict:
    return {"user": factories.Sysadmin()["name"]}


def test_preview_of_a_source_lists_remote_datasets_and_writes_nothing(ckan_peer):
    """Previewing a source returns the partner's datasets as package dicts and creates nothing."""
    remote_org = ckan_peer.organization()
    remotes = [ckan_peer.dataset(remote_org) for _ in range(3)]
    source = make_source(factories.Organization(), ckan_peer.url, {
        "territory": "epci:243500139", "filters": {"organizations": [remote_org["name"]]}})
    before = model.Session.query(model.Package).count()
    result = helpers.call_action("territorial_harvest_preview", _sysadmin(),
                                 id=source["id"], limit=2)
    assert result["count"] == 2
    assert {p["title"] for p in result["results"]} <= {r["title"] for r in remotes}
    assert result["results"][0]["territorial_level"] == "epci"
    assert model.Session.query(model.Package).count() == before


def test_preview_of_a_new_source_by_url(ckan_peer):
    """A source being configured is previewed from its URL, type and config."""
    remote_org = ckan_peer.organization()
    remote = ckan_peer.dataset(remote_org)
    result = helpers.call_action(
        "territorial_harvest_preview", _sysadmin(), url=ckan_peer.url,
        source_type="territorial_ckan",
        config=json.dumps({"filters": {"organizations": [remote_org["name"]]}}))
    assert [p["title"] for p in result["results"]] == [remote["title"]]


def test_preview_with_bad_config_names_the_config_field():
    """An invalid config is a ValidationError on ``config`` naming the key."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_harvest_preview", _sysadmin(),
                            url="https://partner.example.org", source_type="territorial_ckan",
                            config='{"allowlist": ["10.0.0.0/8"]}')
    assert "allowlist" in error.value.error_dict["config"][0]


def test_preview_of_unreachable_partner_is_a_url_error():
    """A partner that cannot be reached is a ValidationError on ``url``, never a 500."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_harvest_preview", _sysadmin(),
                            url=f"http://127.0.0.1:{free_port()}", source_type="territorial_ckan")
    assert "url" in error.value.error_dict


def test_preview_refuses_loopback_unless_allow_listed(ckan_peer, ckan_config, monkeypatch):
    """Without the admin's allow-list the loopback partner is refused before any connection."""
    monkeypatch.setitem(ckan_config, "ckanext.territorial_consolidation.harvest_allowlist", "")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_harvest_preview", _sysadmin(), url=ckan_peer.url,
                            source_type="territorial_ckan")
    assert "private" in error.value.error_dict["url"][0]


def test_preview_needs_url_and_type_without_id():
    """Without a source id, url and source_type are required fields."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_harvest_preview", _sysadmin())
    assert set(error.value.error_dict) == {"url", "source_type"}


def test_preview_limit_is_bounded():
    """A limit above 50 is a ValidationError on ``limit``."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_harvest_preview", _sysadmin(),
                            url="https://partner.example.org", source_type="territorial_ckan",
                            limit=500)
    assert "limit" in error.value.error_dict


def test_report_counts_added_then_unchanged_and_updated(ckan_peer):
    """The report gives each job's added, updated and unchanged counts, newest job first."""
    remote_org = ckan_peer.organization()
    remotes = [ckan_peer.dataset(remote_org) for _ in range(2)]
    source = make_source(factories.Organization(), ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]}})
    run_job(source["id"])
    ckan_peer.call("package_patch", id=remotes[0]["id"], title="Modifié")
    run_job(source["id"])
    report = helpers.call_action("territorial_harvest_report", _sysadmin(), id=source["id"])
    assert report["count"] == 2
    latest, first = report["results"]
    assert first["counts"] == {"added": 2, "updated": 0, "unchanged": 0, "withdrawn": 0,
                               "errors": 0, "missing": 0}
    assert latest["counts"] == {"added": 0, "updated": 1, "unchanged": 1, "withdrawn": 0,
                                "errors": 0, "missing": 0}
    assert latest["complete"] is True and latest["status"] == "Finished"


def test_report_lists_gather_errors_of_a_failed_job():
    """A job whose partner is down shows the error message and is not complete."""
    source = make_source(factories.Organization(), f"http://127.0.0.1:{free_port()}")
    run_job(source["id"])
    job = helpers.call_action("territorial_harvest_report", _sysadmin(),
                              id=source["id"])["results"][0]
    assert job["counts"]["errors"] == 1
    assert job["errors"][0]["stage"] == "gather"
    assert "127.0.0.1" in job["errors"][0]["message"]
    assert job["complete"] is False


def test_report_pages_with_limit_and_offset():
    """limit and offset page the jobs; count is the number of jobs."""
    source = make_source(factories.Organization(), f"http://127.0.0.1:{free_port()}")
    for _ in range(3):
        run_job(source["id"])
    page = helpers.call_action("territorial_harvest_report", _sysadmin(), id=source["id"],
                               limit=2, offset=2)
    assert page["count"] == 3
    assert len(page["results"]) == 1


def test_report_of_unknown_source_is_not_found():
    """An unknown source id is ObjectNotFound."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("territorial_harvest_report", _sysadmin(), id="nope")


def test_provenance_show_of_a_harvested_dataset(ckan_peer):
    """provenance_show gives the partner, remote id and territory of a harvested dataset."""
    remote_org = ckan_peer.organization()
    remote = ckan_peer.dataset(remote_org)
    source = make_source(factories.Organization(), ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]}})
    run_job(source["id"])
    local = harvested(source["id"])[remote["id"]]
    prov = helpers.call_action("territorial_provenance_show", _sysadmin(), id=local["name"])
    assert (prov["portal_kind"], prov["remote_id"], prov["territory_code"]) == \
        ("ckan", remote["id"], "35238")
    assert prov["harvest_source_id"] == source["id"]


def test_provenance_show_of_a_local_dataset_is_not_found():
    """A dataset that was not harvested has no provenance: ObjectNotFound."""
    dataset = factories.Dataset(private=True, owner_org=factories.Organization()["id"])
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("territorial_provenance_show", _sysadmin(), id=dataset["id"])


def test_provenance_list_gives_the_harvested_datasets_of_many(ckan_peer):
    """provenance_list gives, by dataset id, the provenance of those harvested and leaves
    the others out."""
    remote_org = ckan_peer.organization()
    remote = ckan_peer.dataset(remote_org)
    source = make_source(factories.Organization(), ckan_peer.url, {
        "territory": "commune:35238", "filters": {"organizations": [remote_org["name"]]}})
    run_job(source["id"])
    local = harvested(source["id"])[remote["id"]]
    other = factories.Dataset(private=True, owner_org=factories.Organization()["id"])
    found = helpers.call_action("territorial_provenance_list", _sysadmin(),
                                ids=[local["id"], other["id"]])
    assert list(found) == [local["id"]]
    assert found[local["id"]] == helpers.call_action(
        "territorial_provenance_show", _sysadmin(), id=local["id"])


@pytest.mark.parametrize("ids", [1, "abc", [1, 2], {"a": 1}, ["x"] * 1001])
def test_provenance_list_refuses_what_is_not_a_short_list_of_ids(ids):
    """Anything but a list of at most 1,000 ids is refused, naming the field."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_provenance_list", _sysadmin(), ids=ids)
    assert "ids" in error.value.error_dict
