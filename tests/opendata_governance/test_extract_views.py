"""The "Extraire les tableaux" page: editors preview, choose, rename and extract; CSRF."""
from __future__ import annotations

import csv
import pathlib
import re
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.opendata_governance import resource_source
from tests.opendata_governance import extract_setup as setup
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.gate_setup import open_dataset
from tests.shared import as_user, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS


def _source(portal: Any, tmp_path: pathlib.Path, **build: Any) -> dict[str, Any]:
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path), **build)
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True))
    return helpers.call_action(
        "resource_create", as_user(portal.editor), package_id=dataset["id"],
        name="Subventions <b>2017</b>", format="XLSX",
        upload=upload(path.read_bytes(), "subventions.xlsx"))


def _url(source: dict[str, Any]) -> str:
    return "/dataset/{}/resource/{}/extract".format(source["package_id"], source["id"])


def test_resource_page_links_editors_to_the_extraction(tmp_path: pathlib.Path, app):
    """The resource page of an XLSX shows editors the "Extract the tables" button."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    page = login(app, portal.editor).get(
        "/dataset/{}/resource/{}".format(source["package_id"], source["id"]))
    assert "/resource/{}/extract".format(source["id"]) in page.body


def test_preview_page_shows_each_table_in_french(tmp_path: pathlib.Path, app, monkeypatch):
    """The page lists each sheet's table with its header, first rows and row count."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    portal = make_portal()
    source = _source(portal, tmp_path, sheets=2)
    page = login(app, portal.editor).get(_url(source))
    assert page.status_code == 200, page.get_data(as_text=True)[-3000:]
    assert "Extraire les tableaux" in page.body
    assert "Subventions 2018" in page.body
    assert "29 lignes" in page.body
    assert "Bénéficiaire – nomBeneficiaire" in page.body
    assert "Subventions <b>2017</b>" not in page.body  # the resource name is escaped


@pytest.mark.parametrize("who", ["member", "other_editor", "plain"])
def test_other_users_cannot_open_the_page(tmp_path: pathlib.Path, app, who: str):
    """Users who may not edit the dataset get a 403 or 404, never the tables."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    response = login(app, getattr(portal, who)).get(_url(source))
    assert response.status_code in (403, 404)
    assert "nomBeneficiaire" not in response.body


def test_post_extracts_the_chosen_table_with_renamed_columns(tmp_path: pathlib.Path, app):
    """Choosing the second table and renaming its columns creates that CSV resource."""
    portal = make_portal()
    source = _source(portal, tmp_path, sheets=2)
    client = login(app, portal.editor)
    page = client.get(_url(source))
    names = ["c{}".format(i) for i in range(16)]
    response = client.post(_url(source), data={
        "_csrf_token": csrf_token(page.body), "tables": "1", "columns-1": names,
        "name": "Subventions 2018 (CSV)"}, follow_redirects=False)
    assert response.status_code == 302, response.body
    dataset = helpers.call_action("package_show", id=source["package_id"])
    created = dataset["resources"][-1]
    assert created["name"] == "Subventions 2018 (CSV)"
    assert created["extraction_location"] == "Subventions 2018"
    with open(resource_source.upload_path(created), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == names
    assert rows[1:] == setup.source()[1]


def test_post_without_csrf_token_is_refused(tmp_path: pathlib.Path, app):
    """A form posted without its CSRF token creates nothing."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    response = login(app, portal.editor).post(_url(source), data={"tables": "0"},
                                              follow_redirects=False)
    assert response.status_code in (400, 403)
    dataset = helpers.call_action("package_show", id=source["package_id"])
    assert len(dataset["resources"]) == 1


def test_post_with_bad_choice_shows_the_error(tmp_path: pathlib.Path, app):
    """A table number that does not exist is shown as an error on the page, not a 500."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    client = login(app, portal.editor)
    page = client.get(_url(source))
    response = client.post(_url(source), data={"_csrf_token": csrf_token(page.body),
                                               "tables": "7"})
    assert response.status_code == 200
    assert "choose among them by their number" in response.body


def test_extracted_resource_page_says_where_it_comes_from(tmp_path: pathlib.Path, app):
    """The new resource's page shows its source, location and library."""
    portal = make_portal()
    source = _source(portal, tmp_path)
    created = helpers.call_action("resource_table_extract", as_user(portal.editor),
                                  id=source["id"], tables=[0])
    page = login(app, portal.editor).get(
        "/dataset/{}/resource/{}".format(source["package_id"], created["id"]))
    # CKAN lists a resource's extra fields in its "Additional information" table.
    assert re.search(r"Extraction source\s*</th>\s*<td[^>]*>\s*{}".format(source["id"]),
                     page.body), page.body
    assert re.search(r"Extraction library\s*</th>\s*<td[^>]*>\s*openpyxl 3\.", page.body)
