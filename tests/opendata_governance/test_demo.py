"""The demo loader: organizations, datasets and uploaded files, idempotent, run from the CLI."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any
from urllib.parse import urlparse

import pytest

from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.opendata_governance import demo

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

DESCRIPTION = demo.read_description()
DATASETS = DESCRIPTION["datasets"]
PUBLIC = [d for d in DATASETS if not d.get("private")]
PRIVATE = [d for d in DATASETS if d.get("private")]


def _all_datasets() -> list[dict[str, Any]]:
    return helpers.call_action(
        "package_search", include_private=True, rows=1000)["results"]


def _site() -> dict[str, Any]:
    """The context of the site user, a sysadmin: the review queue lists what its user sees."""
    return {"user": helpers.call_action("get_site_user")["name"]}


def _extras(obj: dict[str, Any]) -> dict[str, str]:
    return {extra["key"]: extra["value"] for extra in obj.get("extras", [])}


@pytest.fixture
def loaded(with_plugins: None, clean_db: None) -> demo.DemoSummary:
    """The summary of a first load of the demo into an empty portal."""
    return demo.load_demo()


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_load_creates_the_four_organizations_with_their_codes(loaded):
    """Rennes Métropole and its three communes carry their territory code and level."""
    expected = {
        "rennes-metropole": ("243500139", "epci", "243500139"),
        "rennes": ("35238", "commune", "213502388"),
        "cesson-sevigne": ("35051", "commune", "213500515"),
        "bruz": ("35047", "commune", "213500473"),
    }
    assert sorted(helpers.call_action("organization_list")) == sorted(expected)
    for name, (code, level, siren) in expected.items():
        extras = _extras(helpers.call_action("organization_show", id=name))
        assert (extras["territory_code"], extras["territorial_level"],
                extras["siren"]) == (code, level, siren)


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_load_creates_every_described_dataset(loaded):
    """All datasets of demo.yaml exist, more than twenty, with French accented tags."""
    names = {d["name"] for d in _all_datasets()}
    assert len(DATASETS) >= 20
    assert names == {d["name"] for d in DATASETS}
    tags = {t["name"] for d in _all_datasets() for t in d["tags"]}
    assert {"équipements sportifs", "délibérations", "vélo"} <= tags


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_load_creates_the_thematic_groups_with_their_datasets(loaded):
    """The three thematic groups exist and hold the datasets described in them."""
    groups = helpers.call_action("group_list", all_fields=True)
    assert {g["name"]: g["title"] for g in groups} == {
        "environnement": "Environnement",
        "finances-publiques": "Finances publiques",
        "mobilite": "Mobilité",
    }
    for group in ("environnement", "finances-publiques", "mobilite"):
        found = {d["name"] for d in _all_datasets()
                 if group in {g["name"] for g in d["groups"]}}
        assert found == {d["name"] for d in DATASETS if group in d.get("groups", [])}


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_datasets_carry_the_governance_vocabulary(loaded):
    """Owner service, EU update frequency, last update and personal-data flag are stored."""
    dataset = helpers.call_action("package_show", id="rennes-metropole-budget-primitif-2025")
    extras = _extras(dataset)
    assert extras["owner_service"] == "direction-des-finances"
    assert extras["update_frequency"] == "ANNUAL"
    assert extras["last_data_update"] == "2025-02-06"
    assert extras["contains_personal_data"] == "false"
    assert dataset["license_id"] == "odc-odbl"


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_resources_are_uploaded_files_that_download(app, loaded):
    """Every public resource is an upload whose download returns the demo file byte for byte."""
    checked = 0
    for dataset in PUBLIC:
        shown = helpers.call_action("package_show", id=dataset["name"])
        by_name = {r["name"]: r for r in shown["resources"]}
        for spec in dataset["resources"]:
            resource = by_name[spec["name"]]
            assert resource["url_type"] == "upload"
            response = app.get(urlparse(resource["url"]).path)
            assert response.status_code == 200
            assert response.data == (demo.DATA_DIR / spec["file"]).read_bytes()
            checked += 1
    assert checked == sum(len(d["resources"]) for d in PUBLIC)


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_schema_references_are_recorded_on_resources(loaded):
    """The four resources copied from official examples point at their schema.data.gouv.fr schema."""
    conforms = {
        r["conforms_to"]
        for d in _all_datasets() for r in d["resources"] if r.get("conforms_to")
    }
    assert conforms == {
        "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json",
        "https://schema.data.gouv.fr/schemas/scdl/prenoms/1.1.6/schema.json",
        "https://schema.data.gouv.fr/schemas/etalab/schema-lieux-covoiturage/0.2.0/schema.json",
        "https://schema.data.gouv.fr/schemas/etalab/schema-catalogue-donnees/0.3.0/schema.json",
    }


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_private_dataset_is_hidden_from_anonymous_search(app, loaded):
    """An anonymous package_search through the API does not list the private datasets."""
    assert PRIVATE
    response = app.get("/api/3/action/package_search", query_string={"rows": 1000})
    result = response.json["result"]
    names = {d["name"] for d in result["results"]}
    assert result["count"] == len(PUBLIC)
    assert not names & {d["name"] for d in PRIVATE}
    private_names = {d["name"] for d in _all_datasets() if d["private"]}
    assert private_names == {d["name"] for d in PRIVATE}


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_private_upload_is_not_downloadable_anonymously(app, loaded):
    """The planted personal data of a private dataset cannot be downloaded without logging in."""
    shown = helpers.call_action("package_show", id="cesson-sevigne-inscriptions-cantine")
    response = app.get(urlparse(shown["resources"][0]["url"]).path)
    assert response.status_code in (403, 404)


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_organization_search_facets_tags(loaded):
    """Searching one organization's datasets with a tag facet counts its public datasets' tags."""
    result = helpers.call_action(
        "package_search", fq="organization:rennes", rows=0,
        **{"facet.field": ["tags"], "facet.limit": -1})
    rennes = [d for d in PUBLIC if d["organization"] == "rennes"]
    # Seven datasets of Rennes minus the draft budget and the unlicensed first names.
    assert result["count"] == len(rennes) == 6
    expected = Counter(tag for d in rennes for tag in d["tags"])
    assert result["facets"]["tags"] == dict(expected)
    # The private draft budget is the second budget of Rennes: only one counts.
    assert result["facets"]["tags"]["budget"] == 1


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_second_load_creates_and_changes_nothing(loaded):
    """Loading again keeps every object as it is: same counts, same metadata_modified."""
    before = {d["name"]: d["metadata_modified"] for d in _all_datasets()}
    resources = sum(len(d["resources"]) for d in _all_datasets())

    again = demo.load_demo()

    assert all(not names for names in again.created.values())
    assert len(again.kept["datasets"]) == len(DATASETS)
    assert len(again.kept["organizations"]) == 4
    assert len(again.kept["groups"]) == 3
    assert len(again.kept["resources"]) == resources
    assert len(again.kept["users"]) == 2
    assert len(again.kept["reviews"]) == len(PUBLIC) + 1
    assert {d["name"]: d["metadata_modified"] for d in _all_datasets()} == before


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_first_load_reports_everything_created(loaded):
    """The summary of a first load lists every described object as created."""
    assert len(loaded.created["organizations"]) == 4
    assert len(loaded.created["groups"]) == 3
    assert len(loaded.created["datasets"]) == len(DATASETS)
    assert len(loaded.created["resources"]) == sum(len(d["resources"]) for d in DATASETS)
    assert all(not names for names in loaded.kept.values())


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
def test_schema_declared_fields_are_sent_as_fields_not_extras():
    """Under a scheming schema declaring some vocabulary, those go top-level and the rest to extras."""
    summary = demo.load_demo()
    assert len(summary.created["datasets"]) == len(DATASETS)

    dataset = helpers.call_action("package_show", id="rennes-metropole-budget-primitif-2025")
    assert dataset["owner_service"] == "direction-des-finances"
    assert dataset["update_frequency"] == "ANNUAL"
    assert _extras(dataset) == {
        "data_steward": "finances@rennes-metropole.example.org",
        "last_data_update": "2025-02-06",
        "contains_personal_data": "false",
    }
    organization = helpers.call_action("organization_show", id="bruz")
    assert (organization["territory_code"], organization["territorial_level"]) == (
        "35047", "commune")
    assert _extras(organization) == {"siren": "213500473"}


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


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_load_creates_the_owner_services_of_each_organization(loaded):
    """Each organization gets the owner services described for it, once."""
    for spec in DESCRIPTION["organizations"]:
        listed = helpers.call_action("governance_service_list",
                                     organization_id=spec["name"], limit=1000)
        assert {s["name"] for s in listed["results"]} == {
            s["name"] for s in spec["services"]}
    assert len(loaded.created["services"]) == sum(
        len(o["services"]) for o in DESCRIPTION["organizations"])
    assert not demo.load_demo().created["services"]


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


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_public_datasets_are_published_by_an_approved_sign_off(loaded):
    """Each public dataset was requested by the demo editor and approved by the demo reviewer."""
    producer = helpers.call_action("user_show", id="demo-producteur")
    reviewer = helpers.call_action("user_show", id="demo-relecteur")
    for spec in PUBLIC:
        review = helpers.call_action("governance_review_show", package_id=spec["name"])
        assert review["state"] == "approved", spec["name"]
        assert (review["requested_by"], review["decided_by"]) == (
            producer["id"], reviewer["id"])
        assert helpers.call_action("package_show", id=spec["name"])["private"] is False


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_exactly_one_review_is_pending(loaded):
    """The demo leaves one request waiting: the first names, without a licence."""
    pending = helpers.call_action("governance_review_list", _site(), state="submitted")
    assert [r["package_name"] for r in pending["results"]] == ["rennes-prenoms-nouveau-nes"]
    assert pending["results"][0]["blocking_failures"] == ["licence_open"]
    assert helpers.call_action("package_show", id="rennes-prenoms-nouveau-nes")["private"]


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_private_datasets_other_than_the_pending_one_have_no_review(loaded):
    """The draft budget and the canteen file stay private and were never sent for review."""
    for name in ("rennes-projet-budget-2026", "cesson-sevigne-inscriptions-cantine"):
        assert helpers.call_action("governance_review_list", _site(), package_id=name,
                                   state="all")["count"] == 0
    # The same query does find the reviews of a published dataset.
    assert helpers.call_action("governance_review_list", _site(), package_id=PUBLIC[0]["name"],
                               state="all")["count"] == 1


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_demo_users_are_editor_and_reviewer_of_every_organization(loaded):
    """The demo producer edits in the four organizations and the demo reviewer reviews them."""
    editor_orgs = helpers.call_action("organization_list_for_user", id="demo-producteur",
                                      permission="update_dataset")
    assert {o["name"] for o in editor_orgs} == {o["name"] for o in DESCRIPTION["organizations"]}
    for spec in DESCRIPTION["organizations"]:
        reviewers = helpers.call_action("governance_reviewer_list",
                                        organization_id=spec["name"])["results"]
        assert [r["name"] for r in reviewers] == ["demo-relecteur"]


@pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_demo_reviewer_logs_in_with_the_documented_password(app, loaded):
    """The demo reviewer's password from demo.yaml opens a session through the login form."""
    from tests.opendata_governance.services_setup import csrf_token

    spec = next(u for u in DESCRIPTION["users"] if u["name"] == "demo-relecteur")
    client = app.test_client()
    page = client.get("/user/login")
    response = client.post("/user/login", data={
        "login": spec["name"], "password": spec["password"],
        "_csrf_token": csrf_token(page.body)}, follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" not in response.headers["Location"]
