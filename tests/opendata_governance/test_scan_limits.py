"""Files built to exhaust memory, through governance_check_run: refused, never read whole."""
from __future__ import annotations

import io
import resource
import zipfile
from typing import Any

import pytest

from ckan.tests import helpers

from ckanext.opendata_governance.scan import formats
from ckanext.suite import file_limits
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.review_setup import (
    MARKS, as_user, make_review_portal, reviewable_dataset)

pytestmark = MARKS

#: Growth of the process's peak memory allowed while one file is checked.
_MEMORY_MB = 200


@pytest.fixture(autouse=True)
def storage(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _scan_result(content: bytes, name: str, fmt: str) -> dict[str, Any]:
    """The personal-data scan result of a file uploaded then checked by governance_check_run."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal, resources=[])
    created = helpers.call_action("resource_create", as_user(portal.editor),
                                  package_id=dataset["id"], upload=upload(content, name),
                                  format=fmt)
    before = _peak_mb()
    run = helpers.call_action("governance_check_run", as_user(portal.sysadmin),
                              id=dataset["id"], resource_id=created["id"], sync=True)
    assert _peak_mb() - before < _MEMORY_MB
    (result,) = [r for r in run["results"] if r["check_id"] == "personal_data_scan"]
    assert result["severity"] == "blocking" and result["status"] != "passed"
    return result


def _message(result: dict[str, Any]) -> str:
    return result["findings"][0]["message"]


def test_the_default_limits_are_sane():
    """The limits let real tables through and stop far short of an attack."""
    assert 8 <= file_limits.MAX_DEPTH <= 64
    assert file_limits.MAX_COLUMNS == 16384
    assert 64 * 1024 <= file_limits.MAX_CELL_BYTES <= 16 * 1024 * 1024
    assert formats.ZIP_MAX_RATIO <= 1000 and formats.ZIP_MAX_ENTRIES <= 10000


def test_100000_nested_brackets_are_not_scanned():
    """The 200 KB JSON of 100,000 nested arrays that killed the portal is refused."""
    result = _scan_result(b"[" * 100_000 + b"]" * 100_000, "deep.json", "JSON")
    assert "JSON nesting is deeper than 32 levels" in _message(result)


def test_deeply_nested_objects_are_not_scanned():
    """Objects nested 100,000 deep inside a record are refused the same way."""
    content = b"[" + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]"
    result = _scan_result(content, "deep.json", "JSON")
    assert "JSON nesting is deeper than" in _message(result)


def test_a_csv_row_of_100000_columns_is_not_scanned():
    """A data row of 100,000 e-mail cells is refused for its width."""
    content = b"nom;contact\n" + b";".join([b"a@b.fr"] * 100_000) + b"\n"
    result = _scan_result(content, "wide.csv", "CSV")
    assert "100000 columns, more than the 16384 allowed" in _message(result)


@pytest.mark.ckan_config("ckan.max_resource_size", 100)
@pytest.mark.ckan_config("ckanext.opendata_governance.check_sync_max_bytes", 60_000_000)
def test_a_50_mb_json_cell_is_not_scanned():
    """A single 50 MB string is refused before the parser holds it."""
    content = b'[{"nom": "' + b"x" * (50 * 1024 * 1024) + b'"}]'
    result = _scan_result(content, "cell.json", "JSON")
    assert "longer than 1048576 bytes" in _message(result)


def _xlsx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_xlsx_is_not_scanned():
    """A sheet part that would expand a thousand times is refused from the zip directory."""
    sheet = b"<worksheet>" + b" " * (50 * 1024 * 1024) + b"</worksheet>"
    content = _xlsx({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": sheet})
    assert len(content) < 200_000
    result = _scan_result(content, "bomb.xlsx", "XLSX")
    assert "looks like a zip bomb" in _message(result)


def test_a_billion_laughs_xlsx_is_not_scanned():
    """Entities expanding to billions of characters in a sheet are refused unexpanded."""
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)) + b"]>"
    sheet = b'<?xml version="1.0"?>' + laughs + b"<worksheet><v>&lol9;</v></worksheet>"
    content = _xlsx({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": sheet})
    result = _scan_result(content, "laughs.xlsx", "XLSX")
    assert "declares a DTD" in _message(result)
