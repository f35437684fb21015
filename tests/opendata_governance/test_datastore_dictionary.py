"""A resource declaring a Table Schema gets its DataStore types, French labels and
descriptions from the schema after the load; a value that does not fit keeps its
column as text, and the dictionary says so."""
from __future__ import annotations

import html
import json
import pathlib
import re

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, datastore_records, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "scdl" / "subventions"
SCHEMA_URL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
SCHEMA = json.loads((FIXTURES / "schema.json").read_text(encoding="utf-8"))
FIELDS = {f["name"]: f for f in SCHEMA["fields"]}


def _load(csv_name: str, **resource: object) -> dict:
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    created = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Subventions", format="CSV",
        upload=upload((FIXTURES / csv_name).read_bytes(), csv_name), **resource)
    run_jobs()
    status = helpers.call_action("xloader_status", {"ignore_auth": True},
                                 resource_id=created["id"])
    assert status["status"] == "complete", status
    return dict(created, dataset=dataset, user=user)


def _fields(resource_id: str) -> dict[str, dict]:
    info = helpers.call_action("datastore_info", {"ignore_auth": True}, id=resource_id)
    return {f["id"]: f for f in info["fields"]}


def test_the_schema_gives_the_columns_their_types_labels_and_descriptions(served_portal):
    resource = _load("exemple_valide.csv", conforms_to=SCHEMA_URL)

    fields = _fields(resource["id"])
    assert {name: fields[name]["type"] for name in (
        "dateConvention", "montant", "notificationUE", "pourcentageSubvention",
        "nomBeneficiaire", "idBeneficiaire")} == {
        "dateConvention": "date", "montant": "numeric", "notificationUE": "bool",
        "pourcentageSubvention": "numeric", "nomBeneficiaire": "text",
        "idBeneficiaire": "text"}
    for name, field in FIELDS.items():
        assert fields[name]["info"]["label"] == field["title"]
        assert fields[name]["info"]["notes"] == field["description"]
        assert fields[name]["info"]["schema_type"] == field["type"]
        assert "schema_rejected" not in fields[name]["info"]
    # The values are the typed ones: "oui"/"non" are the schema's true/false values,
    # and the SIRET keeps its leading digits as text.
    records = datastore_records(resource["id"], sort="montant desc", limit=2)
    assert [(float(r["montant"]), r["notificationUE"], r["dateConvention"])
            for r in records["records"]] == [
        (460000.0, True, "2012-10-04"), (230134.96, False, "2013-05-24")]
    search_fields = {f["id"]: f for f in records["fields"]}
    assert search_fields["montant"]["info"]["label"] == "Montant total de la subvention"
    # The sort above is numeric: as text, "99786.57" would come first.
    # Full-text search still answers after the conversion.
    assert datastore_records(resource["id"], q="RALLYE")["total"] == 1


def test_a_value_that_does_not_fit_keeps_its_column_as_text_and_the_dictionary_says_so(
        served_portal):
    # The schema's official invalid example: "05/12/2016" as a date, "100000,1" as an
    # amount, "no"/"yes" instead of "non"/"oui", "0,5" as a share.
    resource = _load("exemple_invalide_erreurs_cellules.csv", conforms_to=SCHEMA_URL)

    fields = _fields(resource["id"])
    rejected = {name: (fields[name]["type"], fields[name]["info"].get("schema_rejected"),
                       fields[name]["info"].get("schema_rejected_example"))
                for name in ("dateConvention", "montant", "notificationUE",
                             "pourcentageSubvention")}
    assert rejected == {
        "dateConvention": ("text", 1, "05/12/2016"),
        "montant": ("text", 1, "100000,1"),
        "notificationUE": ("text", 2, "no"),
        "pourcentageSubvention": ("text", 1, "0,5"),
    }
    # Every row is loaded; the labels are there all the same.
    assert datastore_records(resource["id"], limit=0)["total"] == 29
    assert fields["montant"]["info"]["label"] == "Montant total de la subvention"

    page = helpers._get_test_app().get(
        f"/fr/dataset/{resource['dataset']['name']}/resource/{resource['id']}",
        extra_environ={"REMOTE_USER": resource["user"]["name"]})
    text = html.unescape(page.get_data(as_text=True))
    assert "<h2>Dictionnaire de données</h2>" in text
    assert "Colonnes gardées en texte" in text
    assert ("Le schéma déclare le type date, mais 1 valeur(s) ne s'y conforment pas "
            "(par exemple « 05/12/2016 ») : la colonne est gardée en texte.") in text


def test_the_preview_headings_and_the_resource_page_show_the_french_labels(served_portal):
    resource = _load("exemple_valide.csv", conforms_to=SCHEMA_URL)
    views = helpers.call_action("resource_view_list", id=resource["id"])
    view = next(v for v in views if v["view_type"] == "datatables_view")
    app = helpers._get_test_app()
    preview = app.get(
        f"/dataset/{resource['dataset']['name']}/resource/{resource['id']}/view/{view['id']}")
    assert preview.status_code == 200
    headings = [html.unescape(re.sub(r"<[^>]+>", "", h)).replace("\xa0", " ").strip()
                for h in re.findall(r'<th scope="col">(.*?)</th>', preview.get_data(
                    as_text=True), re.S)]
    assert headings[:3] == [FIELDS["nomAttribuant"]["title"],
                            FIELDS["idAttribuant"]["title"],
                            FIELDS["dateConvention"]["title"]]

    page = app.get(f"/fr/dataset/{resource['dataset']['name']}/resource/{resource['id']}")
    text = html.unescape(page.get_data(as_text=True))
    assert "<h2>Dictionnaire de données</h2>" in text
    assert "Colonnes gardées en texte" not in text
    assert FIELDS["montant"]["title"] in text
    assert "Montant total de la subvention attribuée, exprimé en euros" in text


def test_a_schema_declared_by_the_dataset_applies_to_its_resources(served_portal):
    user = factories.Sysadmin()
    dataset = factories.Dataset(extras=[{"key": "conforms_to", "value": SCHEMA_URL}])
    created = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Subventions", format="CSV",
        upload=upload((FIXTURES / "exemple_valide.csv").read_bytes(), "s.csv"))
    run_jobs()
    fields = _fields(created["id"])
    assert fields["montant"]["type"] == "numeric"
    assert fields["montant"]["info"]["label"] == FIELDS["montant"]["title"]


def test_without_a_schema_the_load_keeps_text_columns_and_no_labels(served_portal):
    resource = _load("exemple_valide.csv")
    fields = _fields(resource["id"])
    assert fields["montant"]["type"] == "text"
    assert not (fields["montant"].get("info") or {}).get("label")


def test_a_reload_keeps_the_types_and_labels(served_portal):
    resource = _load("exemple_valide.csv", conforms_to=SCHEMA_URL)
    helpers.call_action("xloader_submit", {"ignore_auth": True},
                        resource_id=resource["id"], ignore_hash=True)
    run_jobs()
    fields = _fields(resource["id"])
    assert fields["montant"]["type"] == "numeric"
    assert fields["dateConvention"]["type"] == "date"
    assert fields["montant"]["info"]["label"] == FIELDS["montant"]["title"]
    assert datastore_records(resource["id"], limit=0)["total"] == 29


#: A schema given inline (``conforms_to`` may hold the descriptor itself): French
#: dates and decimal commas, as the schema's own options declare them.
INLINE_SCHEMA = {"fields": [
    {"name": "date_seance", "type": "date", "format": "%d/%m/%Y", "title": "Date de la séance"},
    {"name": "montant", "type": "number", "decimalChar": ",", "groupChar": " ",
     "title": "Montant voté"},
    {"name": "votants", "type": "integer", "title": "Nombre de votants"},
    {"name": "echeance", "type": "date", "title": "Échéance"},
]}


def test_the_schema_options_are_used_and_a_value_postgresql_refuses_keeps_the_column_as_text(
        served_portal):
    rows = ("date_seance;montant;votants;echeance\n"
            "05/12/2016;1 200,50;33;2017-02-28\n"
            "17/01/2017;830;3000000000;2017-02-30\n")
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    created = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Délibérations", format="CSV", conforms_to=json.dumps(INLINE_SCHEMA),
        upload=upload(rows.encode("utf-8"), "deliberations.csv"))
    run_jobs()
    fields = _fields(created["id"])
    assert fields["date_seance"]["type"] == "date"
    assert fields["montant"]["type"] == "numeric"
    records = datastore_records(created["id"], sort="date_seance")["records"]
    assert [(r["date_seance"], float(r["montant"])) for r in records] == [
        ("2016-12-05", 1200.5), ("2017-01-17", 830.0)]
    # 3,000,000,000 is past PostgreSQL's int: found by the value check.
    assert fields["votants"]["type"] == "text"
    assert fields["votants"]["info"]["schema_rejected"] == 1
    assert fields["votants"]["info"]["schema_rejected_example"] == "3000000000"
    # 30 February has the shape of a date: PostgreSQL itself refuses it.
    assert fields["echeance"]["type"] == "text"
    assert fields["echeance"]["info"]["schema_rejected"] == 0
    assert fields["echeance"]["info"]["label"] == "Échéance"
