"""Documents built from a real SCDL table (subventions of Antibes) laid out for print:
a title, grouped two-row headers, merged cells, formulas, a totals row and notes."""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

SOURCE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "scdl", "subventions",
                      "exemple_valide.csv")
TITLE = "Subventions attribuées par la ville d'Antibes"
NOTES = ["Source : ville d'Antibes, délibérations du conseil municipal.",
         "Montants en euros ; taux de subvention en part du budget."]
# Groups of the first header row: a name over consecutive source columns.
GROUPS = [("Attribuant", 0, 1), ("Convention", 2, 3), ("Bénéficiaire", 4, 6)]
_MONTANT, _DATE, _TAUX = 8, 2, 14


def source() -> tuple[list[str], list[list[str]]]:
    """The source CSV's header and rows, blanks around cells removed."""
    with open(SOURCE, encoding="utf-8", newline="") as fh:
        rows = [[cell.strip() for cell in row] for row in csv.reader(fh)]
    return rows[0], rows[1:]


def expected_header() -> list[str]:
    """The one header row the extractor should give: group – column."""
    header, _rows = source()
    names = list(header)
    for group, first, last in GROUPS:
        for col in range(first, last + 1):
            names[col] = "{} – {}".format(group, header[col])
    return names


def score(header: list[str], rows: list[list[str]]) -> float:
    """Share of cells (header included) equal to the expected ones, position by position."""
    want = [expected_header()] + source()[1]
    got = [header] + rows
    total = sum(len(row) for row in want)
    right = sum(1 for i, row in enumerate(want) for j, cell in enumerate(row)
                if i < len(got) and j < len(got[i]) and got[i][j] == cell)
    return right / total


def _typed(col: int, value: str) -> Any:
    if not value:
        return None
    if col in (_MONTANT, _TAUX):
        return float(value)
    if col == _DATE and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.strptime(value, "%Y-%m-%d")
    return value


def write_xlsx(path: str, sheets: int = 1) -> None:
    """The table on each of ``sheets`` sheets, 3 rows below a merged title, the montant
    column as formulas with their computed values, nomAttribuant merged down the rows,
    a totals row and two notes; a chart-less second sheet holds the same table."""
    header, rows = source()
    workbook = openpyxl.Workbook()
    for index in range(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = "Subventions {}".format(2017 + index)
        width = len(header)
        sheet.cell(1, 1, TITLE)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        top = 3
        grouped = {col for _g, first, last in GROUPS for col in range(first, last + 1)}
        for group, first, last in GROUPS:
            sheet.cell(top, first + 1, group)
            sheet.merge_cells(start_row=top, start_column=first + 1, end_row=top,
                              end_column=last + 1)
        for col, name in enumerate(header):
            if col in grouped:
                sheet.cell(top + 1, col + 1, name)
            else:
                sheet.cell(top, col + 1, name)
                sheet.merge_cells(start_row=top, start_column=col + 1, end_row=top + 1,
                                  end_column=col + 1)
        first_data = top + 2
        for offset, row in enumerate(rows):
            for col, value in enumerate(row):
                if col == 0 and offset > 0:
                    continue  # merged down from the first data row
                if col == _MONTANT:
                    sheet.cell(first_data + offset, col + 1, "=ROUND({},2)".format(value))
                else:
                    sheet.cell(first_data + offset, col + 1, _typed(col, value))
        last_data = first_data + len(rows) - 1
        sheet.merge_cells(start_row=first_data, start_column=1, end_row=last_data,
                          end_column=1)
        sheet.cell(last_data + 1, 1, "Total")
        sheet.cell(last_data + 1, _MONTANT + 1,
                   "=SUM(I{}:I{})".format(first_data, last_data))
        for offset, note in enumerate(NOTES):
            sheet.cell(last_data + 3 + offset, 1, note)
    workbook.save(path)
    _cache_formulas(path, rows)


def _cache_formulas(path: str, rows: list[list[str]]) -> None:
    """Write the values a spreadsheet program would have cached next to each formula
    (openpyxl writes formulas only)."""
    total = sum(float(row[_MONTANT]) for row in rows)

    def cached(match: re.Match) -> str:
        formula = match.group(1)
        found = re.fullmatch(r"ROUND\(([\d.]+),2\)", formula)
        value = found.group(1) if found else repr(round(total, 2))
        return "<f>{}</f><v>{}</v>".format(formula, value)

    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            text = parts[name].decode("utf-8")
            parts[name] = re.sub(r"<f>([^<]*)</f>(?:<v\s*/>|<v></v>)?", cached,
                                 text).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def write_xls(path: str, sheets: int = 1) -> None:
    """The print layout of write_xlsx as an Excel 97-2003 file (xlwt): merged title and
    group headers, nomAttribuant merged down, dates as dates, amounts as numbers, a
    totals row and two notes."""
    import xlwt

    header, rows = source()
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for index in range(sheets):
        sheet = book.add_sheet("Subventions {}".format(2017 + index))
        width = len(header)
        sheet.write_merge(0, 0, 0, width - 1, TITLE)
        top = 2
        grouped = {col for _g, first, last in GROUPS for col in range(first, last + 1)}
        for group, first, last in GROUPS:
            sheet.write_merge(top, top, first, last, group)
        for col, name in enumerate(header):
            if col in grouped:
                sheet.write(top + 1, col, name)
            else:
                sheet.write_merge(top, top + 1, col, col, name)
        first_data = top + 2
        sheet.write_merge(first_data, first_data + len(rows) - 1, 0, 0, rows[0][0])
        for offset, row in enumerate(rows):
            for col, value in enumerate(row[1:], 1):
                typed = _typed(col, value)
                if isinstance(typed, dt.datetime):
                    sheet.write(first_data + offset, col, typed, dates)
                elif typed is not None:
                    sheet.write(first_data + offset, col, typed)
        last_data = first_data + len(rows) - 1
        sheet.write(last_data + 1, 0, "Total")
        sheet.write(last_data + 1, _MONTANT, sum(float(row[_MONTANT]) for row in rows))
        for offset, note in enumerate(NOTES):
            sheet.write(last_data + 3 + offset, 0, note)
    book.save(path)


# --- ODS, written by hand: spans, covered cells and repeated rows as LibreOffice writes them


_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods_cell(value: Any, cols: int = 1, rows: int = 1) -> str:
    span = ""
    if cols > 1:
        span += ' table:number-columns-spanned="{}"'.format(cols)
    if rows > 1:
        span += ' table:number-rows-spanned="{}"'.format(rows)
    if value is None or value == "":
        return "<table:table-cell{}/>".format(span)
    if isinstance(value, float):
        kind = 'office:value-type="float" office:value="{}"'.format(value)
        shown = str(value)
    elif isinstance(value, dt.datetime):
        kind = 'office:value-type="date" office:date-value="{}"'.format(value.date().isoformat())
        shown = value.strftime("%d/%m/%Y")
    else:
        kind, shown = 'office:value-type="string"', value
    return '<table:table-cell {}{}><text:p>{}</text:p></table:table-cell>'.format(
        kind, span, escape(shown))


_COVERED = "<table:covered-table-cell/>"


def write_ods(path: str, blank_rows: int = 0) -> None:
    """The same print layout as write_xlsx in an ODS file; ``blank_rows`` formatted empty
    rows follow the notes (one XML row repeated)."""
    header, rows = source()
    width = len(header)
    grouped = {col: (g, first, last) for g, first, last in GROUPS
               for col in range(first, last + 1)}
    xml = ['<table:table table:name="Subventions">',
           "<table:table-row>{}{}</table:table-row>".format(
               _ods_cell(TITLE, cols=width), _COVERED * (width - 1)),
           "<table:table-row><table:table-cell/></table:table-row>"]
    top, under = [], []
    for col, name in enumerate(header):
        if col in grouped:
            group, first, last = grouped[col]
            top.append(_ods_cell(group, cols=last - first + 1) if col == first else _COVERED)
            under.append(_ods_cell(name))
        else:
            top.append(_ods_cell(name, rows=2))
            under.append(_COVERED)
    xml.append("<table:table-row>{}</table:table-row>".format("".join(top)))
    xml.append("<table:table-row>{}</table:table-row>".format("".join(under)))
    for offset, row in enumerate(rows):
        cells = []
        for col, value in enumerate(row):
            if col == 0:
                cells.append(_ods_cell(value, rows=len(rows)) if offset == 0 else _COVERED)
            else:
                cells.append(_ods_cell(_typed(col, value)))
        xml.append("<table:table-row>{}</table:table-row>".format("".join(cells)))
    xml.append("<table:table-row>{}{}{}</table:table-row>".format(
        _ods_cell("Total général"), "<table:table-cell/>" * (_MONTANT - 1),
        _ods_cell(sum(float(r[_MONTANT]) for r in rows))))
    xml.append("<table:table-row><table:table-cell/></table:table-row>")
    for note in NOTES:
        xml.append("<table:table-row>{}</table:table-row>".format(_ods_cell(note)))
    if blank_rows:
        xml.append('<table:table-row table:number-rows-repeated="{}" table:style-name="ro1">'
                   '<table:table-cell table:number-columns-repeated="1024" '
                   'table:style-name="ce1"/></table:table-row>'.format(blank_rows))
    xml.append("</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content {} '
               'office:version="1.2"><office:body><office:spreadsheet>{}'
               '</office:spreadsheet></office:body></office:document-content>').format(
                   _NS, "".join(xml))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
                         ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
                         ' manifest:media-type="application/vnd.oasis.opendocument.'
                         'spreadsheet"/></manifest:manifest>')


def write_long_ods(path: str, count: int) -> None:
    """A sheet of the source header and ``count`` source rows, each its own XML row."""
    header, rows = source()

    def row(values: list[str]) -> str:
        return "<table:table-row>{}</table:table-row>".format(
            "".join(_ods_cell(value) for value in values))

    table = "".join([row(header)] + [row(rows[i % len(rows)]) for i in range(count)])
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content {} '
               'office:version="1.2"><office:body><office:spreadsheet>'
               '<table:table table:name="Long">{}</table:table></office:spreadsheet>'
               '</office:body></office:document-content>').format(_NS, table)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)


def write_odt(path: str) -> None:
    """The table of write_ods in an OpenDocument text: the same table element, in a text
    body instead of a spreadsheet's."""
    write_ods(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    parts["content.xml"] = parts["content.xml"].replace(
        b"office:spreadsheet>", b"office:text>")
    parts["mimetype"] = b"application/vnd.oasis.opendocument.text"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_cell(value: Any, span: int = 1, merge: str = "") -> str:
    props = ""
    if span > 1:
        props += '<w:gridSpan w:val="{}"/>'.format(span)
    if merge:
        props += '<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>"
    text = "" if value in (None, "") else "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t>" \
        "</w:r></w:p>".format(escape(str(value)))
    return "<w:tc><w:tcPr>{}</w:tcPr>{}</w:tc>".format(props, text or "<w:p/>")


def _docx_paragraph(text: str) -> str:
    return "<w:p><w:r><w:t>{}</w:t></w:r></w:p>".format(escape(text))


def write_docx(path: str) -> None:
    """The print layout in a Word document: a title paragraph, the table with a grouped
    header (gridSpan), single-row columns merged down the header rows and nomAttribuant
    down the data rows (vMerge), a totals row, and a note paragraph after it."""
    header, rows = source()
    grouped = {col: (g, first, last) for g, first, last in GROUPS
               for col in range(first, last + 1)}
    top, under = [], []
    for col, name in enumerate(header):
        if col in grouped:
            group, first, last = grouped[col]
            if col == first:
                top.append(_docx_cell(group, span=last - first + 1))
            under.append(_docx_cell(name))
        else:
            top.append(_docx_cell(name, merge="restart"))
            under.append(_docx_cell("", merge="continue"))
    body = [_docx_paragraph(TITLE), "<w:tbl>",
            "<w:tr>{}</w:tr>".format("".join(top)), "<w:tr>{}</w:tr>".format("".join(under))]
    for offset, row in enumerate(rows):
        cells = [_docx_cell(row[0] if offset == 0 else "",
                            merge="restart" if offset == 0 else "continue")]
        cells += [_docx_cell(value) for value in row[1:]]
        body.append("<w:tr>{}</w:tr>".format("".join(cells)))
    total = sum(float(row[_MONTANT]) for row in rows)
    body.append("<w:tr>{}</w:tr>".format("".join(
        _docx_cell("Total" if col == 0 else "{:.2f}".format(total) if col == _MONTANT else "")
        for col in range(len(header)))))
    body += ["</w:tbl>", _docx_paragraph(NOTES[0])]
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="{}"><w:body>{}</w:body></w:document>').format(
                    _W_NS, "".join(body))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
            '+xml"/></Types>'))
        archive.writestr("word/document.xml", document)


def add_blank_rows(path: str, count: int) -> None:
    """Append ``count`` empty formatted rows to the first sheet, as Excel writes them."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    name = "xl/worksheets/sheet1.xml"
    text = parts[name].decode("utf-8")
    blank = "".join('<row r="{}" s="1" customFormat="1"/>'.format(n)
                    for n in range(100, 100 + count))
    parts[name] = text.replace("</sheetData>", blank + "</sheetData>").encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


# --- PDF, written with fpdf2: the table as a producer prints it, French numbers and dates

# nomBeneficiaire, dateConvention, objet, montant, nature, conditionsVersement
PDF_COLUMNS = [4, 2, 7, 8, 9, 10]


def french_number(value: str) -> str:
    """"99786.57" → "99 786,57", as a French document prints it."""
    whole, _, decimals = value.partition(".")
    return "{:,}".format(int(whole)).replace(",", " ") + ("," + decimals if decimals else "")


def french_date(value: str) -> str:
    year, month, day = value.split("-")
    return "{}/{}/{}".format(day, month, year)


def pdf_table(copies: int = 1) -> list[list[str]]:
    """Header and rows the PDF shows (and the extractor should give): French numbers and
    dates; runs of spaces are one space on a printed page."""
    header, rows = source()
    shown = [[header[c] for c in PDF_COLUMNS]]
    for row in rows * copies:
        cells = []
        for col in PDF_COLUMNS:
            value = row[col]
            if col == _MONTANT:
                value = french_number(value)
            elif col == _DATE:
                value = french_date(value)
            cells.append(" ".join(value.split()))
        shown.append(cells)
    return shown


def pdf_score(header: list[str], rows: list[list[str]], copies: int = 1) -> float:
    want = pdf_table(copies)
    got = [header] + rows
    total = sum(len(row) for row in want)
    right = sum(1 for i, row in enumerate(want) for j, cell in enumerate(row)
                if i < len(got) and j < len(got[i]) and got[i][j] == cell)
    return right / total


def write_pdf(path: str, ruled: bool = True, copies: int = 1, password: str = "",
              repeat_header: bool = True) -> None:
    """The table under a title, in landscape, over as many pages as it takes (fpdf2 repeats
    the header on each, unless told not to); with ruling lines or none; a footnote after it."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L")
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    widths = (105, 22, 30, 22, 55, 43) if not ruled else (90, 30, 30, 30, 50, 47)
    with pdf.table(borders_layout="ALL" if ruled else "NONE", col_widths=widths,
                   text_align="LEFT", line_height=6,
                   repeat_headings=1 if repeat_header else 0) as table:
        for values in pdf_table(copies):
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.ln(4)
    pdf.cell(0, 6, NOTES[0])
    pdf.output(path)


def write_scanned_pdf(path: str) -> None:
    """A page holding only a picture of a table, as a scanner makes it: no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(picture)
    for y in range(20, 300, 40):
        draw.line([(20, y), (580, y)], fill="black", width=2)
        draw.rectangle([(30, y + 8), (200, y + 20)], fill="gray")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=190)
    pdf.output(path)
