"""PDF tables with and without ruling lines come out as printed; bad PDFs are refused."""
from __future__ import annotations

import pathlib

import pytest

from ckanext.opendata_governance.extract import (ExtractError, ExtractLimitError, ExtractLimits,
                                                 extract_path, preview_path)

from . import extract_setup as setup


def test_ruled_table_over_three_pages_is_one_table(tmp_path: pathlib.Path):
    """A ruled table whose header repeats on each page is stitched into one, cell for cell."""
    path = tmp_path / "subventions.pdf"
    setup.write_pdf(str(path), ruled=True, copies=2)
    found = preview_path(str(path), "pdf")
    assert len(found) == 1
    assert found[0]["pages"] == [1, 2, 3]
    assert found[0]["row_count"] == 58
    table = extract_path(str(path), "pdf")
    assert setup.pdf_score(table.header, table.rows, copies=2) == 1.0


def test_unruled_table_is_found_by_its_gutters(tmp_path: pathlib.Path):
    """A table printed without any line, over three pages, is found from the alignment of
    its words: every data cell right (wrapped cells joined), the title and note left out."""
    path = tmp_path / "subventions.pdf"
    setup.write_pdf(str(path), ruled=False, copies=2)
    table = extract_path(str(path), "pdf")
    assert table.rows == setup.pdf_table(copies=2)[1:]
    # A header word the printer cut in the middle ("dateConvent|ion") keeps the cut.
    assert setup.pdf_score(table.header, table.rows, copies=2) >= 0.99
    assert table.confidence < 1.0


def test_french_numbers_and_dates_are_kept_as_written(tmp_path: pathlib.Path):
    """"99 786,57" and "07/07/2015" stay as printed: no conversion guesses."""
    path = tmp_path / "subventions.pdf"
    setup.write_pdf(str(path))
    first = extract_path(str(path), "pdf").rows[0]
    assert first[1:4] == ["07/07/2015", "Fonctionnement", "99 786,57"]


def test_chosen_pages_only(tmp_path: pathlib.Path):
    """--pages 2 reads the second page alone: the rows printed there."""
    path = tmp_path / "subventions.pdf"
    setup.write_pdf(str(path), copies=2)
    table = extract_path(str(path), "pdf", pages=[2])
    assert table.pages == [2]
    assert 0 < len(table.rows) < 58


def test_scanned_pdf_is_said_to_have_no_text_layer(tmp_path: pathlib.Path):
    """A PDF of images only is refused with the reason (no OCR), not an empty result."""
    path = tmp_path / "scan.pdf"
    setup.write_scanned_pdf(str(path))
    with pytest.raises(ExtractError, match="no text layer"):
        preview_path(str(path), "pdf")


def test_encrypted_pdf_is_refused(tmp_path: pathlib.Path):
    """A PDF with an opening password is refused with what to do."""
    path = tmp_path / "secret.pdf"
    setup.write_pdf(str(path), password="secret")
    with pytest.raises(ExtractError, match="protected by a password"):
        preview_path(str(path), "pdf")


@pytest.mark.parametrize("content", [b"%PDF-1.7\n" + b"\x00garbage" * 100, b"not a pdf at all"])
def test_corrupt_pdf_is_refused(tmp_path: pathlib.Path, content: bytes):
    """Bytes that are not a readable PDF are refused as damaged."""
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractError, match="damaged"):
        preview_path(str(path), "pdf")


def test_truncated_pdf_is_refused_or_read_without_crash(tmp_path: pathlib.Path):
    """Half a PDF gives a message for the producer, never another exception."""
    path = tmp_path / "half.pdf"
    setup.write_pdf(str(path), copies=2)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractError):
        preview_path(str(path), "pdf")


def test_too_many_pages_are_refused_before_reading(tmp_path: pathlib.Path):
    """Past the page limit the producer is asked to choose the table's pages."""
    path = tmp_path / "long.pdf"
    setup.write_pdf(str(path), copies=2)
    with pytest.raises(ExtractLimitError, match="choose the pages"):
        preview_path(str(path), "pdf", limits=ExtractLimits(max_pages=2))
    assert len(preview_path(str(path), "pdf", pages=[1, 2],
                            limits=ExtractLimits(max_pages=2))) == 1


def test_table_going_on_without_its_header_is_stitched_by_its_columns(tmp_path: pathlib.Path):
    """Rows carried over to the next pages without the header join the table above when
    they have as many columns."""
    path = tmp_path / "subventions.pdf"
    setup.write_pdf(str(path), ruled=True, copies=2, repeat_header=False)
    found = preview_path(str(path), "pdf")
    assert [(t["pages"], t["row_count"]) for t in found] == [([1, 2, 3], 58)]
    table = extract_path(str(path), "pdf")
    assert setup.pdf_score(table.header, table.rows, copies=2) == 1.0
