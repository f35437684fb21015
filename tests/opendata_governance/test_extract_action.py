"""resource_table_preview and resource_table_extract through CKAN's actions, as real users."""
from __future__ import annotations

import csv
import io
import pathlib
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance import resource_source
from tests.opendata_governance import extract_setup as setup
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.gate_setup import open_dataset, switch_gate
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

#: Who may preview and extract, per kind of user of the portal.
MATRIX = [
    ("anonymous", False),
    ("plain", False),
    ("member", False),
    ("other_editor", False),
    ("editor", True),
    ("admin", True),
    ("sysadmin", True),
]


def _source(portal: Any, tmp_path: pathlib.Path, kind: str = "xlsx", **build: Any
            ) -> dict[str, Any]:
    """A private dataset of the portal's organization with the document uploaded by its
    editor; the uploaded resource."""
    path = tmp_path / "subventions.{}".format(kind)
    {"xlsx": setup.write_xlsx, "ods": setup.write_ods, "pdf": setup.write_pdf,
     "xls": setup.write_xls, "docx": setup.write_docx,
     "scan": setup.write_scanned_pdf}[kind](str(path), **build)
    fmt = "PDF" if kind == "scan" else kind.upper()
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True))
    return helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"],
        name="Subventions 2017", format=fmt,
        upload=upload(path.read_bytes(), "subventions.{}".format(fmt.lower())))


def _csv_of(resource: dict[str, Any]) -> list[list[str]]:
    with open(resource_source.upload_path(resource), encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _resource_count(package_id: str) -> int:
    return len(helpers.call_action("package_show", id=package_id)["resources"])


@pytest.mark.parametrize("action", ["resource_table_preview", "resource_table_extract"])
@pytest.mark.parametrize("who,allowed", MATRIX)
def test_auth_matrix(tmp_path: pathlib.Path, action: str, who: str, allowed: bool):
    """Only those who may edit the dataset (its organization's editors and admins,
    sysadmins) may preview or extract its tables."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    user = None if who == "anonymous" else getattr(portal, who)
    context = {"user": user["name"] if user else ""}
    if allowed:
        assert helpers.call_auth(action, context, id=source["id"])
    else:
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth(action, context, id=source["id"])


def test_unknown_resource_is_refused(tmp_path: pathlib.Path):
    """A resource id that does not exist is refused by the auth function, not a crash."""
    portal = make_portal()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("resource_table_preview", as_user(portal.editor), id="nope")


def test_preview_lists_each_sheet_table(tmp_path: pathlib.Path):
    """The preview gives each table's sheet, header, first rows, row count and confidence."""
    portal = make_portal()
    source = _source(portal, tmp_path, sheets=2)
    preview = helpers.call_action("resource_table_preview", as_user(portal.editor),
                                  id=source["id"])
    assert preview["format"] == "xlsx"
    assert [(t["index"], t["location"], t["row_count"]) for t in preview["tables"]] == [
        (0, "Subventions 2017", 29), (1, "Subventions 2018", 29)]
    first = preview["tables"][0]
    assert first["header"] == setup.expected_header()
    assert first["first_rows"] == setup.source()[1][:5]
    assert first["confidence"] == 1.0


def test_extract_creates_a_csv_resource_with_its_provenance(tmp_path: pathlib.Path):
    """The chosen table becomes a UTF-8, comma CSV resource of the same dataset, equal
    to the source table, which says where it comes from."""
    portal = make_portal()
    source = _source(portal, tmp_path, sheets=2)
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[1])
    assert created["package_id"] == source["package_id"]
    assert created["format"] == "CSV"
    assert created["url_type"] == "upload"
    rows = _csv_of(created)
    assert setup.score(rows[0], rows[1:]) == 1.0
    shown = helpers.call_action("resource_show", id=created["id"])
    assert shown["extraction_source"] == source["id"]
    assert shown["extraction_location"] == "Subventions 2018"
    assert shown["extraction_library"].startswith("openpyxl 3.")
    assert shown["extraction_date"][:2] == "20"
    assert "29" in shown["description"]


def test_an_old_excel_file_is_extracted_with_xlrd(tmp_path: pathlib.Path):
    """An .xls resource's table becomes the source CSV; xlrd is named as the library."""
    portal = make_portal()
    source = _source(portal, tmp_path, kind="xls")
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[0])
    rows = _csv_of(created)
    assert setup.score(rows[0], rows[1:]) == 1.0
    assert created["extraction_library"].startswith("xlrd 2.")


def test_a_word_table_is_extracted(tmp_path: pathlib.Path):
    """A DOCX resource's table becomes the source CSV."""
    portal = make_portal()
    source = _source(portal, tmp_path, kind="docx")
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[0])
    rows = _csv_of(created)
    assert setup.score(rows[0], rows[1:]) == 1.0
    assert created["extraction_location"] == "tableau 1"


def test_extract_pdf_pages_with_renamed_columns(tmp_path: pathlib.Path):
    """PDF pages 1-3 give one table stitched over the pages; columns take the given names."""
    portal = make_portal()
    source = _source(portal, tmp_path, kind="pdf", copies=2)
    names = ["beneficiaire", "date", "objet", "montant", "nature", "versement"]
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], pages="1-3", tables=[0],
                                  columns=",".join(names))
    rows = _csv_of(created)
    assert rows[0] == names
    assert rows[1:] == setup.pdf_table(copies=2)[1:]
    shown = helpers.call_action("resource_show", id=created["id"])
    assert shown["extraction_pages"] == "1,2,3"
    assert shown["extraction_library"].startswith("pdfplumber 0.11")


@pytest.mark.parametrize("field,value", [
    ("pages", "trois"), ("tables", "x"), ("tables", "5"), ("columns", "a,b"),
    ("sheets", [""]),
])
def test_bad_choice_names_its_field_and_creates_nothing(tmp_path: pathlib.Path, field: str,
                                                         value: Any):
    """A bad page range, table number or column list is a ValidationError on that field;
    no resource is created."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("resource_table_extract", as_user(portal.editor),
                            id=source["id"], **{"tables": [0], field: value})
    assert field in error.value.error_dict, error.value.error_dict
    assert _resource_count(source["package_id"]) == 1


def test_tables_with_the_same_header_are_merged(tmp_path: pathlib.Path):
    """Two sheets with the same columns become one CSV, the rows of both in order."""
    portal = make_portal()
    source = _source(portal, tmp_path, sheets=2)
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[0, 1])
    rows = _csv_of(created)
    assert rows[1:] == setup.source()[1] * 2
    assert helpers.call_action("resource_show", id=created["id"])[
        "extraction_location"] == "Subventions 2017, Subventions 2018"


def test_tables_with_other_headers_are_not_merged(tmp_path: pathlib.Path):
    """Merging a sheet's table with a renamed copy is refused on ``tables``."""
    portal = make_portal()
    path = tmp_path / "two.xlsx"
    setup.write_xlsx(str(path), sheets=2)
    import openpyxl
    book = openpyxl.load_workbook(str(path))
    book.worksheets[1].cell(4, 5, "autre nom")
    book.save(str(path))
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True))
    source = helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"], name="Deux",
        format="XLSX", upload=upload(path.read_bytes(), "two.xlsx"))
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("resource_table_extract", as_user(portal.editor),
                            id=source["id"], tables=[0, 1])
    assert "do not have the same columns" in " ".join(error.value.error_dict["tables"])
    assert _resource_count(dataset["id"]) == 1


def test_scanned_pdf_is_refused_in_french_and_creates_nothing(tmp_path: pathlib.Path, app,
                                                              monkeypatch):
    """On a French portal the API answers a scanned PDF with a 409 and a French reason."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    portal = make_portal()
    source = _source(portal, tmp_path, kind="scan")
    token = helpers.call_action("api_token_create", {"user": portal.editor["name"]},
                                user=portal.editor["name"], name="t")["token"]
    response = app.post("/api/3/action/resource_table_extract", json={"id": source["id"]},
                        headers={"Authorization": token}, status=409)
    message = " ".join(response.json["error"]["id"])
    assert "n'a pas de couche texte" in message
    assert _resource_count(source["package_id"]) == 1


def test_extracted_resource_is_not_public_before_sign_off(tmp_path: pathlib.Path):
    """In an organization with the publication gate on, the extraction joins the private
    dataset: anonymous users cannot see it, and publishing it needs a sign-off."""
    portal = make_portal()
    switch_gate(portal.org["id"], True)
    source = _source(portal, tmp_path)
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[0])
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("resource_show", as_user(None), id=created["id"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", as_user(portal.editor),
                            id=source["package_id"], private=False)
    assert "private" in error.value.error_dict
    assert model.Package.get(source["package_id"]).private


def test_extracting_into_a_public_dataset_holds_it_for_a_sign_off(tmp_path: pathlib.Path,
                                                                  app):
    """A public, signed-off dataset of a gated organization is made private before the
    extraction joins it: anonymous users see neither; the page warned the editor."""
    from tests.opendata_governance.gate_setup import approve
    from tests.shared import login

    portal = make_portal()
    switch_gate(portal.org["id"], True)
    source = _source(portal, tmp_path)
    dataset = {"id": source["package_id"]}
    approve(dataset["id"])
    helpers.call_action("package_patch", id=dataset["id"], private=False)
    assert not model.Package.get(dataset["id"]).private
    page = login(app, portal.editor).get("/dataset/{}/resource/{}/extract".format(
        dataset["id"], source["id"]))
    assert "governance-extract-held" in page.body
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[0])
    assert created["held_for_sign_off"] is True
    assert model.Package.get(dataset["id"]).private
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("resource_show", as_user(None), id=created["id"])
