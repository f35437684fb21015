"""XLSX and ODS resources: xloader loads the first sheet, and the DataStore dump
gives reusers that sheet as an open CSV, values unchanged (codes keep their
leading zeros, decimals their digits). Files built here with openpyxl and ezodf."""
from __future__ import annotations

import csv
import io
import pathlib
import tempfile

import ezodf
import openpyxl
import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS

#: The first sheet: French communes (COG codes, one with a leading zero).
FIRST = [["code_insee", "commune", "montant"],
         ["01053", "Bourg-en-Bresse", "1200.5"],
         ["35238", "Rennes", "830"],
         ["2A004", "Ajaccio", "640.25"]]
#: A second sheet, which is not loaded.
SECOND = [["remarque"], ["Montants en euros, arrondis au centime."]]


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Subventions"
    for row in FIRST:
        first.append(row)
    second = book.create_sheet("Notes")
    for row in SECOND:
        second.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "subventions.ods"
        document = ezodf.newdoc(doctype="ods", filename=str(path))
        for name, rows in (("Subventions", FIRST), ("Notes", SECOND)):
            sheet = ezodf.Sheet(name, size=(len(rows), len(rows[0])))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    sheet[r, c].set_value(value)
            document.sheets += sheet
        document.save()
        return path.read_bytes()


@pytest.mark.parametrize("fmt, build", [("XLSX", _xlsx), ("ODS", _ods)])
def test_the_dump_of_a_spreadsheet_is_its_first_sheet_as_csv(app, served_portal, fmt, build):
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    resource = helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name="Subventions", format=fmt,
        upload=upload(build(), f"subventions.{fmt.lower()}"))
    run_jobs()
    status = helpers.call_action("xloader_status", {"ignore_auth": True},
                                 resource_id=resource["id"])
    assert status["status"] == "complete", status

    dump = app.get(f"/datastore/dump/{resource['id']}?format=csv")
    assert dump.status_code == 200
    rows = list(csv.reader(io.StringIO(dump.get_data(as_text=True))))
    assert rows[0] == ["_id"] + FIRST[0]
    assert [row[1:] for row in rows[1:]] == FIRST[1:]
    assert "remarque" not in dump.get_data(as_text=True)
