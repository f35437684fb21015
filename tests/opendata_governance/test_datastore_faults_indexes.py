"""After a load, the DataStore table of a schema-bound resource gets indexes on the
columns its schema says are looked up, without rebuilding xloader's full-text index."""
from __future__ import annotations

import json
import pathlib

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.opendata_governance.datastore import search_indexes
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, datastore_records, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS

SUBVENTIONS = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
FIXTURE = pathlib.Path(__file__).parent.parent / "fixtures" / "scdl" / "subventions"


def indexed_columns(resource_id: str) -> set[str]:
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
            "WHERE c.relname = :table"), {"table": resource_id}).scalars().all()
    engine.dispose()
    return set(rows)


def test_the_coded_columns_of_the_declared_schema_are_indexed(served_portal):
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    content = (FIXTURE / "exemple_valide.csv").read_bytes()
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Subventions", format="CSV", conforms_to=SUBVENTIONS,
        upload=upload(content, "subventions.csv"))
    run_jobs()  # xloader's job, then the indexing job it queued
    assert datastore_records(resource["id"], limit=1)["total"] > 0
    assert indexed_columns(resource["id"]) >= {
        "idAttribuant", "dateConvention", "nature", "notificationUE"}
    assert "objet" not in indexed_columns(resource["id"])


def index_oids(resource_id: str) -> dict[str, int]:
    """The table's indexes by definition (the full-text one is on ``_full_text``)."""
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT pg_get_indexdef(x.indexrelid), x.indexrelid::bigint FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indrelid WHERE c.relname = :table"),
            {"table": resource_id}).all()
    engine.dispose()
    return dict(rows)


def test_the_indexing_job_keeps_the_full_text_index_and_search_still_finds_words(
        served_portal):
    """The column indexes are added beside xloader's full-text index, which is not
    dropped and built again (it is the longest part of a large load)."""
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    content = (FIXTURE / "exemple_valide.csv").read_bytes()
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Subventions", format="CSV", conforms_to=SUBVENTIONS,
        upload=upload(content, "subventions.csv"))
    run_jobs()
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    with engine.begin() as connection:  # as after xloader's next load, before our job
        for definition in index_oids(resource["id"]):
            if "_full_text" not in definition and "UNIQUE" not in definition:
                connection.exec_driver_sql(
                    "DROP INDEX " + definition.split(" INDEX ")[1].split(" ON ")[0])
    engine.dispose()
    before = index_oids(resource["id"])
    assert any("_full_text" in definition for definition in before)
    assert search_indexes.index_resource(resource["id"])
    after = index_oids(resource["id"])
    assert set(before.items()) < set(after.items())  # kept, with the same oids
    assert indexed_columns(resource["id"]) >= {"idAttribuant", "nature"}
    word = datastore_records(resource["id"], limit=1)["records"][0]["nomBeneficiaire"]
    found = datastore_records(resource["id"], q=max(word.split(), key=len))
    assert found["total"] >= 1


def test_a_resource_without_schema_keeps_xloader_indexes_only(served_portal):
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    content = (FIXTURE / "exemple_valide.csv").read_bytes()
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Subventions", format="CSV", upload=upload(content, "subventions.csv"))
    run_jobs()
    assert "idAttribuant" not in indexed_columns(resource["id"])


def test_keys_come_first_and_free_text_is_not_indexed():
    schema = {"primaryKey": "code", "foreignKeys": [{"fields": ["commune"]}],
              "fields": [{"name": "code"}, {"name": "commune"},
                         {"name": "libelle", "type": "string"},
                         {"name": "etat", "constraints": {"enum": ["ouvert", "fermé"]}},
                         {"name": "jour", "type": "date"}]}
    assert search_indexes.indexed_fields(schema) == ["code", "commune", "etat", "jour"]
    assert search_indexes.indexed_fields(json.loads("{}")) == []


def test_the_indexing_is_queued_when_xloader_reports_complete_only(app):
    """Not when the rows are viewable: the data dictionary's job, queued when the load
    is complete, rewrites the table and would build the indexes a second time."""
    resource = {"id": "4f1c2d3e-0000-4000-8000-000000000001", "conforms_to": SUBVENTIONS}
    titles = []
    for status in ("running_but_viewable", "complete"):
        with app.flask_app.test_request_context(
                "/api/3/action/xloader_hook", method="POST", json={"status": status}):
            search_indexes.after_upload({}, resource, {})
        titles.append([job["title"] for job in helpers.call_action(
            "job_list", {"ignore_auth": True})])
    assert titles[0] == []
    assert titles[1] == [f"DataStore indexes of {resource['id']}"]
