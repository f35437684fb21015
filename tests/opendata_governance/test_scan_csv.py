"""Scanning CSV/TSV files: findings, masked samples, encodings, delimiters and limits."""
from __future__ import annotations

import csv
import io
import json
import pathlib

import pytest

from ckanext.opendata_governance.scan import ScanLimits, scan_path, scan_stream

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "scan"
SUBVENTIONS = FIXTURES / "subventions_exemple_valide.csv"
PLANTED = {
    "nir": "1 85 05 78 006 084 91",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "email": "jeanne.dupont@example.fr",
    "phone": "06 71 42 18 93",
    "card": "4111 1111 1111 1111",
    "ip": "192.168.12.34",
}


def _with_column(name: str, values: dict[int, str], delimiter: str = ",") -> bytes:
    """The real subventions example with one extra column holding ``values`` at given rows."""
    with open(SUBVENTIONS, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(rows[0] + [name])
    for i, row in enumerate(rows[1:]):
        writer.writerow(row + [values.get(i, "")])
    return out.getvalue().encode("utf-8")


def _kinds(report: dict) -> set[tuple[str, str]]:
    return {(f["column"], f["kind"]) for f in report["findings"]}


@pytest.mark.parametrize("path", sorted(p.name for p in FIXTURES.glob("*.csv")
                                        if not p.name.startswith("catalogue")))
def test_real_scdl_and_schema_examples_have_no_finding(path):
    """The real SCDL and schema example files (subsidies to legal entities, aggregated first names, places, markets) raise no finding."""
    report = scan_path(str(FIXTURES / path))
    assert report["findings"] == []


def test_catalogue_example_flags_only_the_named_agent_email():
    """In the real catalogue example only contact_personne (an agent's own address) is reported, not the service address."""
    report = scan_path(str(FIXTURES / "catalogue-etalab_exemple-valide.csv"))
    assert _kinds(report) == {("contact_personne", "email")}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_values_are_found_with_masked_samples_only(kind):
    """A planted value is found in its column and its raw form appears nowhere in the report."""
    value = PLANTED[kind]
    data = _with_column("observations", {3: f"Contact : {value}", 17: f"{value}"})
    report = scan_stream(io.BytesIO(data), name="planted.csv")
    finding = next(f for f in report["findings"] if f["kind"] == kind)
    assert (finding["column"], finding["count"], finding["by"]) == ("observations", 2, "value")
    dumped = json.dumps(report, ensure_ascii=False)
    assert value not in dumped and value.replace(" ", "") not in dumped


def test_column_named_and_filled_with_emails_is_high_confidence():
    """A 'courriel' column full of addresses is reported by name and value, high confidence."""
    data = _with_column("courriel", {i: f"agent{i}@mairie-exemple.fr" for i in range(29)})
    finding = scan_stream(io.BytesIO(data), name="x.csv")["findings"][0]
    assert (finding["by"], finding["confidence"], finding["count"]) == ("both", "high", 29)


def test_single_email_in_free_text_is_low_confidence():
    """One address in a long free-text column is still reported, with low confidence."""
    lines = ["id;commentaire"] + [f"{i};Dossier traité sans remarque" for i in range(2000)]
    lines[1000] = "999;Écrire à jeanne.dupont@example.fr"
    report = scan_stream(io.BytesIO("\n".join(lines).encode()), name="x.csv")
    assert [(f["kind"], f["count"], f["confidence"]) for f in report["findings"]] == [
        ("email", 1, "low")]


def test_bare_ten_digit_amounts_are_not_phones():
    """Ten-digit numbers in an amount column are not reported as phones."""
    lines = ["id;montant"] + [f"{i};06{i:08d}" for i in range(100)]
    report = scan_stream(io.BytesIO("\n".join(lines).encode()), name="x.csv")
    assert report["findings"] == []


def test_sirets_are_not_cards_or_phones():
    """A column of 14-digit SIRETs passing Luhn yields no finding."""
    report = scan_path(str(SUBVENTIONS))
    assert "52499120500013" in SUBVENTIONS.read_text() and report["findings"] == []


def test_nir_column_by_name_and_value():
    """A column named NIR holding valid numbers is flagged by both, high confidence."""
    data = "nom;nir\nDupont;185057800608491\nMartin;2 69 01 49 588 157 16\n".encode()
    findings = {f["kind"]: f for f in scan_stream(io.BytesIO(data), name="x.csv")["findings"]}
    assert findings["nir"]["by"] == "both" and findings["nir"]["confidence"] == "high"
    assert findings["name_column"]["column"] == "nom"


def test_birth_dates_are_confirmed_by_values():
    """A 'date de naissance' column of full dates is flagged by name and value, masked."""
    data = "nom;date_de_naissance\nDupont;1985-05-14\nMartin;14/05/1969\n".encode()
    finding = next(f for f in scan_stream(io.BytesIO(data), name="x.csv")["findings"]
                   if f["kind"] == "birth_date")
    assert finding["by"] == "both" and finding["samples"] == ["****-**-**", "**/**/****"]


def test_street_address_next_to_a_person_is_found():
    """A precise address in a table naming people is reported; the same in a places table is not."""
    people = "nom;domicile\nDupont;12 rue de la Paix\nMartin;3 bis avenue Janvier\n"
    places = "equipement;localisation\nGymnase;12 rue de la Paix\n"
    kinds = _kinds(scan_stream(io.BytesIO(people.encode()), name="x.csv"))
    assert ("domicile", "address") in kinds
    assert scan_stream(io.BytesIO(places.encode()), name="x.csv")["findings"] == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    """Comma, semicolon, tab and pipe files are split right."""
    data = _with_column("courriel", {0: PLANTED["email"]}, delimiter=delimiter)
    report = scan_stream(io.BytesIO(data), name="x.csv")
    assert report["delimiter"] == delimiter and len(report["columns"]) == 17
    assert report["rows"] == 29


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"),
])
def test_encoding_is_detected(encoding, expected):
    """UTF-8, UTF-8 with BOM and CP1252 files are decoded and their headers read."""
    data = "prénom;courriel\nLéa;léa.martin@example.fr\n".encode(encoding)
    report = scan_stream(io.BytesIO(data), name="x.csv")
    assert report["encoding"] == expected and report["columns"] == ["prénom", "courriel"]


def test_quoted_line_breaks_do_not_count_as_rows():
    """A line break inside a quoted field stays inside its row."""
    data = b'id,objet\n1,"ligne un\nligne deux"\n2,simple\n'
    assert scan_stream(io.BytesIO(data), name="x.csv")["rows"] == 2


def test_row_limit_truncates_and_says_what_was_read():
    """Past max_rows the report is truncated with the rows actually read."""
    data = "\n".join(["id;valeur"] + [f"{i};{i * 3}" for i in range(5000)]).encode()
    report = scan_stream(io.BytesIO(data), name="x.csv", limits=ScanLimits(max_rows=1000))
    assert (report["truncated"], report["truncated_by"], report["rows"]) == (True, "max_rows", 1000)


def test_byte_limit_truncates():
    """Past max_bytes reading stops and the report says so."""
    data = "\n".join(["id;valeur"] + [f"{i};{i * 3}" for i in range(50000)]).encode()
    report = scan_stream(io.BytesIO(data), name="x.csv",
                         limits=ScanLimits(max_bytes=100_000, max_line_bytes=4096))
    assert report["truncated"] and report["truncated_by"] == "max_bytes"
    assert report["bytes"] <= 100_000 and 0 < report["rows"] < 50000


def test_time_limit_truncates():
    """A tiny time budget stops after the first chunk with truncated set."""
    data = "\n".join(["id;valeur"] + [f"{i};{i * 3}" for i in range(300000)]).encode()
    report = scan_stream(io.BytesIO(data), name="x.csv",
                         limits=ScanLimits(max_seconds=1e-9, max_line_bytes=65536))
    assert report["truncated_by"] == "max_seconds" and report["rows"] < 300000


def test_report_has_the_shared_shape():
    """The report carries the keys the checks and the other readers rely on."""
    report = scan_path(str(SUBVENTIONS))
    assert {"format", "encoding", "delimiter", "bytes", "rows", "columns", "truncated",
            "elapsed", "findings"} <= set(report)
    assert report["format"] == "csv" and report["bytes"] == SUBVENTIONS.stat().st_size


def test_byte_limit_inside_the_first_block_keeps_whole_lines_only():
    """A byte limit smaller than the sniffing prefix still drops the cut-off line only."""
    data = "\n".join(["id;valeur"] + [f"{i};{i * 3}" for i in range(5000)]).encode()
    report = scan_stream(io.BytesIO(data), name="x.csv", limits=ScanLimits(max_bytes=1000))
    assert report["truncated"] and report["bytes"] <= 1000
    assert report["rows"] == data[:1000].count(b"\n") - 1


def test_xlsx_stream_is_spooled_and_scanned(tmp_path):
    """An XLSX upload given as a stream is spooled, read by the XLSX reader and scanned."""
    import openpyxl
    path = tmp_path / "agents.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["commune", "observations"])
    sheet.append(["Rennes", f"Contact : {PLANTED['email']}"])
    sheet.append(["Bruz", ""])
    book.save(path)
    with open(path, "rb") as stream:
        report = scan_stream(stream, name="upload")
    assert report["format"] == "xlsx" and report["rows"] == 2
    assert _kinds(report) == {("observations", "email")}
    assert PLANTED["email"] not in json.dumps(report)


def test_json_array_is_scanned():
    """A JSON array of objects is read by the JSON reader and scanned."""
    data = json.dumps([{"commune": "Rennes", "mail": PLANTED["email"]},
                       {"commune": "Bruz", "mail": "lea.martin@example.fr"}]).encode()
    report = scan_stream(io.BytesIO(data), name="records.json")
    assert report["format"] == "json" and _kinds(report) == {("mail", "email")}


def test_read_csv_yields_the_header_and_ragged_rows():
    """The cell-level reader gives the header, then rows as they are, short or long."""
    from ckanext.opendata_governance.scan.csvread import read_csv
    data = "nom;commune\nDupont\nMartin;Bruz;en trop\n".encode("cp1252")
    header, rows = read_csv(io.BytesIO(data), ScanLimits())
    assert header == ["nom", "commune"] and list(rows) == [["Dupont"], ["Martin", "Bruz", "en trop"]]
