"""Malformed CSV input ends in a ScanError with a clear message, never a crash."""
from __future__ import annotations

import io
import os

import pytest

from ckanext.opendata_governance.scan import ScanError, ScanLimits, scan_stream


def _scan(data: bytes, **kw):
    return scan_stream(io.BytesIO(data), name="upload.csv", **kw)


def test_empty_file_is_an_error():
    """An empty file is refused as empty."""
    with pytest.raises(ScanError, match="empty"):
        _scan(b"")


def test_empty_file_error_is_translatable():
    """The error keeps its template and parameters: str() is English, translated() French."""
    french = {"The file is empty.": "Le fichier est vide."}
    with pytest.raises(ScanError) as raised:
        _scan(b"")
    error = raised.value
    assert error.template == "The file is empty."
    assert error.params == {}
    assert str(error) == "The file is empty."
    assert error.translated(lambda message: french.get(message, message)) == "Le fichier est vide."


def test_blank_file_is_an_error():
    """A file of blank lines is refused as empty."""
    with pytest.raises(ScanError, match="empty"):
        _scan(b"\n\n  \n")


def test_binary_garbage_is_an_error():
    """Random bytes are refused as binary data."""
    with pytest.raises(ScanError, match="binary"):
        _scan(os.urandom(200_000))


def test_nul_bytes_after_the_prefix_are_an_error():
    """NUL bytes appearing late in the file are refused as binary data."""
    data = b"id;valeur\n" + b"1;abc\n" * 30000 + b"2;\x00\x00\x00\n"
    with pytest.raises(ScanError, match="binary"):
        _scan(data)


def test_a_10_mb_line_is_an_error():
    """A line of 10 MB is refused as longer than the line limit."""
    data = b"id;texte\n1;" + b"a" * (10 * 1024 * 1024) + b"\n"
    with pytest.raises(ScanError, match="longer than"):
        _scan(data)


def test_long_line_limit_is_configurable():
    """The line limit comes from ScanLimits.max_line_bytes."""
    data = b"id;texte\n1;" + b"a" * 5000 + b"\n2;b\n"
    with pytest.raises(ScanError, match="longer than 1000 bytes"):
        _scan(data, limits=ScanLimits(max_line_bytes=1000))


def test_ragged_rows_are_tolerated():
    """Rows with too few or too many cells are scanned, not refused."""
    data = "nom_usager;courriel\nDupont\nMartin;lea.martin@example.fr;en trop;encore\n".encode()
    report = _scan(data)
    assert report["rows"] == 2 and [f["kind"] for f in report["findings"]] == [
        "email", "name_column"]


def test_latin1_file_declared_nowhere_is_read():
    """A Latin-1 file with accented text is decoded, not refused."""
    data = "commune;libellé\nRennes;Équipement sportif\n".encode("latin-1")
    assert _scan(data)["encoding"] in ("cp1252", "latin-1")


def test_utf8_file_with_late_latin1_bytes_is_read():
    """A UTF-8 file with CP1252 bytes after the prefix is scanned and marked mixed."""
    data = b"id;texte\n" + b"1;abc\n" * 20000 + "2;réunion\n".encode("cp1252")
    report = _scan(data)
    assert report["encoding"] == "utf-8+cp1252" and report["rows"] == 20001


def test_header_only_file_has_no_rows():
    """A header without rows gives an empty report, not an error."""
    report = _scan(b"nom_commune;code_insee\n")
    assert report["rows"] == 0 and report["findings"] == []
