"""The demo loader: organizations, datasets and uploaded files, idempotent, run from the CLI."""
from __future__ import annotations

import csv
import io
import re

import pytest

from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.opendata_governance import demo

from tests.opendata_governance.demo_setup import (
    DATASETS, DESCRIPTION, PUBLIC, all_datasets, extras_of)

SCHEMING_PLUGINS = ("postgres_search scheming_datasets scheming_organizations "
                    "opendata_governance")

# A dataset and an organization schema that declare some vocabulary fields,
# as the suite's own scheming schemas will.
DATASET_SCHEMA = """
scheming_version: 2
dataset_type: dataset
dataset_fields:
  - {field_name: title, preset: title}
  - {field_name: name, preset: dataset_slug}
  - {field_name: notes, form_snippet: markdown.html}
  - {field_name: tag_string, preset: tag_string_autocomplete}
  - {field_name: license_id, form_snippet: license.html}
  - {field_name: owner_org, preset: dataset_organization}
  - {field_name: owner_service}
  - {field_name: update_frequency}
resource_fields:
  - {field_name: url, preset: resource_url_upload}
  - {field_name: name}
  - {field_name: format, preset: resource_format_autocomplete}
"""
ORGANIZATION_SCHEMA = """
scheming_version: 2
organization_type: organization
fields:
  - {field_name: title}
  - {field_name: name, validators: not_empty unicode_safe name_validator group_name_validator}
  - {field_name: description, form_snippet: markdown.html}
  - {field_name: territory_code}
  - {field_name: territorial_level}
"""




@pytest.fixture
def loaded(with_plugins: None, clean_db: None) -> demo.DemoSummary:
    """The summary of a first load of the demo into an empty portal."""
    return demo.load_demo()


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_second_load_creates_and_changes_nothing(loaded):
    """Loading again keeps every object as it is: same counts, same metadata_modified."""
    before = {d["name"]: d["metadata_modified"] for d in all_datasets()}
    resources = sum(len(d["resources"]) for d in all_datasets())

    again = demo.load_demo()

    assert all(not names for names in again.created.values())
    assert len(again.kept["datasets"]) == len(DATASETS)
    assert len(again.kept["organizations"]) == 4
    assert len(again.kept["groups"]) == 3
    assert len(again.kept["resources"]) == resources
    assert len(again.kept["users"]) == 2
    assert len(again.kept["reviews"]) == len(PUBLIC) + 1
    assert {d["name"]: d["metadata_modified"] for d in all_datasets()} == before


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_load_completes_a_dataset_missing_a_resource(loaded):
    """A dataset left without one of its files gets it back on the next run, and only that."""
    shown = helpers.call_action("package_show", id="rennes-metropole-qualite-air")
    helpers.call_action("resource_delete", id=shown["resources"][0]["id"])

    again = demo.load_demo()

    assert again.created["resources"] == [
        "rennes-metropole-qualite-air/rennes-metropole_qualite-air-2025-05.csv"]
    assert not again.created["datasets"]
    shown = helpers.call_action("package_show", id="rennes-metropole-qualite-air")
    assert len(shown["resources"]) == 2


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_load_refuses_without_storage_and_creates_nothing(ckan_config, monkeypatch):
    """Without a storage path the loader stops before creating anything."""
    # Set after the plugins load: loading re-reads CKAN_STORAGE_PATH from the environment.
    monkeypatch.setitem(ckan_config, "ckan.storage_path", "")
    with pytest.raises(demo.DemoError, match="ckan.storage_path"):
        demo.load_demo()
    assert helpers.call_action("organization_list") == []


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db", "with_extended_cli")
def test_cli_load_exits_zero_and_prints_a_summary(cli):
    """``ckan opendata-demo load`` loads the demo and prints created and kept counts."""
    result = cli.invoke(ckan, ["opendata-demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Datasets: {} created, 0 kept".format(len(DATASETS)) in result.output

    result = cli.invoke(ckan, ["opendata-demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Datasets: 0 created, {} kept".format(len(DATASETS)) in result.output


@pytest.fixture
def vocabulary_schemas(tmp_path, ckan_config, monkeypatch) -> None:
    """Point ckanext-scheming at schemas declaring vocabulary fields (before plugins load)."""
    dataset_schema = tmp_path / "dataset.yaml"
    dataset_schema.write_text(DATASET_SCHEMA, encoding="utf-8")
    organization_schema = tmp_path / "organization.yaml"
    organization_schema.write_text(ORGANIZATION_SCHEMA, encoding="utf-8")
    # A file URL, since scheming reads a bare path as "module:file".
    monkeypatch.setitem(ckan_config, "scheming.dataset_schemas", dataset_schema.as_uri())
    monkeypatch.setitem(ckan_config, "scheming.organization_schemas",
                        organization_schema.as_uri())


@pytest.mark.ckan_config("ckan.plugins", SCHEMING_PLUGINS)
@pytest.mark.usefixtures("vocabulary_schemas", "with_plugins", "clean_db")
def test_schema_declared_fields_are_sent_as_fields_notextras_of():
    """Under a scheming schema declaring some vocabulary, those go top-level and the rest to extras."""
    summary = demo.load_demo()
    assert len(summary.created["datasets"]) == len(DATASETS)

    dataset = helpers.call_action("package_show", id="rennes-metropole-budget-primitif-2025")
    assert dataset["owner_service"] == "direction-des-finances"
    assert dataset["update_frequency"] == "ANNUAL"
    assert extras_of(dataset) == {
        "data_steward": "finances@rennes-metropole.example.org",
        "last_data_update": "2025-02-06",
        "contains_personal_data": "false",
    }
    organization = helpers.call_action("organization_show", id="bruz")
    assert (organization["territory_code"], organization["territorial_level"]) == (
        "35047", "commune")
    assert extras_of(organization) == {"siren": "213500473"}


def test_planted_personal_data_is_fictitious():
    """The canteen file holds only made-up contacts: example.org e-mails and 06 00 00 phones."""
    path = demo.DATA_DIR / "cesson-sevigne_inscriptions-cantine.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {"nom", "prénom", "date de naissance", "courriel", "téléphone"} <= set(rows[0])
    assert all(row["courriel"].endswith("@example.org") for row in rows)
    assert all(re.fullmatch(r"06 00 00 \d\d \d\d", row["téléphone"]) for row in rows)


def test_demo_files_are_utf8_csv_with_their_header():
    """Every described file decodes as UTF-8 and parses as a CSV with rows under its header."""
    for dataset in DATASETS:
        for spec in dataset["resources"]:
            text = (demo.DATA_DIR / spec["file"]).read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(text)))
            assert len(rows) >= 2, spec["file"]
            assert all(len(row) == len(rows[0]) for row in rows), spec["file"]


def test_every_demo_dataset_names_a_service_of_its_organization():
    """The owner_service of each demo dataset is a service slug declared for its organization."""
    services = {o["name"]: {s["name"] for s in o["services"]}
                for o in DESCRIPTION["organizations"]}
    for dataset in DATASETS:
        assert dataset["fields"]["owner_service"] in services[dataset["organization"]]


@pytest.mark.ckan_config("ckan.plugins", "postgres_search scheming_datasets opendata_governance")
@pytest.mark.ckan_config("scheming.dataset_schemas",
                         "ckanext.opendata_governance:schemas/dataset.yaml")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_demo_loads_under_the_governance_dataset_schema():
    """With the suite's dataset schema the demo loads and datasets count per service."""
    demo.load_demo()
    service = helpers.call_action("governance_service_show", id="direction-des-finances",
                                  organization_id="rennes-metropole")
    expected = [d for d in DATASETS if d["organization"] == "rennes-metropole"
                and d["fields"]["owner_service"] == "direction-des-finances"]
    assert service["dataset_count"] == len(expected) > 0