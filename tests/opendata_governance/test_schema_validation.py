"""Schema conformity through ckanext-validation: conforms_to drives its schema, its job
validates, and the schema_conformity check reads its report instead of validating again.

The SCDL subventions files are the official examples (tests/fixtures/SOURCES.md:
betagouv/SCDL-Subvention-DataSubvention, Unlicense)."""
from __future__ import annotations

import json
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib import jobs as jobs_lib
from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import (  # noqa: F401  (fixture)
    SUBVENTIONS, file_server, upload)
from tests.opendata_governance.clean_peer import ALLOWLIST
from tests.opendata_governance.review_setup import (
    PASSWORD, SCHEMA, approve, as_user, make_review_portal, request_review,
    reviewable_dataset)
from tests.shared import login
from tests.opendata_governance.services_setup import dataset
from tests.suite.french_pages import english_texts

#: The shipped copy of this schema (table_schemas/) is read, never the network.
SUBVENTIONS_URL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
#: As ckan.ini.in orders them: the governance templates before ckanext-validation's.
PLUGINS = "postgres_search scheming_datasets opendata_governance validation"

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", ALLOWLIST),
    # As ckan.ini.in configures the portal: ckanext-validation's job runs through the queue.
    pytest.mark.ckan_config("ckanext.validation.run_on_create_async", "true"),
    pytest.mark.ckan_config("ckanext.validation.run_on_update_async", "true"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues", "storage"),
]


@pytest.fixture
def storage(ckan_config, monkeypatch, tmp_path):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))


@pytest.fixture
def validations(monkeypatch) -> list[str]:
    """Every frictionless validation run, by ckanext-validation's job or by our check."""
    import frictionless
    from ckanext.validation import jobs as validation_jobs

    runs: list[str] = []
    real = frictionless.validate

    def counting(by: str):
        def validate(*args: Any, **kwargs: Any) -> Any:
            runs.append(by)
            return real(*args, **kwargs)
        return validate

    monkeypatch.setattr(frictionless, "validate", counting("check"))
    monkeypatch.setattr(validation_jobs, "validate", counting("ckanext-validation"))
    return runs


def _run_queued() -> list[str]:
    """Run the queued jobs in this process, as a worker would, until none is left."""
    queue = jobs_lib.get_queue()
    ran = []
    while queue.jobs:
        job = queue.jobs[0]
        queue.remove(job)
        job.perform()
        ran.append(job.func_name)
    return ran


def _resource(portal, filename: str, **fields: Any) -> dict[str, Any]:
    dataset = reviewable_dataset(portal, resources=[])
    return helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"],
        upload=upload((SUBVENTIONS / filename).read_bytes(), filename), format="CSV",
        conforms_to=SUBVENTIONS_URL, **fields)


def _stored(resource: dict[str, Any]) -> dict[str, Any]:
    listed = helpers.call_action(
        "governance_check_result_list", {"ignore_auth": True},
        package_id=resource["package_id"], resource_id=resource["id"],
        check_id="schema_conformity")
    assert listed["results"], "schema_conformity has no stored result"
    return listed["results"][0]


def _validation(resource: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("resource_validation_show", {"ignore_auth": True},
                               resource_id=resource["id"])


def test_conforms_to_gives_ckanext_validation_its_schema():
    """A resource declaring a shipped schema gets that schema's descriptor as `schema`."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_valide.csv")
    schema = json.loads(resource["schema"])
    assert schema["name"] == "subventions"
    assert resource["schema_from_conforms_to"] == SUBVENTIONS_URL


def test_an_explicit_schema_is_kept():
    """A schema the producer gives is not replaced by the one conforms_to names."""
    portal = make_review_portal()
    own = json.dumps({"fields": [{"name": "a", "type": "string"}]})
    resource = _resource(portal, "exemple_valide.csv", schema=own)
    assert json.loads(resource["schema"]) == json.loads(own)
    assert not resource.get("schema_from_conforms_to")


def test_removing_conforms_to_removes_the_derived_schema():
    """A resource no longer declaring a schema loses the schema derived from it."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_valide.csv")
    patched = helpers.call_action("resource_patch", as_user(portal.editor),
                                  id=resource["id"], conforms_to="")
    assert not patched.get("schema")
    assert not patched.get("schema_from_conforms_to")


def test_the_job_is_queued_and_the_check_waits_for_it(validations):
    """Creating the resource queues ckanext-validation's job; until it runs, the check is
    pending and nothing was validated."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_valide.csv")
    assert [job.func_name for job in jobs_lib.get_queue().jobs] == [
        "ckanext.validation.jobs.run_validation_job"]
    assert _validation(resource)["status"] == "created"
    helpers.call_action("governance_check_run", as_user(portal.editor),
                        id=resource["package_id"])
    assert _stored(resource)["status"] == "pending"
    assert validations == []


def test_a_valid_file_passes_from_the_report_validated_once(validations):
    """The valid example: ckanext-validation's report succeeds, the check passes from it,
    and frictionless ran once in all."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_valide.csv")
    _run_queued()
    assert _validation(resource)["status"] == "success"
    stored = _stored(resource)
    assert (stored["status"], stored["trigger"]) == ("passed", "schema_validation")
    helpers.call_action("governance_check_run", as_user(portal.editor),
                        id=resource["package_id"])
    assert _stored(resource)["status"] == "passed"
    assert validations == ["ckanext-validation"]


def test_an_invalid_file_fails_with_errors_by_type_row_and_column(validations):
    """The invalid example fails from the report: errors counted by type with their rows
    and columns, then located one by one; still one validation in all."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    assert _validation(resource)["status"] == "failure"
    result = helpers.call_action("governance_check_run", as_user(portal.editor),
                                 id=resource["package_id"])
    schema_result = next(r for r in result["results"] if r["check_id"] == "schema_conformity")
    assert schema_result["status"] == "failed"
    by_type = [f for f in schema_result["findings"] if "count" in f]
    assert {f["error_type"] for f in by_type} >= {"type-error", "constraint-error"}
    assert all(f["rows"] and f["columns"] for f in by_type if f["error_type"] != "missing-label")
    located = [f for f in schema_result["findings"] if "row" in f and "column" in f]
    assert located and located[0]["row"] >= 2
    assert validations == ["ckanext-validation"]


def test_the_review_blocks_on_an_invalid_file():
    """A sign-off requested on the invalid example lists schema_conformity as failed,
    and approving it needs an override."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    review = request_review(portal.editor, {"id": resource["package_id"]})
    check = next(c for c in review["checks"] if c["check_id"] == "schema_conformity")
    assert (check["status"], check["severity"]) == ("failed", "blocking")
    with pytest.raises(tk.ValidationError) as error:
        approve(review, portal.reviewer)
    assert "override" in error.value.error_dict


def test_a_review_asked_before_the_job_gets_its_result():
    """A sign-off requested while the job waits shows the check pending; the job's report
    replaces it in the review with the failure."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    review = request_review(portal.editor, {"id": resource["package_id"]})
    before = next(c for c in review["checks"] if c["check_id"] == "schema_conformity")
    assert before["status"] == "pending"
    _run_queued()
    shown = helpers.call_action("governance_review_show", as_user(portal.reviewer),
                                id=review["id"])
    after = next(c for c in shown["checks"] if c["check_id"] == "schema_conformity")
    assert after["status"] == "failed"


def test_a_new_file_is_validated_again():
    """Replacing the file by the valid example queues a new validation, whose success the
    check then reads."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    helpers.call_action(
        "resource_patch", as_user(portal.editor), id=resource["id"],
        upload=upload((SUBVENTIONS / "exemple_valide.csv").read_bytes(), "valide.csv"))
    assert _validation(resource)["status"] == "created"
    _run_queued()
    assert _validation(resource)["status"] == "success"
    assert _stored(resource)["status"] == "passed"


def test_the_resource_page_shows_the_errors_in_french(app):
    """The editor's resource page in French names the errors by row and column, and links
    to ckanext-validation's report."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    page = "/fr/dataset/{}/resource/{}".format(resource["package_id"], resource["id"])
    body = login(app, portal.editor).get(page).body
    assert "Ligne 3, colonne \u00ab" in body or "Ligne 2, colonne \u00ab" in body
    assert "valeur d\u2019un type inattendu" in body
    assert "attendu : date, AAAA-MM-JJ" in body
    assert "/resource/{}/validation".format(resource["id"]) in body
    assert "type-error" not in body.replace('data-error="type-error"', "")
    assert english_texts(body) == set()


def test_the_report_page_is_french(app):
    """ckanext-validation's report page reads in French."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    page = "/fr/dataset/{}/resource/{}/validation".format(resource["package_id"],
                                                         resource["id"])
    body = login(app, portal.editor).get(page).body
    assert "Rapport de validation" in body
    assert "Erreurs par ligne et par colonne" in body
    assert "maximum : 1" in body and "Attendu par le sch\u00e9ma" in body
    assert "Validation Report" not in body
    assert "Invalid data" not in body and "Donn\u00e9es non valides" in body
    assert english_texts(body) == set()


def test_a_private_dataset_report_never_leaks(app):
    """ckanext-validation's action and page answer an outsider and an anonymous visitor
    with no report of a private dataset's resource."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    outsider = factories.User(password=PASSWORD)
    for user in (outsider, None):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("resource_validation_show", as_user(user),
                                resource_id=resource["id"])
    page = "/dataset/{}/resource/{}/validation".format(resource["package_id"],
                                                      resource["id"])
    response = login(app, outsider).get(page)
    assert response.status_code == 403
    assert "exemple_invalide" not in response.body
    anonymous = app.get(page)
    assert anonymous.status_code == 403
    assert "nomAttribuant" not in anonymous.body


def test_a_public_dataset_stays_public_until_the_report_fails(file_server):
    """A new file on a public dataset leaves it public while ckanext-validation's job
    waits; the job's failed report then makes it private, as any blocking finding."""
    portal = make_review_portal()
    public = dataset(portal)
    helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=public["id"], format="CSV",
        url=file_server + "/scdl/subventions/exemple_invalide_erreurs_cellules.csv",
        size=8017, conforms_to=SUBVENTIONS_URL)
    assert helpers.call_action("package_show", id=public["id"])["private"] is False
    _run_queued()
    assert helpers.call_action("package_show", {"ignore_auth": True},
                               id=public["id"])["private"] is True


def test_the_governance_tab_shows_the_errors_and_the_report_link(app):
    """The reviewer's Gouvernance tab in French lists the review's schema errors by row and
    column and links to the report."""
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    _run_queued()
    request_review(portal.editor, {"id": resource["package_id"]})
    name = helpers.call_action("package_show", {"ignore_auth": True},
                               id=resource["package_id"])["name"]
    body = login(app, portal.reviewer).get("/fr/dataset/{}/governance".format(name)).body
    assert "Ligne 5, colonne \u00ab dateConvention \u00bb" in body
    assert "/resource/{}/validation".format(resource["id"]) in body
    assert english_texts(body) == set()


def test_a_validation_error_makes_the_check_not_run_with_its_reason():
    """When ckanext-validation could not validate the file, the check did not run, and
    says why in the producer's language."""
    import sqlalchemy as sa
    from ckan import model

    portal = make_review_portal()
    resource = _resource(portal, "exemple_valide.csv")
    _run_queued()
    model.Session.execute(sa.text(
        "UPDATE validation SET status = 'error', error = :error WHERE resource_id = :id"),
        {"error": json.dumps({"message": ["Le serveur a coup\u00e9 la connexion"]}),
         "id": resource["id"]})
    model.Session.commit()
    result = helpers.call_action("governance_check_run", as_user(portal.editor),
                                 id=resource["package_id"])
    check = next(r for r in result["results"] if r["check_id"] == "schema_conformity")
    assert check["status"] == "not_run"
    assert check["findings"][0]["reason"] == "unreadable"
    assert "Le serveur a coup\u00e9 la connexion" in check["findings"][0]["message"]


def test_without_ckanext_validation_runs_the_check_validates_itself(
        validations, ckan_config, monkeypatch):
    """With ckanext-validation's runs switched off, no job is queued and the check
    validates the file with frictionless itself, once."""
    for event in ("create", "update"):
        monkeypatch.setitem(ckan_config, f"ckanext.validation.run_on_{event}_async", "false")
    portal = make_review_portal()
    resource = _resource(portal, "exemple_invalide_erreurs_cellules.csv")
    assert jobs_lib.get_queue().jobs == []
    validations.clear()  # the gate's own run at creation
    result = helpers.call_action("governance_check_run", as_user(portal.editor),
                                 id=resource["package_id"])
    check = next(r for r in result["results"] if r["check_id"] == "schema_conformity")
    assert check["status"] == "failed"
    assert validations == ["check"]


def test_the_job_fetches_remote_files_through_the_allow_list(file_server, ckan_config,
                                                             monkeypatch):
    """ckanext-validation's job reads a remote file through safe_fetch: an address outside
    the allow-list is refused, the validation records why, and the check did not run."""
    portal = make_review_portal()
    created = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=created["id"], format="CSV",
        url=file_server + "/scdl/subventions/exemple_valide.csv", size=8017,
        conforms_to=SUBVENTIONS_URL)
    monkeypatch.setitem(ckan_config, "ckanext.opendata_governance.fetch_allowlist", "")
    _run_queued()
    validation = _validation(resource)
    assert validation["status"] == "error"
    stored = _stored(resource)
    assert (stored["status"], stored["findings"][0]["reason"]) == ("not_run", "unreadable")


def test_the_job_validates_an_allowed_remote_file(file_server):
    """A remote file on an allowed address is fetched for the job, and validates."""
    portal = make_review_portal()
    created = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=created["id"], format="CSV",
        url=file_server + "/scdl/subventions/exemple_valide.csv", size=8017,
        conforms_to=SUBVENTIONS_URL)
    _run_queued()
    assert _validation(resource)["status"] == "success"
    assert _stored(resource)["status"] == "passed"
