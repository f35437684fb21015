"""Uploads and links are loaded into the real DataStore by the jobs worker."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.opendata_governance.datastore_setup import (
    MARKS, upload_resource, datastore_records, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS

CSV = ("code_insee;commune;montant\n"
       "75056;Paris;1200.5\n"
       "69123;Lyon;830\n"
       "13055;Marseille;640.25\n").encode("utf-8")


def test_an_uploaded_csv_is_loaded_into_the_datastore_by_the_worker(served_portal):
    resource = upload_resource(CSV, "subventions.csv", "Subventions")
    run_jobs(fork=True)  # the portal's own worker, a work horse forked per job
    records = datastore_records(resource["id"], sort="commune")
    assert [r["commune"] for r in records["records"]] == ["Lyon", "Marseille", "Paris"]
    assert {f["id"] for f in records["fields"]} >= {"code_insee", "commune", "montant"}
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert shown["datastore_active"] is True
    status = helpers.call_action("xloader_status", {"ignore_auth": True},
                                 resource_id=resource["id"])
    assert status["status"] == "complete"


def test_datastore_token_prints_a_token_of_the_site_user(cli):
    """make run stores this token as ckanext.xloader.api_token."""
    from ckan.lib.api_token import get_user_from_token

    from ckanext.opendata_governance.cli import opendata_governance

    result = cli.invoke(opendata_governance, ["datastore-token"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    user = get_user_from_token(token)
    site_user = helpers.call_action("get_site_user", {"ignore_auth": True})
    assert user is not None and user.name == site_user["name"]
