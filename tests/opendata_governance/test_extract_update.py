"""Extractions kept up to date: a target that replaces an earlier extraction, its choices
kept, the source's changes noticed, and the re-run from the resource page."""
from __future__ import annotations

import csv
import pathlib
from typing import Any

import openpyxl
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.opendata_governance import resource_source
from ckanext.opendata_governance.extract import provenance
from tests.opendata_governance import extract_setup as setup
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.gate_setup import open_dataset
from tests.shared import as_user, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

NAMES = ["c{}".format(i) for i in range(16)]


def _workbook(tmp_path: pathlib.Path, first_beneficiary: str = "") -> bytes:
    """The two-sheet print-layout workbook; the first data row's beneficiary renamed."""
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path), sheets=2)
    if first_beneficiary:
        book = openpyxl.load_workbook(str(path))
        book.worksheets[1].cell(5, 5, first_beneficiary)
        book.save(str(path))
    return path.read_bytes()


def _source(portal: Any, tmp_path: pathlib.Path) -> dict[str, Any]:
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True))
    return helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"],
        name="Subventions", format="XLSX", upload=upload(_workbook(tmp_path), "s.xlsx"))


def _replace_file(portal: Any, source: dict[str, Any], tmp_path: pathlib.Path,
                  beneficiary: str) -> dict[str, Any]:
    return helpers.call_action(
        "resource_patch", as_user(portal.editor), id=source["id"],
        upload=upload(_workbook(tmp_path, beneficiary), "s.xlsx"))


def _rows(resource: dict[str, Any]) -> list[list[str]]:
    with open(resource_source.upload_path(resource), encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _extracted(portal: Any, source: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("resource_table_extract", as_user(portal.editor),
                               id=source["id"], tables=[1], columns=NAMES, name="Tableau")


def test_without_tables_the_action_previews(tmp_path: pathlib.Path):
    """resource_table_extract without ``tables`` gives the preview and creates nothing."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    answer = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                 id=source["id"])
    assert [t["location"] for t in answer["tables"]] == ["Subventions 2017",
                                                         "Subventions 2018"]
    assert len(helpers.call_action("package_show", id=source["package_id"])["resources"]) == 1


def test_the_extraction_keeps_its_choices(tmp_path: pathlib.Path):
    """The chosen tables and column names are kept with the resource, and its source."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    shown = helpers.call_action("resource_show", id=_extracted(portal, source)["id"])
    assert shown["extracted_from"] == source["id"]
    assert provenance.choices_of(shown) == {"tables": [1], "columns": NAMES}
    assert not provenance.is_stale(shown, helpers.call_action("resource_show",
                                                              id=source["id"]))


def test_a_new_source_file_makes_the_extraction_stale(tmp_path: pathlib.Path):
    """Uploading a new file to the source marks the extraction as out of date."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    changed = _replace_file(portal, source, tmp_path, "Association nouvelle")
    assert provenance.is_stale(helpers.call_action("resource_show", id=made["id"]), changed)


def test_target_replaces_the_earlier_extraction_with_the_same_choices(tmp_path: pathlib.Path):
    """``target`` alone re-runs the extraction into the same resource: same id, same
    chosen table and column names, the new file's values, no longer stale."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    changed = _replace_file(portal, source, tmp_path, "Association nouvelle")
    again = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                id=source["id"], target=made["id"])
    assert again["id"] == made["id"]
    assert again["name"] == "Tableau"
    rows = _rows(again)
    assert rows[0] == NAMES
    assert rows[1][4] == "Association nouvelle"
    # The amounts are formulas whose values openpyxl does not keep when it saves the
    # changed file: the other columns are compared.
    assert [row[:8] for row in rows[2:]] == [row[:8] for row in setup.source()[1][1:]]
    dataset = helpers.call_action("package_show", id=source["package_id"])
    assert len(dataset["resources"]) == 2
    assert not provenance.is_stale(helpers.call_action("resource_show", id=made["id"]),
                                   changed)


def test_target_with_new_choices_uses_them(tmp_path: pathlib.Path):
    """Choices given with ``target`` replace the kept ones (here: the other sheet)."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    again = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                id=source["id"], target=made["id"], tables=[0])
    shown = helpers.call_action("resource_show", id=again["id"])
    assert shown["extraction_location"] == "Subventions 2017"
    assert provenance.choices_of(shown)["tables"] == [0]


@pytest.mark.parametrize("kind", ["source itself", "unknown", "other dataset"])
def test_a_target_that_is_not_an_earlier_extraction_is_refused(tmp_path: pathlib.Path,
                                                                kind: str):
    """A target that is not an extraction of this resource in its dataset is refused on
    ``target``; nothing changes."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    target = {"source itself": source["id"], "unknown": "nope",
              "other dataset": _extracted(portal, _source(portal, tmp_path))["id"]}[kind]
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("resource_table_extract", as_user(portal.editor),
                            id=source["id"], target=target, tables=[0])
    assert "target" in error.value.error_dict
    assert len(helpers.call_action("package_show", id=source["package_id"])["resources"]) == 1


def _page(app: Any, portal: Any, resource: dict[str, Any]) -> Any:
    return login(app, portal.editor).get(
        "/dataset/{}/resource/{}".format(resource["package_id"], resource["id"]))


def test_resource_page_says_when_the_source_changed(tmp_path: pathlib.Path, app):
    """The extraction's page names its source; after a new source file it warns and
    offers the re-run; the re-run (with its CSRF token) updates the same resource."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    page = _page(app, portal, made)
    assert "governance-extraction-stale" not in page.body
    assert "/resource/{}".format(source["id"]) in page.body
    _replace_file(portal, source, tmp_path, "Association nouvelle")
    client = login(app, portal.editor)
    page = client.get("/dataset/{}/resource/{}".format(made["package_id"], made["id"]))
    assert "governance-extraction-stale" in page.body
    response = client.post(
        "/dataset/{}/resource/{}/extract/rerun".format(made["package_id"], made["id"]),
        data={"_csrf_token": csrf_token(page.body)}, follow_redirects=False)
    assert response.status_code == 302, response.body
    assert _rows(helpers.call_action("resource_show", id=made["id"]))[1][4] == \
        "Association nouvelle"
    assert "governance-extraction-stale" not in _page(app, portal, made).body


def test_rerun_is_refused_to_members(tmp_path: pathlib.Path, app):
    """A member of the organization (who may read, not edit) cannot re-run."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    _replace_file(portal, source, tmp_path, "Association nouvelle")
    client = login(app, portal.member)
    page = client.get("/dataset/{}/resource/{}".format(made["package_id"], made["id"]))
    assert "extract/rerun" not in page.body
    response = client.post(
        "/dataset/{}/resource/{}/extract/rerun".format(made["package_id"], made["id"]),
        data={"_csrf_token": csrf_token(page.body)}, follow_redirects=False)
    assert response.status_code in (403, 404)
    assert _rows(helpers.call_action("resource_show", id=made["id"]))[1][4] != \
        "Association nouvelle"


def test_the_form_offers_the_earlier_extraction_as_target(tmp_path: pathlib.Path, app):
    """The extraction page lets the producer update an earlier extraction instead of
    adding a resource."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    client = login(app, portal.editor)
    url = "/dataset/{}/resource/{}/extract".format(source["package_id"], source["id"])
    page = client.get(url)
    assert 'value="{}"'.format(made["id"]) in page.body
    response = client.post(url, data={"_csrf_token": csrf_token(page.body), "tables": "0",
                                      "target": made["id"]}, follow_redirects=False)
    assert response.status_code == 302, response.body
    dataset = helpers.call_action("package_show", id=source["package_id"])
    assert len(dataset["resources"]) == 2
    assert dataset["resources"][1]["extraction_location"] == "Subventions 2017"


def test_the_source_page_lists_its_extractions_and_says_which_are_stale(
        tmp_path: pathlib.Path, app):
    """Right after a new upload, the source's page lists the extraction made from the
    earlier file, marked as such, with the re-run button for editors only."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    made = _extracted(portal, source)
    page = _page(app, portal, source)
    assert "/resource/{}".format(made["id"]) in page.body
    assert "governance-extraction-stale" not in page.body
    _replace_file(portal, source, tmp_path, "Association nouvelle")
    page = _page(app, portal, source)
    assert "governance-extraction-stale" in page.body
    assert "/resource/{}/extract/rerun".format(made["id"]) in page.body
    member = login(app, portal.member).get(
        "/dataset/{}/resource/{}".format(source["package_id"], source["id"]))
    assert "/resource/{}".format(made["id"]) in member.body
    assert "extract/rerun" not in member.body
