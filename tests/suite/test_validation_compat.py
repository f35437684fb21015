"""ckanext-validation 2.2.0 from PyPI works on this CKAN through our compatibility layer."""
from __future__ import annotations

import json
import pathlib

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers

from ckanext.suite import validation_compat

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "scdl" / "subventions"
PLUGINS = "postgres_search validation opendata_governance"


def _schema() -> str:
    return (FIXTURES / "schema.json").read_text(encoding="utf-8")


def _validated_resource(create_with_upload, filename: str) -> dict:
    dataset = helpers.call_action("package_create", name="subventions-" + filename.replace("_", "-").split(".")[0])
    resource = create_with_upload(
        (FIXTURES / filename).read_bytes(), filename,
        package_id=dataset["id"], format="CSV", schema=_schema())
    helpers.call_action("resource_validation_run",
                        resource_id=resource["id"], **{"async": False})
    validation = helpers.call_action("resource_validation_show", resource_id=resource["id"])
    if isinstance(validation["report"], str):
        validation["report"] = json.loads(validation["report"])
    return validation


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestValidationCompat:

    def test_table_is_created_by_the_setup_not_by_plugin_load(self):
        """The validation table exists after the explicit creation step, which reports it as already there."""
        assert validation_compat.table_exists()
        assert validation_compat.create_table() is False

    def test_upstream_table_check_no_longer_raises(self):
        """The plugin module's table check answers from the database instead of raising."""
        from ckanext.validation import plugin as validation_plugin
        assert validation_plugin.tables_exist() is True

    def test_valid_scdl_file_passes_and_stores_a_report(self, create_with_upload):
        """The official valid SCDL subventions example validates with a stored, valid report."""
        validation = _validated_resource(create_with_upload, "exemple_valide.csv")
        assert validation["status"] == "success"
        report = validation["report"]
        assert report["valid"] is True
        assert report["stats"]["errors"] == 0

    def test_invalid_scdl_file_fails_with_cell_errors(self, create_with_upload):
        """The official invalid example fails, and the stored report names the cell errors."""
        validation = _validated_resource(create_with_upload, "exemple_invalide_erreurs_cellules.csv")
        assert validation["status"] == "failure"
        report = validation["report"]
        assert report["valid"] is False
        errors = report["tasks"][0]["errors"]
        assert errors, "an invalid file must carry its errors"
        assert all(error["type"] for error in errors)
        stored = model.Session.execute(
            sa.text("SELECT count(*) FROM validation WHERE status = 'failure'")).scalar()
        assert stored == 1

    def test_schema_uploaded_as_a_file_is_stored_on_the_resource(self):
        """A Table Schema uploaded as a file lands in the resource's schema field."""
        from werkzeug.datastructures import FileStorage

        dataset = helpers.call_action("package_create", name="schema-televerse")
        with (FIXTURES / "schema.json").open("rb") as schema_file:
            resource = helpers.call_action(
                "resource_create", package_id=dataset["id"], url="http://example.org/s.csv",
                format="CSV", schema_upload=FileStorage(schema_file, "schema.json"))
        schema = resource["schema"]
        if isinstance(schema, str):
            schema = json.loads(schema)
        assert schema["name"] == "subventions"


@pytest.mark.ckan_config("ckan.plugins", "postgres_search validation")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_validation_init_db_command_creates_the_table():
    """`ckan validation init-db` creates ckanext-validation's table through the compatibility layer."""
    from click.testing import CliRunner
    from ckanext.validation.cli import validation

    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE validation"))
    result = CliRunner().invoke(validation, ["init-db"])
    assert result.exit_code == 0, result.output
    assert sa.inspect(model.meta.engine).has_table("validation")


@pytest.mark.ckan_config("ckan.plugins", "postgres_search validation")
@pytest.mark.ckan_config("ckanext.validation.run_on_update_async", "true")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues")
def test_a_private_dataset_file_change_is_validated_outside_a_request(ckan_config, monkeypatch,
                                                                       tmp_path):
    """A new file on a private dataset's resource, outside a web request, queues the
    validation job instead of failing the update with NotAuthorized (upstream reads the
    resource as the anonymous user)."""
    from ckan.lib import jobs as jobs_lib
    from ckan.tests import factories
    from tests.opendata_governance.checks_setup import upload

    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    context = {"user": editor["name"], "ignore_auth": False}
    resource = helpers.call_action(
        "resource_create", dict(context), package_id=dataset["id"], format="CSV",
        upload=upload((FIXTURES / "exemple_valide.csv").read_bytes(), "a.csv"))
    helpers.call_action(
        "resource_patch", dict(context), id=resource["id"],
        upload=upload((FIXTURES / "exemple_invalide_erreurs_cellules.csv").read_bytes(), "b.csv"))
    queued = jobs_lib.get_queue().jobs
    assert [job.func_name for job in queued] == ["ckanext.validation.jobs.run_validation_job"]
    validation = helpers.call_action("resource_validation_show", {"ignore_auth": True},
                                     resource_id=resource["id"])
    assert validation["status"] == "created"


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues")
def test_start_validation_resets_the_report_and_queues_one_job(create_with_upload):
    """Starting a validation again empties the finished report and queues one job."""
    from ckan.lib import jobs as jobs_lib

    _validated_resource(create_with_upload, "exemple_valide.csv")
    resource_id = model.Session.execute(sa.text("SELECT resource_id FROM validation")).scalar()
    validation_compat.start_validation(resource_id)
    validation = helpers.call_action("resource_validation_show", resource_id=resource_id)
    assert (validation["status"], validation["report"]) == ("created", None)
    assert len(jobs_lib.get_queue().jobs) == 1


@pytest.mark.ckan_config("ckanext.validation.run_on_create_async", "true")
def test_supported_formats_and_run_modes_are_upstream_settings():
    """The formats and run modes are read from ckanext-validation's own settings."""
    assert "csv" in validation_compat.supported_formats()
    assert validation_compat.run_mode("create") == "async"
    assert validation_compat.run_mode("update") is None  # test.ini turns it off
