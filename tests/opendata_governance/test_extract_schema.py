"""A schema chosen for the extracted CSV: its fields guessed from the column names, the
columns mapped to them, and the schema check run on the result like on any resource."""
from __future__ import annotations

import csv
import json
import pathlib
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.opendata_governance import resource_source
from ckanext.opendata_governance.extract import provenance
from tests.opendata_governance import extract_setup as setup
from tests.opendata_governance.checks_setup import result_of, upload
from tests.opendata_governance.gate_setup import open_dataset
from tests.shared import as_user, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

SUBVENTIONS = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"


def _source(portal: Any, tmp_path: pathlib.Path) -> dict[str, Any]:
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path))
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True))
    return helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"],
        name="Subventions", format="XLSX", upload=upload(path.read_bytes(), "s.xlsx"))


def _rows(resource: dict[str, Any]) -> list[list[str]]:
    with open(resource_source.upload_path(resource), encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _guessed(portal: Any, source: dict[str, Any]) -> dict[str, str]:
    preview = helpers.call_action("resource_table_preview", as_user(portal.editor),
                                  id=source["id"], conforms_to=SUBVENTIONS)
    return preview["tables"][0]["mapping"]


def test_the_preview_guesses_each_field_from_the_column_names(tmp_path: pathlib.Path):
    """Every SCDL field is found among the columns, group names ("Bénéficiaire – ")
    aside."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    preview = helpers.call_action("resource_table_preview", as_user(portal.editor),
                                  id=source["id"], conforms_to=SUBVENTIONS)
    header, _rows_ = setup.source()
    assert preview["fields"] == header
    mapping = preview["tables"][0]["mapping"]
    assert mapping["nomBeneficiaire"] == "Bénéficiaire – nomBeneficiaire"
    assert mapping == dict(zip(header, setup.expected_header()))


def test_mapped_extraction_follows_the_schema_and_passes_its_check(tmp_path: pathlib.Path):
    """With the guessed mapping the CSV has the schema's fields and the source's rows; it
    declares the schema, keeps the choice, and the schema check finds nothing wrong."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = helpers.call_action("resource_table_extract", as_user(portal.editor),
                               id=source["id"], tables=[0], conforms_to=SUBVENTIONS,
                               mapping=_guessed(portal, source))
    assert _rows(made) == [setup.source()[0]] + setup.source()[1]
    shown = helpers.call_action("resource_show", id=made["id"])
    assert shown["conforms_to"] == SUBVENTIONS
    assert provenance.choices_of(shown)["mapping"]["montant"] == "montant"
    result = result_of("schema_conformity", source["package_id"], made["id"])
    assert result["status"] == "passed", result


def test_fields_left_without_a_column_are_empty_and_other_columns_left_out(
        tmp_path: pathlib.Path):
    """A partial mapping (as JSON text) gives every field of the schema, in order; the
    unmapped ones are empty, the columns not mapped are not in the CSV."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = helpers.call_action(
        "resource_table_extract", as_user(portal.editor), id=source["id"], tables=[0],
        conforms_to=SUBVENTIONS,
        mapping=json.dumps({"montant": "montant",
                            "nomBeneficiaire": "Bénéficiaire – nomBeneficiaire"}))
    rows = _rows(made)
    header = setup.source()[0]
    assert rows[0] == header
    first = setup.source()[1][0]
    assert rows[1] == ["" if name not in ("montant", "nomBeneficiaire") else
                       first[header.index(name)] for name in header]


@pytest.mark.parametrize("given,field", [
    ({"mapping": {"montant": "montant"}}, "mapping"),
    ({"conforms_to": SUBVENTIONS, "mapping": {"inconnu": "montant"}}, "mapping"),
    ({"conforms_to": SUBVENTIONS, "mapping": {"montant": "pas une colonne"}}, "mapping"),
    ({"conforms_to": SUBVENTIONS, "mapping": ["montant"]}, "mapping"),
    ({"conforms_to": "{\"fields\": 3}"}, "conforms_to"),
    ({"conforms_to": "pas une adresse"}, "conforms_to"),
])
def test_a_bad_schema_or_mapping_names_its_field_and_creates_nothing(
        tmp_path: pathlib.Path, given: dict[str, Any], field: str):
    """A mapping without schema, to unknown fields or columns, or a schema that cannot be
    read, is refused on that field."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("resource_table_extract", as_user(portal.editor),
                            id=source["id"], tables=[0], **given)
    assert field in error.value.error_dict, error.value.error_dict
    assert len(helpers.call_action("package_show", id=source["package_id"])["resources"]) == 1


def test_the_page_maps_columns_to_the_chosen_schema(tmp_path: pathlib.Path, app):
    """With a schema chosen, each column has a select of the schema's fields, guessed;
    posting it creates the CSV with the schema's fields."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    client = login(app, portal.editor)
    url = "/dataset/{}/resource/{}/extract".format(source["package_id"], source["id"])
    page = client.get(url, query_string={"conforms_to": SUBVENTIONS})
    assert page.status_code == 200
    assert 'name="mapping-0"' in page.body
    assert '<option value="nomBeneficiaire" selected>' in page.body
    header = setup.expected_header()
    response = client.post(url, data={
        "_csrf_token": csrf_token(page.body), "tables": "0", "conforms_to": SUBVENTIONS,
        "header-0": header, "mapping-0": setup.source()[0]}, follow_redirects=False)
    assert response.status_code == 302, response.body
    made = helpers.call_action("package_show", id=source["package_id"])["resources"][-1]
    assert made["conforms_to"] == SUBVENTIONS
    assert _rows(made)[0] == setup.source()[0]
