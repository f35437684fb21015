"""Reading the files authorities publish: encodings, BOM, delimiters, extra and missing columns."""
from __future__ import annotations

import csv
import functools
import io

import pytest

from ckanext.territorial_consolidation.consolidation import engine
from ckanext.territorial_consolidation.consolidation.reader import open_rows, sniff
from ckanext.territorial_consolidation.consolidation.schema import TableSchema
from tests.territorial_consolidation.consolidation_setup import (
    DEDUP_KEY, SUBVENTIONS_SCHEMA, subventions_rows)

SCHEMA = TableSchema(SUBVENTIONS_SCHEMA)


@pytest.mark.parametrize("data,encoding", [
    ("a;b\nÉcole;1\n".encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + "a;b\nÉcole;1\n".encode("utf-8"), "utf-8-sig"),
    ("a;b\nÉcole;1\n".encode("cp1252"), "cp1252"),
    ("a;b\nÉcole;1\n".encode("utf-16"), "utf-16"),
])
def test_encodings_are_recognised_and_decoded(data, encoding):
    """UTF-8 with or without BOM, CP1252 and UTF-16 files read back the same cells."""
    sniffed, rows = open_rows(io.BytesIO(data))
    assert sniffed.encoding == encoding
    assert list(rows) == [["a", "b"], ["École", "1"]]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    """A byte CP1252 does not define (0x81) is still read, as Latin-1."""
    sniffed, rows = open_rows(io.BytesIO(b"a,b\n\x81,\xe9\n"))
    assert sniffed.encoding == "latin-1"
    assert list(rows)[1] == ["\x81", "é"]


@pytest.mark.parametrize("header,delimiter", [
    ("a;b;c", ";"), ("a,b,c", ","), ("a\tb\tc", "\t"), ('"x;y",b,c', ","), ("abc", ",")])
def test_the_delimiter_is_the_most_frequent_outside_quotes(header, delimiter):
    """Semicolons, commas and tabs are told apart; quoted text does not count."""
    assert sniff((header + "\n1;2,3\n").encode()).delimiter == delimiter


def _run(tmp_path, text: str, encoding: str = "utf-8", **options):
    path = tmp_path / "source.csv"
    path.write_bytes(text.encode(encoding))
    source = engine.Source("res-1", functools.partial(open, path, "rb"), fingerprint="f",
                           territory_code="35238", last_modified="2024-01-01")
    result = engine.consolidate(SCHEMA, [source], str(tmp_path / "work"),
                                options=engine.Options(key=DEDUP_KEY, **options))
    with open(result.output, encoding="utf-8", newline="") as handle:
        return result.report["sources"][0], list(csv.DictReader(handle))


def test_a_missing_optional_column_keeps_the_rows_with_an_empty_value(tmp_path):
    """Without the last column (optional), the file is partially valid and its rows kept."""
    text = "\n".join(line.rsplit(",", 1)[0] for line in subventions_rows(2).splitlines())
    entry, rows = _run(tmp_path, text + "\n")
    assert (entry["verdict"], entry["kept"]) == ("partial", 2)
    assert entry["error_counts"] == {"missing-label:dispositifAide": 1}
    assert rows[0]["dispositifAide"] == ""


def test_an_extra_column_is_reported_and_dropped_from_the_output(tmp_path):
    """A column the schema does not have is an extra label; its values are not published."""
    text = "\n".join(line + ",extra" for line in subventions_rows(2).splitlines())
    entry, rows = _run(tmp_path, text + "\n")
    assert entry["error_counts"] == {"extra-label:": 1}
    assert entry["kept"] == 2
    assert "extra" not in rows[0]


def test_columns_in_another_order_make_the_file_invalid(tmp_path):
    """Swapped labels mean cells are not in their field's column: no row is kept."""
    lines = subventions_rows(2).splitlines()
    lines[0] = lines[0].replace("nomAttribuant,idAttribuant", "idAttribuant,nomAttribuant")
    entry, rows = _run(tmp_path, "\n".join(lines) + "\n")
    assert (entry["verdict"], entry["kept"], rows) == ("invalid", 0, [])


def test_an_unknown_delimiter_gives_an_invalid_file_not_a_crash(tmp_path):
    """A file separated by colons reads as one column: invalid, reported, nothing kept."""
    entry, rows = _run(tmp_path, subventions_rows(2).replace(",", ":"))
    assert entry["verdict"] == "invalid"
    assert "missing-label:idAttribuant" in entry["error_counts"]
    assert rows == []


def test_french_dates_are_normalised_to_iso(tmp_path):
    """A ``dd/mm/yyyy`` date in a default-format date field is published as ``yyyy-mm-dd``."""
    entry, rows = _run(tmp_path, subventions_rows(1).replace("2024-03-01", "01/03/2024"))
    assert entry["verdict"] == "valid"
    assert entry["normalised"] == 1
    assert rows[0]["dateConvention"] == "2024-03-01"


def test_normalisation_can_be_turned_off_for_strict_verdicts(tmp_path):
    """Without normalisation, a decimal comma is a type error, as frictionless says."""
    entry, _rows = _run(tmp_path, subventions_rows(1, montant="12,5", delimiter=";"),
                        normalise=False)
    assert entry["error_counts"] == {"type-error:montant": 1}


def test_an_empty_file_is_invalid(tmp_path):
    """A file without even a header is invalid (blank header), with no row."""
    entry, rows = _run(tmp_path, "")
    assert (entry["verdict"], entry["rows_in"], rows) == ("invalid", 0, [])
