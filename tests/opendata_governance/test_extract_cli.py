"""`ckan opendata-governance extract`: CSV files, resources, progress and refusals."""
from __future__ import annotations

import csv
import pathlib

from ckan.tests import factories, helpers

from ckanext.opendata_governance.cli import opendata_governance
from tests.opendata_governance import extract_setup as setup
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.gate_setup import open_dataset
from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS


def _uploaded(tmp_path: pathlib.Path, kind: str, **build) -> dict:
    path = tmp_path / "source.{}".format(kind)
    {"xlsx": setup.write_xlsx, "pdf": setup.write_pdf}[kind](str(path), **build)
    dataset = factories.Dataset(**open_dataset(private=True, owner_org=factories.Organization()["id"]))
    return helpers.call_action("resource_create", {"ignore_auth": True,
                                                   "user": factories.Sysadmin()["name"]},
                               package_id=dataset["id"], name="Subventions",
                               format=kind.upper(), upload=upload(path.read_bytes(), path.name))


def test_pages_of_a_pdf_to_a_csv_file_with_a_progress_bar(cli, tmp_path: pathlib.Path):
    """--pages 2-3 --out writes the rows printed on those pages, UTF-8 with commas."""
    resource = _uploaded(tmp_path, "pdf", copies=2)
    out = tmp_path / "out.csv"
    result = cli.invoke(opendata_governance,
                        ["extract", resource["id"], "--pages", "2-3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Pages" in result.output
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert rows[0] == setup.pdf_table()[0]
    assert rows[-1] == setup.pdf_table(copies=2)[-1]
    assert 1 < len(rows) < 59
    assert "written to" in result.output


def test_list_shows_the_tables_found(cli, tmp_path: pathlib.Path):
    """--list prints each table's number, sheet, row count and columns."""
    resource = _uploaded(tmp_path, "xlsx", sheets=2)
    result = cli.invoke(opendata_governance, ["extract", resource["id"], "--list"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "\t" in line]
    assert [line.split("\t")[:3] for line in lines] == [
        ["0", "Subventions 2017", "29 rows"], ["1", "Subventions 2018", "29 rows"]]


def test_without_out_a_resource_joins_the_dataset(cli, tmp_path: pathlib.Path):
    """Without --out the chosen table becomes a CSV resource of the dataset."""
    resource = _uploaded(tmp_path, "xlsx", sheets=2)
    result = cli.invoke(opendata_governance, ["extract", resource["id"], "--tables", "0"])
    assert result.exit_code == 0, result.output
    dataset = helpers.call_action("package_show", id=resource["package_id"])
    assert [r["format"] for r in dataset["resources"]] == ["XLSX", "CSV"]
    assert dataset["resources"][1]["extraction_source"] == resource["id"]


def test_bad_pages_exit_with_a_message(cli, tmp_path: pathlib.Path):
    """A page range that is not one exits 1 with the reason, no traceback."""
    resource = _uploaded(tmp_path, "pdf")
    result = cli.invoke(opendata_governance,
                        ["extract", resource["id"], "--pages", "x-y", "--out", "-"])
    assert result.exit_code == 1
    assert "ranges like 3-7" in result.output
    assert "Traceback" not in result.output


def test_target_runs_an_extraction_again_into_the_same_resource(cli, tmp_path: pathlib.Path):
    """--target EXTRACTION re-runs it with its kept choices: no new resource."""
    resource = _uploaded(tmp_path, "xlsx", sheets=2)
    first = cli.invoke(opendata_governance, ["extract", resource["id"], "--tables", "1"])
    assert first.exit_code == 0, first.output
    made = helpers.call_action("package_show", id=resource["package_id"])["resources"][1]
    again = cli.invoke(opendata_governance,
                       ["extract", resource["id"], "--target", made["id"]])
    assert again.exit_code == 0, again.output
    assert "updated" in again.output
    dataset = helpers.call_action("package_show", id=resource["package_id"])
    assert [r["id"] for r in dataset["resources"]] == [resource["id"], made["id"]]
    assert dataset["resources"][1]["extraction_location"] == "Subventions 2018"
