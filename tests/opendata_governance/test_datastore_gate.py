"""Governance first: the DataStore never holds what the personal-data scan withholds."""
from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance import check_runner
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, datastore_records, run_jobs, served_portal)  # noqa: F401 (fixture)
from tests.opendata_governance.gate_setup import approve, open_dataset, published, switch_gate

pytestmark = MARKS

PERSONAL = ("code_insee;commune;courriel;montant\n"
            + "".join(f"750{i:02d};Paris;agent.{i}@mairie-exemple.fr;{i}00\n"
                      for i in range(1, 30))).encode("utf-8")


def _loaded(resource_id: str) -> bool:
    try:
        datastore_records(resource_id)
    except tk.ObjectNotFound:
        return False
    return True


def _status(resource_id: str) -> dict[str, Any]:
    return helpers.call_action("xloader_status", {"ignore_auth": True},
                               resource_id=resource_id)


def _submit(resource_id: str) -> bool:
    return helpers.call_action("xloader_submit", {"ignore_auth": True},
                               resource_id=resource_id, ignore_hash=True)


@pytest.fixture
def flagged(served_portal: str) -> dict[str, Any]:
    """A public dataset of a governed organization to which an editor added a CSV of
    agents' e-mail addresses; the jobs have run. Its users and ids."""
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = published(**open_dataset(owner_org=org["id"]))
    resource = helpers.call_action(
        "resource_create", {"user": editor["name"]}, package_id=dataset["id"],
        name="Agents", format="CSV", upload=upload(PERSONAL, "agents.csv"))
    run_jobs()
    return {"editor": editor, "org": org, "dataset": dataset, "resource": resource}


def test_an_upload_with_personal_data_leaves_no_datastore_table(flagged):
    """The scan of the uploaded file flags the e-mail column: the table is deleted,
    the dataset is private again, and the load status says why."""
    resource_id = flagged["resource"]["id"]
    assert not _loaded(resource_id)
    assert helpers.call_action("resource_show", id=resource_id)["datastore_active"] is False
    assert helpers.call_action("package_show", id=flagged["dataset"]["id"])["private"] is True
    status = _status(resource_id)
    assert status["status"] == "error"
    assert "courriel" in status["error"]["message"]


def test_a_resource_with_a_finding_is_not_submitted_again(flagged):
    """can_upload refuses a resource whose latest scan found personal data."""
    resource_id = flagged["resource"]["id"]
    assert _submit(resource_id) is False
    run_jobs()
    assert not _loaded(resource_id)
    assert "courriel" in _status(resource_id)["error"]["message"]


def test_a_finding_stored_later_deletes_the_table(served_portal):
    """A private dataset's resource loaded before its scan: the scan's finding
    (governance_check_run) deletes its DataStore table."""
    user = factories.Sysadmin()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Agents", format="CSV", url="https://example.org/agents.csv",
        url_type="")
    # The link is not fetched in this test: load the rows as xloader would.
    helpers.call_action("datastore_create", {"user": user["name"]},
                        resource_id=resource["id"], force=True,
                        records=[{"courriel": "agent.1@mairie-exemple.fr"}])
    assert _loaded(resource["id"])
    check_runner.store(dataset["id"], [{
        "check_id": "personal_data_scan", "title": "No personal data found",
        "severity": "blocking", "resource_id": resource["id"], "status": "failed",
        "findings": [{"column": "courriel", "kind": "email", "message": "e-mails"}]}],
        "manual")
    model.Session.commit()
    run_jobs()
    assert not _loaded(resource["id"])
    assert "courriel" in _status(resource["id"])["error"]["message"]


def test_a_finding_overridden_by_a_sign_off_is_loaded(flagged):
    """A reviewer's approved override of the finding on this very file lets it load."""
    resource_id = flagged["resource"]["id"]
    # xloader writes the file's MD5 as the resource's hash after a load, and the
    # sign-off's fingerprint covers the hash: sign off the file as xloader leaves it
    # (on CKAN 2.12 the unpublishing's package_patch may have put the old hash back).
    helpers.call_action("resource_patch", {"ignore_auth": True}, id=resource_id,
                        hash=hashlib.md5(PERSONAL).hexdigest())
    model.Session.expire_all()
    approve(flagged["dataset"]["id"], override=True)
    assert _submit(resource_id) is True
    run_jobs()
    assert _loaded(resource_id)


def test_the_copy_without_flagged_columns_is_loaded_instead(flagged):
    """The quarantine copy, uploaded as a resource of its own, is loaded without the
    flagged column."""
    dataset_id = flagged["dataset"]["id"]
    resource = helpers.call_action("resource_show", id=flagged["resource"]["id"])
    drop = [column["index"] for column in check_runner.flagged_columns(dataset_id,
                                                                        resource["id"])]
    assert drop
    copy = io.BytesIO()
    check_runner.write_quarantine(resource, drop, copy)
    cleaned = helpers.call_action(
        "resource_create", {"user": flagged["editor"]["name"]}, package_id=dataset_id,
        name="Agents (sans courriel)", format="CSV",
        upload=upload(copy.getvalue(), "agents-quarantaine.csv"))
    run_jobs()
    records = datastore_records(cleaned["id"])
    assert records["total"] == 29
    assert "courriel" not in {field["id"] for field in records["fields"]}


def test_the_preview_says_why_to_editors_and_nothing_to_others(flagged, app):
    """The table view of a withheld resource: its reason for the dataset's editors,
    a 404 for a visitor and for a user outside the organization."""
    dataset_id, resource_id = flagged["dataset"]["id"], flagged["resource"]["id"]
    view = helpers.call_action("resource_view_create", {"ignore_auth": True},
                               resource_id=resource_id, view_type="datatables_view",
                               title="Tableau")
    url = f"/dataset/{dataset_id}/resource/{resource_id}/view/{view['id']}"
    editor = flagged["editor"]
    token = helpers.call_action("api_token_create", {"user": editor["name"]},
                                user=editor["name"], name="t")["token"]
    shown = app.get(url, headers={"Authorization": token}, status=409)
    assert "courriel" in shown.body
    app.get(url, status=404)
    outsider = factories.User()
    token = helpers.call_action("api_token_create", {"user": outsider["name"]},
                                user=outsider["name"], name="t")["token"]
    app.get(url, headers={"Authorization": token}, status=404)
    app.post(f"/datatables/ajax/{view['id']}", data={"draw": "1"}, status=404)
    app.get(f"/datastore/dump/{resource_id}", status=404)


def test_the_datastore_page_tells_editors_why(flagged, app):
    """xloader's DataStore page of the resource (editors only) shows the reason."""
    dataset_id, resource_id = flagged["dataset"]["id"], flagged["resource"]["id"]
    editor = flagged["editor"]
    token = helpers.call_action("api_token_create", {"user": editor["name"]},
                                user=editor["name"], name="t")["token"]
    page = app.get(f"/dataset/{dataset_id}/resource_data/{resource_id}",
                   headers={"Authorization": token})
    assert "courriel" in page.body
    outsider = factories.User()
    token = helpers.call_action("api_token_create", {"user": outsider["name"]},
                                user=outsider["name"], name="t")["token"]
    refused = app.get(f"/dataset/{dataset_id}/resource_data/{resource_id}",
                      headers={"Authorization": token}, expect_errors=True)
    assert refused.status_code in (403, 404)
    assert "courriel" not in refused.body


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/agents.csv",
    "http://10.1.2.3/agents.csv",
    "http://169.254.169.254/latest/meta-data/agents.csv",
    "http://[::1]/agents.csv",
])
def test_a_link_to_a_private_address_is_not_loaded(served_portal, url):
    """xloader downloads links with plain requests: a private, loopback or metadata
    address is refused before the job, with the reason as the load status."""
    user = factories.Sysadmin()
    dataset = factories.Dataset(owner_org=factories.Organization()["id"], private=True)
    resource = helpers.call_action("resource_create", {"user": user["name"]},
                                   package_id=dataset["id"], name="Agents",
                                   format="CSV", url=url)
    assert _submit(resource["id"]) is False
    run_jobs()
    assert not _loaded(resource["id"])
    status = _status(resource["id"])
    assert status["status"] == "error"
    assert "private, local or reserved" in status["error"]["message"]


@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")
def test_an_allow_listed_private_link_is_loaded(served_portal):
    """A link the site allow-lists (an intranet server) is loaded like any other."""
    user = factories.Sysadmin()
    org = factories.Organization()
    switch_gate(org["id"], False)
    dataset = factories.Dataset(owner_org=org["id"])
    source = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Source", format="TXT", upload=upload(b"a;b\n1;2\n", "source.txt"))
    resource = helpers.call_action("resource_create", {"user": user["name"]},
                                   package_id=dataset["id"], name="Lien", format="CSV",
                                   url=served_portal + source["url"].split(
                                       "test.ckan.net", 1)[-1])
    run_jobs()
    assert datastore_records(resource["id"])["total"] == 1
