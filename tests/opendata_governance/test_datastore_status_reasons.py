"""The load status block on the resource page gives the reason of a refusal: the gate's
own sentence, or the suite's file checks in French, not a general sentence."""
from __future__ import annotations

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS


def _page(app, resource, token):
    return app.get("/fr/dataset/{}/resource/{}".format(
        resource["package_id"], resource["id"]), headers={"Authorization": token}).body


def _sysadmin_token():
    return factories.APIToken(user=factories.Sysadmin()["name"])["token"]


def test_an_empty_upload_is_told_by_its_french_reason(app, served_portal):
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Vide", format="CSV", upload=upload(b"", "vide.csv"))
    run_jobs()
    page = _page(app, resource, _sysadmin_token())
    assert 'data-load-status="error"' in page
    assert "Le fichier est vide" in page
    assert "Le fichier n&#39;a pas pu être chargé" not in page


def test_a_link_the_gate_refuses_is_told_by_the_gates_reason(app, served_portal):
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Agents", format="CSV", url="http://10.1.2.3/agents.csv")
    run_jobs()
    error = helpers.call_action("xloader_status", {"ignore_auth": True},
                                resource_id=resource["id"])["error"]
    assert error["governance"] is True
    page = _page(app, resource, _sysadmin_token())
    assert 'data-load-status="error"' in page
    assert "10.1.2.3" in error["message"]
    assert error["message"].split(";")[0] in page  # "The address of 10.1.2.3 is ..."
    assert "Le fichier n&#39;a pas pu être chargé" not in page
