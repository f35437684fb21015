"""Quarantine copies: the file without its flagged columns, same delimiter and encoding."""
from __future__ import annotations

import io
import pathlib
import shutil

from ckanext.opendata_governance.scan import scan_path
from ckanext.opendata_governance.scan.quarantine import (
    flagged_columns, quarantine_path, write_quarantine)

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "scan"


def test_flagged_columns_are_dropped_and_others_kept(tmp_path):
    """The copy keeps every column but the flagged ones, rows unchanged."""
    source = tmp_path / "agents.csv"
    source.write_bytes("nom;prénom;commune;courriel\nDupont;Jeanne;Rennes;jeanne@example.fr\n"
                       "Martin;Léa;Bruz;lea@example.fr\n".encode("cp1252"))
    report = scan_path(str(source))
    result = quarantine_path(str(source), str(tmp_path / "out.csv"), report)
    assert result == {"rows": 2, "columns": ["commune"],
                      "dropped": ["nom", "prénom", "courriel"]}
    assert (tmp_path / "out.csv").read_bytes() == b"commune\r\nRennes\r\nBruz\r\n".replace(
        b"\r\n", b"\n")


def test_quarantine_keeps_delimiter_encoding_and_crlf():
    """A CP1252 semicolon file with CRLF line ends comes out the same way."""
    data = "libellé;courriel;montant\r\nSubvention été;a@example.fr;12\r\n".encode("cp1252")
    out = io.BytesIO()
    write_quarantine(io.BytesIO(data), out, [1])
    assert out.getvalue() == "libellé;montant\r\nSubvention été;12\r\n".encode("cp1252")


def test_real_file_without_findings_is_copied_whole(tmp_path):
    """A clean real SCDL file is copied with all its columns and rows."""
    source = tmp_path / "subventions.csv"
    shutil.copy(FIXTURES / "subventions_exemple_valide.csv", source)
    report = scan_path(str(source))
    result = quarantine_path(str(source), str(tmp_path / "out.csv"), report)
    assert result["rows"] == 29 and result["dropped"] == [] and len(result["columns"]) == 16


def test_low_confidence_findings_are_kept_unless_asked():
    """Columns with only low-confidence findings stay unless min_confidence is low."""
    report = {"findings": [{"column_index": 2, "confidence": "low"},
                           {"column_index": 0, "confidence": "high"}]}
    assert flagged_columns(report) == [0]
    assert flagged_columns(report, "low") == [0, 2]
