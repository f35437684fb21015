"""The quarantine copy: the resource's CSV without the columns the scanner flagged."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.review_setup import (
    MARKS, as_user, make_review_portal, reviewable_dataset)
from tests.shared import login

pytestmark = MARKS


def _nir(body: str) -> str:
    return f"{body}{97 - int(body) % 97:02d}"


NIRS = [_nir(f"28505780060{i:02d}") for i in range(30)]
NIR_CSV = ("agent;service;numero_securite_sociale;montant\n" + "".join(
    f"Agent {i};Finances;{nir};{100 + i}\n" for i, nir in enumerate(NIRS))).encode()
CLEAN_CSV = b"commune;montant\nRennes;1200\nBruz;800\n"


@pytest.fixture(autouse=True)
def storage(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))


def _scanned(portal: Any, content: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    dataset = reviewable_dataset(portal, resources=[])
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=dataset["id"], upload=upload(content),
                                   format="CSV")
    helpers.call_action("governance_check_run", as_user(portal.editor), id=dataset["id"],
                        resource_id=resource["id"])
    return helpers.call_action("package_show", id=dataset["id"]), resource


def _url(dataset: dict[str, Any], resource: dict[str, Any]) -> str:
    return f"/dataset/{dataset['name']}/resource/{resource['id']}/quarantine.csv"


def test_the_editor_downloads_the_file_without_the_flagged_column(app):
    """The copy keeps every row and the other columns, and holds no NIR."""
    portal = make_review_portal()
    dataset, resource = _scanned(portal, NIR_CSV)
    response = login(app, portal.editor).get(_url(dataset, resource))
    assert response.status_code == 200
    assert "quarantaine" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.body), delimiter=";"))
    assert rows[0] == ["agent", "service", "montant"]
    assert len(rows) == 31 and rows[1] == ["Agent 0", "Finances", "100"]
    assert not any(nir in response.body for nir in NIRS)


def test_the_resource_page_links_the_copy_for_the_editor(app):
    """After a failed scan the editor's resource page offers the quarantine copy."""
    portal = make_review_portal()
    dataset, resource = _scanned(portal, NIR_CSV)
    page = login(app, portal.editor).get(f"/dataset/{dataset['name']}/resource/{resource['id']}")
    assert _url(dataset, resource) in page.body


def test_people_who_cannot_see_the_checks_cannot_download_it(app):
    """A logged-in user outside the organization gets a 403, not the data."""
    portal = make_review_portal()
    dataset, resource = _scanned(portal, NIR_CSV)
    response = login(app, factories.User(password="Correct-horse-battery-1")).get(
        _url(dataset, resource), status=403)
    assert not any(nir in response.body for nir in NIRS)


def test_a_clean_file_has_no_quarantine_copy(app):
    """When the scanner flagged nothing, the download answers 404."""
    portal = make_review_portal()
    dataset, resource = _scanned(portal, CLEAN_CSV)
    login(app, portal.editor).get(_url(dataset, resource), status=404)
