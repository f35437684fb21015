"""Spreadsheet tables laid out for print come out as the source table, cell for cell."""
from __future__ import annotations

import pathlib
import zipfile

import pytest

from ckanext.opendata_governance.extract import (ExtractError, ExtractLimitError, ExtractLimits,
                                                 extract_path, preview_path)
from ckanext.opendata_governance.scan import ScanError, ScanLimitError

from . import extract_setup as setup


def test_xlsx_every_sheet_is_found_with_titles_notes_and_totals_left_out(tmp_path: pathlib.Path):
    """Each sheet's table is found once, with the source's 29 rows (no title, total or note)."""
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path), sheets=2)
    found = preview_path(str(path), "xlsx")
    assert [(t["location"], t["row_count"]) for t in found] == [
        ("Subventions 2017", 29), ("Subventions 2018", 29)]
    assert found[0]["confidence"] == 1.0
    assert found[0]["header"] == setup.expected_header()


@pytest.mark.parametrize("sheet", [0, 1])
def test_xlsx_cells_match_the_source_csv(tmp_path: pathlib.Path, sheet: int):
    """Merged headers joined with " – ", merged cells spread, formulas as values: 100 %."""
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path), sheets=2)
    table = extract_path(str(path), "xlsx", choose=[sheet])
    assert setup.score(table.header, table.rows) == 1.0


def test_xlsx_formula_cells_give_their_computed_values(tmp_path: pathlib.Path):
    """The montant column, written as formulas, gives the numbers the spreadsheet computed."""
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path))
    table = extract_path(str(path), "xlsx")
    assert [row[8] for row in table.rows] == [row[8] for row in setup.source()[1]]


def test_xlsx_chosen_sheet_only(tmp_path: pathlib.Path):
    """Asking for one sheet by name reads that sheet only."""
    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path), sheets=2)
    found = preview_path(str(path), "xlsx", sheets=["Subventions 2018"])
    assert [t["location"] for t in found] == ["Subventions 2018"]


def test_ods_cells_match_the_source_csv(tmp_path: pathlib.Path):
    """The same layout in ODS (spans, covered cells, typed dates and floats): 100 %."""
    path = tmp_path / "subventions.ods"
    setup.write_ods(str(path))
    table = extract_path(str(path), "ods")
    assert table.location == "Subventions"
    assert setup.score(table.header, table.rows) == 1.0


def test_ods_million_blank_formatted_rows_are_counted_not_built(tmp_path: pathlib.Path):
    """1,000,000 empty formatted rows after the notes change nothing in the table."""
    path = tmp_path / "subventions.ods"
    setup.write_ods(str(path), blank_rows=1_000_000)
    table = extract_path(str(path), "ods")
    assert setup.score(table.header, table.rows) == 1.0


def test_xlsx_million_blank_formatted_rows_stop_at_the_time_limit(tmp_path: pathlib.Path):
    """A sheet of 1,000,000 empty formatted rows is refused once the time limit passes."""
    path = tmp_path / "blank.xlsx"
    setup.write_xlsx(str(path))
    setup.add_blank_rows(str(path), 1_000_000)
    with pytest.raises(ExtractLimitError) as error:
        extract_path(str(path), "xlsx", limits=ExtractLimits(max_seconds=1))
    assert "took more than 1 seconds" in str(error.value)


def test_xlsx_zip_bomb_is_refused_before_it_expands(tmp_path: pathlib.Path):
    """A worksheet part that would expand a thousand times is refused by the suite's zip checks."""
    path = tmp_path / "bomb.xlsx"
    setup.write_xlsx(str(path))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.xml", b" " * (8 * 1024 * 1024))
    with pytest.raises(ScanLimitError) as error:
        preview_path(str(path), "xlsx")
    assert "zip bomb" in str(error.value)


def test_truncated_xlsx_is_refused_as_damaged(tmp_path: pathlib.Path):
    """Half an XLSX file is reported as damaged, not as a crash."""
    path = tmp_path / "half.xlsx"
    setup.write_xlsx(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanError) as error:
        preview_path(str(path), "xlsx")
    assert "damaged" in str(error.value)


def test_unknown_formats_are_refused_with_a_reason(tmp_path: pathlib.Path):
    """A .pptx gets a message naming the formats read, not a crash."""
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 512)
    with pytest.raises(ExtractError, match="not from pptx"):
        preview_path(str(path), "pptx")


def _long_xlsx(path: pathlib.Path, rows: int) -> list[list[str]]:
    """A title, a blank row, the source header and ``rows`` source rows, written as text."""
    import openpyxl

    header, source = setup.source()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Subventions")
    sheet.append([setup.TITLE])
    sheet.append([])
    sheet.append(header)
    written = [source[i % len(source)] for i in range(rows)]
    for row in written:
        sheet.append(row)
    book.save(str(path))
    return [header] + written


def test_a_long_sheet_is_read_from_a_store_not_kept_in_memory(tmp_path: pathlib.Path):
    """The rows of a long sheet stay in the extraction's temporary store until written:
    the table hands them out lazily, and the CSV written from it is the sheet's table."""
    import csv
    import io

    from ckanext.opendata_governance.extract.csvout import write_csv
    from ckanext.opendata_governance.extract.store import StoredRows

    path = tmp_path / "long.xlsx"
    want = _long_xlsx(path, 3000)
    table = extract_path(str(path), "xlsx")
    assert isinstance(table.rows, StoredRows)
    assert len(table.rows) == 3000
    assert table.rows[-1] == want[-1] and table.rows[:2] == want[1:3]
    out = io.StringIO(newline="")
    assert write_csv(table, out) == 3000
    assert list(csv.reader(io.StringIO(out.getvalue()))) == want


def test_two_long_tables_merge_without_a_copy(tmp_path: pathlib.Path):
    """Two sheets with the same header chain their stored rows, in order."""
    from ckanext.opendata_governance.extract.store import Chained

    path = tmp_path / "subventions.xlsx"
    setup.write_xlsx(str(path), sheets=2)
    table = extract_path(str(path), "xlsx", choose=[0, 1])
    assert isinstance(table.rows, Chained)
    assert len(table.rows) == 58
    assert table.rows == setup.source()[1] * 2
    assert table.rows[29] == setup.source()[1][0] and table.rows[-1] == setup.source()[1][-1]


@pytest.mark.parametrize("sheet", [0, 1])
def test_xls_cells_match_the_source_csv(tmp_path: pathlib.Path, sheet: int):
    """An Excel 97-2003 file laid out for print gives the source table: 100 %."""
    path = tmp_path / "subventions.xls"
    setup.write_xls(str(path), sheets=2)
    found = preview_path(str(path), "xls")
    assert [(t["location"], t["row_count"]) for t in found] == [
        ("Subventions 2017", 29), ("Subventions 2018", 29)]
    table = extract_path(str(path), "xls", choose=[sheet])
    assert table.header == setup.expected_header()
    assert setup.score(table.header, table.rows) == 1.0


@pytest.mark.parametrize("content", [b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                                     b"PK\x03\x04 not an xls"])
def test_a_broken_xls_is_refused_with_a_message(tmp_path: pathlib.Path, content: bytes):
    """An empty, truncated or foreign file given as XLS is refused, not a crash."""
    path = tmp_path / "broken.xls"
    path.write_bytes(content)
    with pytest.raises(ExtractError) as error:
        extract_path(str(path), "xls")
    assert "XLS" in error.value.translated(lambda text: text)


def test_docx_table_matches_the_source_csv(tmp_path: pathlib.Path):
    """A Word table with a grouped header (gridSpan), cells merged down (vMerge), a
    totals row and paragraphs around it gives the source table: 100 %."""
    path = tmp_path / "subventions.docx"
    setup.write_docx(str(path))
    (found,) = preview_path(str(path), "docx")
    assert (found["location"], found["row_count"]) == ("tableau 1", 29)
    table = extract_path(str(path), "docx")
    assert table.header == setup.expected_header()
    assert setup.score(table.header, table.rows) == 1.0


def test_odt_table_matches_the_source_csv(tmp_path: pathlib.Path):
    """An OpenDocument text's table is read like a spreadsheet's: 100 %."""
    path = tmp_path / "subventions.odt"
    setup.write_odt(str(path))
    table = extract_path(str(path), "odt")
    assert setup.score(table.header, table.rows) == 1.0


@pytest.mark.parametrize("kind,content", [
    ("docx", b"PK\x03\x04 truncated"),
    ("docx", None),  # a zip without word/document.xml
    ("odt", None),   # a spreadsheet named .odt
])
def test_a_broken_text_document_is_refused_with_a_message(tmp_path: pathlib.Path, kind: str,
                                                          content: bytes):
    """A truncated DOCX, one without its document part, or an ODS given as ODT: refused
    with a message, not a crash."""
    path = tmp_path / "broken.{}".format(kind)
    if content is not None:
        path.write_bytes(content)
    elif kind == "docx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/other.xml", "<x/>")
    else:
        setup.write_ods(str(path))
    with pytest.raises((ExtractError, ScanError)) as error:
        extract_path(str(path), kind)
    assert kind.upper() in error.value.translated(lambda text: text)


def test_a_long_ods_sheet_is_streamed_to_the_store(tmp_path: pathlib.Path):
    """The rows of a 20,000-row ODS go to the store as they are parsed: extracting and
    writing it allocates a few MB at most, not the ~25 MB the rows take in lists."""
    import os
    import tracemalloc

    from ckanext.opendata_governance.extract.csvout import write_csv

    path = tmp_path / "long.ods"
    setup.write_long_ods(str(path), 20000)
    extract_path(str(path), "ods")  # the first run loads the modules it needs
    tracemalloc.start()
    try:
        table = extract_path(str(path), "ods")
        with open(os.devnull, "w", encoding="utf-8", newline="") as out:
            assert write_csv(table, out) == 20000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak
