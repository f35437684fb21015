"""The Data API block of the resource page and the DataStore dumps (CSV, JSON, XLSX)."""
from __future__ import annotations

import html
import io
import json
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, upload_resource, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS

CSV = ("code_insee;commune;montant;note\n"
       "35238;Rennes;1200.5;=1+1\n"
       "35047;Bruz;830;ok\n"
       "35051;Cesson-Sévigné;640.25;ok\n").encode("utf-8")


@pytest.fixture
def loaded(served_portal):
    """A public CSV resource loaded into the DataStore."""
    resource = upload_resource(CSV, "subventions.csv", "Subventions")
    run_jobs()
    return helpers.call_action("resource_show", id=resource["id"])


def _path(url: str) -> str:
    parts = urlsplit(html.unescape(url))
    return parts.path + ("?" + parts.query if parts.query else "")


def _page(app, resource) -> str:
    return app.get("/fr/dataset/{}/resource/{}".format(
        resource["package_id"], resource["id"])).body


def test_the_resource_page_gives_french_api_examples_on_its_own_columns(app, loaded):
    """Filter and full-text examples use the first row's first text column."""
    page = _page(app, loaded)
    assert "API de données" in page
    assert "Les lignes dont la colonne « commune » vaut exactement « Rennes » (filtre)" in page
    assert "recherche plein texte" in page
    assert "Le même filtre en SQL" not in page


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true")
def test_the_sql_example_appears_only_when_sql_search_is_enabled(app, loaded):
    """``ckan.datastore.sqlsearch.enabled`` adds a datastore_search_sql example."""
    page = _page(app, loaded)
    assert "Le même filtre en SQL" in page
    assert "datastore_search_sql?sql=" in page


def test_the_api_examples_answer_what_they_say(app, loaded):
    """The filter and q addresses of the page return the rows they describe."""
    examples = _examples(app, loaded)
    by_filter = app.get(_path(examples["filtre"])).json["result"]["records"]
    assert [r["commune"] for r in by_filter] == ["Rennes"]
    by_q = app.get(_path(examples["plein texte"])).json["result"]["records"]
    assert [r["commune"] for r in by_q] == ["Rennes"]


def _examples(app, resource) -> dict[str, str]:
    import re
    page = _page(app, resource)
    found = re.findall(r"<dt>([^<]*)</dt>\s*<dd><code><a href=\"([^\"]+)\"", page)
    return {("filtre" if "(filtre)" in html.unescape(label) else
             "plein texte" if "plein texte" in label else label): url
            for label, url in found}


def test_cores_data_api_button_opens_a_french_window(app, loaded):
    """The "API de données" button of core's datastore: its window's strings in French."""
    import re
    page = _page(app, loaded)
    button = re.search(r'href="([^"]+)" data-module="api-info"', page)
    assert button and "API de données" in page
    assert button.group(1).startswith("/fr/")
    window = app.get(html.unescape(button.group(1))).body
    assert "Accédez aux données de la ressource par une API web" in window
    assert "Exemples de code :" in window


def test_the_page_links_the_csv_json_and_xlsx_dumps(app, loaded):
    """Each dump link of the page downloads the rows in its format."""
    page = _page(app, loaded)
    for fmt in ("csv", "json", "xlsx"):
        assert "/datastore/dump/{}?format={}".format(loaded["id"], fmt) in page


def test_the_csv_dump_gives_the_loaded_rows(app, loaded):
    """CSV: a header and the rows, as loaded."""
    body = app.get("/datastore/dump/{}?format=csv".format(loaded["id"])).body
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "_id,code_insee,commune,montant,note"
    assert "Cesson-Sévigné" in lines[3]


def test_the_json_dump_gives_the_loaded_rows(app, loaded):
    """JSON: fields and records as lists."""
    dumped = json.loads(app.get("/datastore/dump/{}?format=json".format(loaded["id"])).body)
    assert [f["id"] for f in dumped["fields"]][1:] == ["code_insee", "commune", "montant",
                                                       "note"]
    assert [r[2] for r in dumped["records"]] == ["Rennes", "Bruz", "Cesson-Sévigné"]


def test_the_xlsx_dump_is_a_workbook_of_the_rows_with_text_kept_as_text(app, loaded):
    """XLSX: a real workbook; a value starting with "=" stays text, not a formula."""
    response = app.get("/datastore/dump/{}?format=xlsx".format(loaded["id"]))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0] == ("code_insee", "commune", "montant", "note")
    assert [r[1] for r in rows[1:]] == ["Rennes", "Bruz", "Cesson-Sévigné"]
    assert rows[1][3] == "=1+1" and sheet.cell(2, 4).data_type == "s"


def test_the_xlsx_dump_follows_the_filters_sort_and_limit(app, loaded):
    """The dump's parameters (filters, q, sort, limit) work for XLSX as for CSV."""
    response = app.get("/datastore/dump/{}".format(loaded["id"]), query_string={
        "format": "xlsx", "sort": "commune desc", "limit": "2",
        "filters": json.dumps({"note": "ok"})})
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert [r[1] for r in rows[1:]] == ["Cesson-Sévigné", "Bruz"]


def test_an_xlsx_dump_of_a_private_resource_is_refused_to_outsiders(app, served_portal):
    """The XLSX dump reads as the caller: a private dataset's rows answer 404."""
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    resource = helpers.call_action(
        "resource_create", {"user": factories.Sysadmin()["name"]},
        package_id=dataset["id"], format="CSV", name="s.csv", upload=upload(CSV, "s.csv"))
    run_jobs()
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"]
    app.get("/datastore/dump/{}?format=xlsx".format(resource["id"]), status=404)
    outsider = factories.APIToken(user=factories.User()["name"])["token"]
    app.get("/datastore/dump/{}?format=xlsx".format(resource["id"]),
            headers={"Authorization": outsider}, status=404)


def test_an_xlsx_dump_with_a_bad_sort_is_a_clear_409(app, loaded):
    """An injection attempt in sort is refused, never a 500."""
    response = app.get("/datastore/dump/{}".format(loaded["id"]), query_string={
        "format": "xlsx", "sort": "commune; DROP TABLE x"}, status=409)
    assert "sort" in response.body
