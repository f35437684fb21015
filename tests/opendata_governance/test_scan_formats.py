"""The XLSX, ODS and JSON readers yield text rows from valid files and refuse malformed or hostile ones."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pathlib
import struct
import time
import zipfile

import openpyxl
import pytest

from ckanext.opendata_governance.scan import ScanError, ScanLimits
from ckanext.opendata_governance.scan.formats import read_ods, read_xlsx
from ckanext.opendata_governance.scan.jsonread import read_json

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "scan_formats"
PRENOMS = FIXTURES / "prenoms-nouveaux-nes_exemple-valide.csv"


def _prenoms() -> list[list[str]]:
    with PRENOMS.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _xlsx(path: pathlib.Path, with_types: bool = True) -> pathlib.Path:
    """Write the prénoms table as a workbook, counts and years as numbers, plus typed columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "prenoms"
    header, *rows = _prenoms()
    sheet.append([])  # a blank line above the header, as producers often leave
    sheet.append(header + (["DATE_EXTRACTION", "PART", "HORODATAGE", "VALIDE"]
                           if with_types else []))
    for row in rows:
        values: list = row[:4] + [int(row[4]), int(row[5])]
        if with_types:
            values += [dt.date(2017, 1, 31), 0.1 + 0.2, dt.datetime(2017, 1, 31, 10, 30), True]
        sheet.append(values)
    other = book.create_sheet("notes")
    other.append(["not", "read"])
    book.save(path)
    return path


def _rewrite(path: pathlib.Path, target: pathlib.Path, replace: dict[str, bytes]) -> pathlib.Path:
    """Copy a zip, replacing the named parts."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return target


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods(path: pathlib.Path, body: str, mimetype: str = "application/vnd.oasis."
         "opendocument.spreadsheet", prologue: str = "") -> pathlib.Path:
    """Write an ODS container whose first table body is given as content.xml rows."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prologue}'
               f'<office:document-content {_ODS_NS} office:version="1.3"><office:body>'
               f'<office:spreadsheet>{body}</office:spreadsheet></office:body>'
               f'</office:document-content>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


def _cell(value: str, kind: str = "string", attrs: str = "") -> str:
    if kind == "string":
        return f"<table:table-cell office:value-type=\"string\" {attrs}><text:p>{value}</text:p></table:table-cell>"
    if kind == "date":
        return (f'<table:table-cell office:value-type="date" office:date-value="{value}" {attrs}>'
                f"<text:p>31/01/2017</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="{kind}" office:value="{value}" {attrs}>'
            f"<text:p>{value}</text:p></table:table-cell>")


def _ods_prenoms() -> str:
    header, *rows = _prenoms()
    xml = ['<table:table table:name="prenoms">',
           '<table:table-row table:number-rows-repeated="2"><table:table-cell '
           'table:number-columns-repeated="1024"/></table:table-row>']
    xml.append("<table:table-row>" + "".join(_cell(h) for h in header)
               + _cell("DATE_EXTRACTION") + _cell("PART")
               + '<table:table-cell table:number-columns-repeated="1016"/></table:table-row>')
    for row in rows:
        xml.append("<table:table-row>" + "".join(_cell(v) for v in row[:4])
                   + _cell(row[4], "float") + _cell(row[5], "float")
                   + _cell("2017-01-31T00:00:00", "date") + _cell("0.30000000000000004", "float")
                   + '<table:table-cell table:number-columns-repeated="1016"/></table:table-row>')
    # LibreOffice pads a sheet to its last row with one huge repeated blank row.
    xml.append('<table:table-row table:number-rows-repeated="1048000">'
               '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    xml.append("</table:table>")
    xml.append('<table:table table:name="notes"><table:table-row>' + _cell("not read")
               + "</table:table-row></table:table>")
    return "".join(xml)


# --- XLSX ----------------------------------------------------------------------------


def test_xlsx_reads_header_and_rows_of_the_first_sheet(tmp_path):
    """The first non-empty row of the first sheet is the header and every data row follows."""
    header, rows = read_xlsx(str(_xlsx(tmp_path / "prenoms.xlsx", with_types=False)))
    rows = list(rows)
    assert [header] + rows == _prenoms()


def test_xlsx_renders_dates_numbers_and_booleans_as_text(tmp_path):
    """Dates come out ISO, integers without '.0', floats without binary noise, booleans as words."""
    header, rows = read_xlsx(str(_xlsx(tmp_path / "prenoms.xlsx")))
    first = next(rows)
    assert header[-4:] == ["DATE_EXTRACTION", "PART", "HORODATAGE", "VALIDE"]
    assert first == ["Rennes", "35238", "M", "Adam", "353", "2016",
                     "2017-01-31", "0.3", "2017-01-31T10:30:00", "true"]


def test_xlsx_truncated_is_a_scan_error(tmp_path):
    """A workbook cut short (an interrupted upload) is refused with a clear message."""
    data = _xlsx(tmp_path / "full.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanError, match="damaged or truncated"):
        read_xlsx(str(cut))


def test_xlsx_with_a_highly_compressed_part_is_refused_as_a_zip_bomb(tmp_path):
    """A sheet part that would expand a thousand times is refused before any XML is parsed."""
    bomb = tmp_path / "bomb.xlsx"
    source = _xlsx(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w") as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(40):
                part.write(chunk)
    started = time.monotonic()
    with pytest.raises(ScanError, match="zip bomb"):
        read_xlsx(str(bomb))
    assert time.monotonic() - started < 1


def test_xlsx_declaring_a_huge_uncompressed_size_is_refused(tmp_path):
    """A central directory claiming gigabytes of content is refused from the sizes alone."""
    data = bytearray(_xlsx(tmp_path / "ok.xlsx").read_bytes())
    entry = data.index(b"PK\x01\x02")  # first central directory record
    struct.pack_into("<I", data, entry + 24, 0xFFFFFF00)  # its uncompressed size
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(bytes(data))
    with pytest.raises(ScanError, match="zip bomb|would expand"):
        read_xlsx(str(forged))


def test_xlsx_with_an_external_entity_is_refused(tmp_path):
    """A sheet declaring a DTD with an external entity is refused and the file it names is not read."""
    source = _xlsx(tmp_path / "ok.xlsx", with_types=False)
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    hostile = sheet.replace(
        "<worksheet", '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet', 1)
    hostile = hostile.replace("<v>353</v>", "<v>&xxe;</v>", 1)
    xxe = _rewrite(source, tmp_path / "xxe.xlsx", {"xl/worksheets/sheet1.xml": hostile.encode()})
    with pytest.raises(ScanError, match="DTD") as refused:
        read_xlsx(str(xxe))
    assert "root:" not in str(refused.value)


def test_xlsx_with_entity_expansion_in_the_styles_part_is_refused(tmp_path):
    """A 'billion laughs' entity declaration in a part other than the sheet is refused too."""
    source = _xlsx(tmp_path / "ok.xlsx", with_types=False)
    with zipfile.ZipFile(source) as archive:
        styles = archive.read("xl/styles.xml").decode()
    laughs = styles.replace(
        "<styleSheet", '<!DOCTYPE styleSheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<styleSheet", 1)
    assert laughs != styles
    hostile = _rewrite(source, tmp_path / "laughs.xlsx", {"xl/styles.xml": laughs.encode()})
    with pytest.raises(ScanError, match="DTD"):
        read_xlsx(str(hostile))


def test_xlsx_sheet_part_with_a_non_xml_name_is_still_checked_for_a_dtd(tmp_path):
    """A hostile sheet stored as "sheet1.bin" and pointed to by the relationships is refused too."""
    source = _xlsx(tmp_path / "ok.xlsx", with_types=False)
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    hostile = sheet.replace(
        "<worksheet", '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet', 1)
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(renamed, "w") as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                dst.writestr("xl/worksheets/sheet1.bin", hostile)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                dst.writestr(info.filename, rels.replace("sheet1.xml", "sheet1.bin"))
            else:
                dst.writestr(info.filename, src.read(info.filename))
    with pytest.raises(ScanError, match="DTD"):
        read_xlsx(str(renamed))


def test_xlsx_with_a_binary_part_is_read(tmp_path):
    """An embedded image (a part that is not XML) does not stop the workbook from being read."""
    source = _xlsx(tmp_path / "ok.xlsx", with_types=False)
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    header, rows = read_xlsx(str(source))
    assert len(list(rows)) == 16


def test_old_binary_xls_is_a_scan_error_naming_the_format(tmp_path):
    """An OLE2 file (.xls or a password-protected workbook) gets a message saying what to do."""
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(ScanError, match=r"\.xls"):
        read_xlsx(str(xls))


def test_xlsx_of_binary_garbage_is_a_scan_error(tmp_path):
    """Random bytes named .xlsx are refused, not crashed on."""
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ScanError):
        read_xlsx(str(garbage))


def test_zip_without_a_workbook_is_a_scan_error(tmp_path):
    """A valid zip that holds no workbook is refused as not a workbook."""
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ScanError, match="workbook"):
        read_xlsx(str(other))


def test_xlsx_with_a_forged_dimension_does_not_pad_rows(tmp_path):
    """A sheet claiming the whole grid as its dimension still yields its real, narrow rows."""
    source = _xlsx(tmp_path / "ok.xlsx", with_types=False)
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="' in sheet
    start = sheet.index('<dimension ref="') + len('<dimension ref="')
    forged = sheet[:start] + "A1:XFD1048576" + sheet[sheet.index('"', start):]
    wide = _rewrite(source, tmp_path / "wide.xlsx", {"xl/worksheets/sheet1.xml": forged.encode()})
    header, rows = read_xlsx(str(wide))
    assert len(header) == 6
    assert all(len(row) == 6 for row in rows)


# --- ODS -----------------------------------------------------------------------------


def test_ods_reads_header_and_rows_of_the_first_table(tmp_path):
    """The first non-empty row of the first table is the header; blank padding rows and cells vanish."""
    header, rows = read_ods(str(_ods(tmp_path / "prenoms.ods", _ods_prenoms())))
    rows = list(rows)
    expected_header, *expected = _prenoms()
    assert header == expected_header + ["DATE_EXTRACTION", "PART"]
    assert [row[:6] for row in rows] == expected


def test_ods_renders_dates_and_numbers_as_text(tmp_path):
    """Date cells come out ISO and float cells without binary noise."""
    _, rows = read_ods(str(_ods(tmp_path / "prenoms.ods", _ods_prenoms())))
    assert next(rows)[4:] == ["353", "2016", "2017-01-31", "0.3"]


def test_ods_expands_repeated_cells_and_encoded_spaces(tmp_path):
    """Repeated non-blank cells are expanded and text:s spaces are restored."""
    body = ('<table:table><table:table-row>' + _cell("a") + _cell("b") + _cell("c")
            + '</table:table-row><table:table-row>'
            + '<table:table-cell office:value-type="string"><text:p>Jean<text:s/>'
              'Dupont<text:s text:c="2"/>fils</text:p></table:table-cell>'
            + _cell("7", "float", 'table:number-columns-repeated="2"')
            + "</table:table-row></table:table>")
    header, rows = read_ods(str(_ods(tmp_path / "t.ods", body)))
    assert header == ["a", "b", "c"]
    assert list(rows) == [["Jean Dupont  fils", "7", "7"]]


def test_ods_amplifying_attributes_are_capped(tmp_path):
    """A billion encoded spaces or a row repeated a billion times cannot blow memory up."""
    body = ('<table:table><table:table-row>' + _cell("note") + "</table:table-row>"
            '<table:table-row table:number-rows-repeated="1000000000">'
            '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="1000000000"/>b'
            "</text:p></table:table-cell></table:table-row></table:table>")
    header, rows = read_ods(str(_ods(tmp_path / "amplified.ods", body)))
    read = list(rows)
    assert len(read) == 65536
    assert read[0] == ["a" + " " * 1000 + "b"]


def test_ods_truncated_is_a_scan_error(tmp_path):
    """A spreadsheet cut short is refused with a clear message."""
    data = _ods(tmp_path / "full.ods", _ods_prenoms()).read_bytes()
    cut = tmp_path / "cut.ods"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanError, match="damaged or truncated"):
        read_ods(str(cut))


def test_ods_with_invalid_xml_is_a_scan_error(tmp_path):
    """A content.xml that is not well-formed is refused, naming the part."""
    broken = _ods(tmp_path / "broken.ods", "<table:table><table:table-row>")
    with pytest.raises(ScanError, match="content.xml"):
        header, rows = read_ods(str(broken))
        list(rows)


def test_ods_with_a_dtd_is_refused(tmp_path):
    """A content.xml declaring entities is refused before it is parsed."""
    hostile = _ods(tmp_path / "xxe.ods", "<table:table/>",
                   prologue='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(ScanError, match="DTD"):
        read_ods(str(hostile))


def test_opendocument_text_is_not_taken_for_a_spreadsheet(tmp_path):
    """An ODT renamed .ods is refused as not a spreadsheet."""
    odt = _ods(tmp_path / "letter.ods", "", mimetype="application/vnd.oasis.opendocument.text")
    with pytest.raises(ScanError, match="not a spreadsheet"):
        read_ods(str(odt))


def test_empty_ods_is_a_scan_error(tmp_path):
    """A spreadsheet with only blank rows has no header and says so."""
    empty = _ods(tmp_path / "empty.ods", '<table:table><table:table-row table:number-rows-repeated'
                 '="1048576"><table:table-cell/></table:table-row></table:table>')
    with pytest.raises(ScanError, match="empty"):
        read_ods(str(empty))


# --- JSON ----------------------------------------------------------------------------


def _json_bytes(records: list) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def test_json_array_header_is_the_union_of_keys_in_order(tmp_path):
    """Keys missing from some records still make columns, in order of first appearance."""
    data = b'[{"nom": "Dupont", "age": 42}, {"nom": "Durand", "ville": "Rennes"}]'
    header, rows = read_json(io.BytesIO(data))
    assert header == ["nom", "age", "ville"]
    assert list(rows) == [["Dupont", "42", ""], ["Durand", "", "Rennes"]]


def test_json_values_are_rendered_as_text(tmp_path):
    """Decimals keep their digits, booleans and nulls become words and blanks, nested values JSON."""
    data = (b'[{"montant": 1234.50, "part": 0.1, "actif": false, "note": null,'
            b' "tags": ["a", "b"], "adresse": {"ville": "Rennes"}}]')
    _, rows = read_json(io.BytesIO(data))
    assert next(rows) == ["1234.50", "0.1", "false", "", '["a","b"]', '{"ville":"Rennes"}']


def test_json_with_a_byte_order_mark_is_read(tmp_path):
    """A UTF-8 BOM before the array does not stop the reader."""
    rows = [dict(zip(_prenoms()[0], r)) for r in _prenoms()[1:]]
    header, read = read_json(io.BytesIO(b"\xef\xbb\xbf" + _json_bytes(rows)))
    assert [header] + list(read) == _prenoms()


def test_json_object_at_top_level_is_a_scan_error():
    """A JSON object (not an array of records) is refused with an explanation."""
    with pytest.raises(ScanError, match="array of records"):
        read_json(io.BytesIO(b'{"records": [{"a": 1}]}'))


def test_json_array_of_scalars_is_a_scan_error():
    """An array whose elements are not objects is refused, naming the position."""
    with pytest.raises(ScanError, match="position 1"):
        read_json(io.BytesIO(b"[1, 2, 3]"))


def test_json_truncated_is_a_scan_error():
    """A JSON array cut in the middle of a record is refused as malformed or truncated."""
    with pytest.raises(ScanError, match="truncated"):
        header, rows = read_json(io.BytesIO(b'[{"a": 1}, {"a": 2}, {"a": '))
        list(rows)


def test_json_garbage_and_empty_input_are_scan_errors():
    """Binary garbage and an empty file are both refused."""
    with pytest.raises(ScanError):
        read_json(io.BytesIO(bytes(range(256))))
    with pytest.raises(ScanError, match="empty"):
        read_json(io.BytesIO(b"  \n"))


def test_json_stops_quietly_at_the_byte_limit():
    """Past limits.max_bytes the reader ends with the records read so far instead of failing."""
    data = _json_bytes([{"id": i, "nom": "x" * 50} for i in range(1000)])
    header, rows = read_json(io.BytesIO(data), ScanLimits(max_bytes=len(data) // 2))
    read = list(rows)
    assert header == ["id", "nom"]
    assert 400 < len(read) <= 500
    assert read[-1][0] == str(len(read) - 1)


def test_json_is_streamed_not_loaded_whole():
    """Getting the header reads only the first records, not the whole file."""
    stream = io.BytesIO(_json_bytes([{"id": i, "nom": "Dupont"} for i in range(20000)]))
    header, rows = read_json(stream)
    assert stream.tell() < len(stream.getvalue()) / 4
    assert sum(1 for _ in rows) == 20000
