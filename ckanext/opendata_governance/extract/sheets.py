"""Read every sheet of an XLSX, ODS or XLS workbook into Grids (values, merged ranges)."""
from __future__ import annotations

import warnings
import zipfile
import zlib
from typing import IO, Any, Iterator, Optional
from xml.etree import ElementTree
from xml.parsers import expat

import openpyxl
from openpyxl.utils.cell import range_boundaries

from ckanext.opendata_governance.scan import ScanError
from ckanext.opendata_governance.scan import formats as scan_formats

from . import N_, ExtractError, Grid
from .grid import Clock, Merge, build_grid
from .store import RowStore

__all__ = ["read_xlsx", "read_ods", "read_odt", "read_xls"]

# More merged ranges than this in one sheet is not a table laid out for print.
MAX_MERGES = 100_000


def _wanted(name: str, sheets: Optional[list[str]]) -> bool:
    return not sheets or name in sheets


# --- XLSX ----------------------------------------------------------------------------


def _xlsx_merges(archive: zipfile.ZipFile, part: str) -> list[Merge]:
    """The <mergeCell ref="A1:C1"/> of one worksheet part, read as a stream.

    openpyxl's read-only mode streams cell values but skips merged ranges;
    they sit after the cells, so one more streaming pass finds them.
    """
    merges: list[Merge] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def on_start(tag: str, attrs: dict[str, str]) -> None:
        if tag.endswith(" mergeCell") and "ref" in attrs:
            if len(merges) >= MAX_MERGES:
                raise ExtractError(N_("A sheet has more than {limit} merged ranges: "
                                      "nothing was extracted."), limit=MAX_MERGES)
            try:
                min_col, min_row, max_col, max_row = range_boundaries(attrs["ref"])
            except (ValueError, TypeError):
                return
            if None not in (min_col, min_row, max_col, max_row):
                merges.append((min_row, min_col, max_row, max_col))

    parser.StartElementHandler = on_start
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(65536)
            parser.Parse(chunk, not chunk)
            if not chunk:
                return merges


def read_xlsx(path: str, clock: Clock, sheets: Optional[list[str]] = None) -> Iterator[Grid]:
    """Every worksheet (or the named ones) of an XLSX file, streamed by openpyxl's read-only
    mode after the suite's zip checks (bombs, oversized parts, DTDs); formulas give the
    values the spreadsheet last computed."""
    archive = scan_formats._open_zip(path, "XLSX")
    # A stream, not the path: openpyxl refuses a path without an .xlsx extension (uploads).
    stream = open(path, "rb")
    try:
        scan_formats._check_xlsx_parts(archive)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles openpyxl ignores: noise here
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True,
                                              keep_links=False)
    except ScanError:
        archive.close()
        stream.close()
        raise
    except Exception as exc:  # openpyxl raises anything from KeyError to ParseError
        archive.close()
        stream.close()
        raise ExtractError(N_("The XLSX file cannot be opened as a workbook ({error})."),
                           error=type(exc).__name__)
    try:
        for sheet in workbook.worksheets:
            if not _wanted(sheet.title, sheets):
                continue
            # A forged <dimension> would make openpyxl pad every row to it.
            sheet.reset_dimensions()
            # The part's name is only kept on this attribute of the read-only sheet.
            merges = _xlsx_merges(archive, sheet._worksheet_path)
            rows = ((number, [scan_formats.render_value(v) for v in values])
                    for number, values in enumerate(sheet.iter_rows(values_only=True), 1))
            try:
                grid = build_grid(sheet.title, rows, merges, clock, kept=RowStore())
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError(N_("The sheet {sheet} of the XLSX file cannot be read "
                                      "to the end ({error})."),
                                   sheet=sheet.title, error=type(exc).__name__)
            yield grid
    finally:
        workbook.close()
        archive.close()
        stream.close()


# --- ODS -----------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# One XML row or cell repeated more often than this is amplification, not data.
_MAX_REPEAT = 65536


def _repeat(element: ElementTree.Element, name: str) -> int:
    try:
        return max(1, int(element.get(_TABLE + name, "1") or 1))
    except ValueError:
        return 1


def _ods_row(row: ElementTree.Element, number: int, merges: list[Merge],
             clock: Clock) -> list[str]:
    values: list[str] = []
    blanks = 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeat = _repeat(cell, "number-columns-repeated")
        value = scan_formats._ods_value(cell) if cell.tag == _TABLE + "table-cell" else ""
        cols = _repeat(cell, "number-columns-spanned")
        rows = _repeat(cell, "number-rows-spanned")
        if value and (cols > 1 or rows > 1):
            start = len(values) + blanks + 1
            merges.append((number, start, number + min(rows, _MAX_REPEAT) - 1,
                           start + min(cols, _MAX_REPEAT) - 1))
        if not value:
            # Rows end with ~1000 repeated blank cells: count them, don't build them.
            blanks += repeat
            continue
        scan_formats.file_limits.check_width(len(values) + blanks + repeat)
        values.extend([""] * blanks)
        blanks = 0
        values.extend([value] * min(repeat, _MAX_REPEAT))
    return values


def _ods_tables(content: IO[bytes], clock: Clock, sheets: Optional[list[str]]
                ) -> Iterator[Grid]:
    """One grid per table, its rows handed to the grid's store as they are parsed."""
    events = ElementTree.iterparse(content, events=("start", "end"))
    stack: list[ElementTree.Element] = []
    for event, element in events:
        if event == "end":
            stack.pop()
            continue
        stack.append(element)
        if element.tag != _TABLE + "table":
            continue
        name = element.get(_TABLE + "name", "")
        merges: list[Merge] = []
        rows = _ods_rows(events, stack, merges, clock, _wanted(name, sheets))
        if _wanted(name, sheets):
            # build_grid reads every row before it spreads the merges found meanwhile.
            yield build_grid(name, rows, merges, clock, kept=RowStore())
        else:
            for _row in rows:
                pass  # parse past the table


def _ods_rows(events: Iterator[tuple[str, Any]], stack: list[ElementTree.Element],
              merges: list[Merge], clock: Clock, wanted: bool
              ) -> Iterator[tuple[int, list[str]]]:
    """The numbered rows of the table whose start was just read, up to its end; its
    merged ranges added to ``merges`` on the way."""
    number = 0
    nested = 0  # tables inside a cell (text documents): read as that cell's text
    for event, element in events:
        if event == "start":
            stack.append(element)
            nested += element.tag == _TABLE + "table"
            continue
        stack.pop()
        if element.tag == _TABLE + "table":
            if not nested:
                element.clear()
                return
            nested -= 1
            continue
        if element.tag != _TABLE + "table-row" or nested:
            continue
        values = _ods_row(element, number + 1, merges, clock) if wanted else []
        repeat = _repeat(element, "number-rows-repeated")
        element.clear()
        if stack:
            stack[-1].remove(element)  # keep memory flat
        if not values:
            # A million blank formatted rows is one XML element: count, don't build.
            clock.tick()
            number += repeat
            continue
        if len(merges) > MAX_MERGES:
            raise ExtractError(N_("A sheet has more than {limit} merged ranges: "
                                  "nothing was extracted."), limit=MAX_MERGES)
        for _ in range(min(repeat, _MAX_REPEAT)):
            number += 1
            yield number, list(values)


def read_ods(path: str, clock: Clock, sheets: Optional[list[str]] = None) -> Iterator[Grid]:
    """Every table (or the named ones) of an ODS file, parsing content.xml incrementally
    after the suite's zip checks."""
    yield from _read_odf(path, clock, sheets, "ODS", _ODS_MIMETYPE)


def read_odt(path: str, clock: Clock, sheets: Optional[list[str]] = None) -> Iterator[Grid]:
    """Every table (or the named ones) of an OpenDocument text (ODT): the same table
    elements as a spreadsheet's, between paragraphs."""
    yield from _read_odf(path, clock, sheets, "ODT", _ODT_MIMETYPE)


def _read_odf(path: str, clock: Clock, sheets: Optional[list[str]], kind: str,
              mimetype: bytes) -> Iterator[Grid]:
    archive = scan_formats._open_zip(path, kind)
    try:
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip() != mimetype:
            raise ExtractError(N_("The file is an OpenDocument file but not of the kind "
                                  "its format says ({kind})."), kind=kind)
        if "content.xml" not in names:
            raise ExtractError(N_("The {kind} file is damaged: it has no content.xml."),
                               kind=kind)
        with archive.open("content.xml") as content:
            yield from _ods_tables(content, clock, sheets)
    except ElementTree.ParseError as exc:
        raise ExtractError(N_("The {kind} file is damaged: content.xml is not valid XML "
                              "({error})."), kind=kind, error=str(exc))
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise ExtractError(N_("The {kind} file is damaged or truncated ({error})."),
                           kind=kind, error=str(exc))
    finally:
        archive.close()


# --- XLS (Excel 97-2003) -------------------------------------------------------------


def _xls_value(cell: Any, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return scan_formats.render_value(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return scan_formats.render_value(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return scan_formats.render_value(bool(cell.value))
    if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_TEXT):
        return scan_formats.render_value(cell.value)
    return ""  # empty, blank, or an error code (#DIV/0!)


def read_xls(path: str, clock: Clock, sheets: Optional[list[str]] = None) -> Iterator[Grid]:
    """Every sheet (or the named ones) of an old binary Excel file, read by xlrd one sheet
    at a time (the format holds at most 65,536 rows a sheet); formulas give the values
    Excel saved with them."""
    import xlrd

    try:
        book = xlrd.open_workbook(path, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, struct.error, IndexError...
        raise ExtractError(N_("The XLS file cannot be opened as a workbook ({error})."),
                           error=type(exc).__name__)
    try:
        for index, name in enumerate(book.sheet_names()):
            if not _wanted(name, sheets):
                continue
            yield _xls_grid(book, index, name, clock)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_grid(book: Any, index: int, name: str, clock: Clock) -> Grid:
    try:
        sheet = book.sheet_by_index(index)
        # xlrd's ranges are (first row, row after, first col, col after), from 0.
        merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
        rows = ((number + 1, [_xls_value(cell, book.datemode) for cell in sheet.row(number)])
                for number in range(sheet.nrows))
        return build_grid(name, rows, merges, clock, kept=RowStore())
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(N_("The sheet {sheet} of the XLS file cannot be read to the end "
                              "({error})."), sheet=name, error=type(exc).__name__)
