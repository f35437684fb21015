"""Safe streaming readers for XLSX and ODS, yielding a header and rows of strings."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import time
import warnings
import zipfile
import zlib
from typing import Any, Callable, Iterable, Iterator, Optional
from xml.etree import ElementTree
from xml.parsers import expat

import openpyxl

from ckanext.opendata_governance.scan import N_, ScanError, ScanLimitError, ScanLimits
from ckanext.suite import file_limits

__all__ = ["read_xlsx", "read_ods", "check_zip", "render_value",
           "ZIP_MAX_ENTRIES", "ZIP_MAX_UNCOMPRESSED", "ZIP_MAX_RATIO",
           "XLSX_MAX_SHARED_STRINGS", "MAX_COLUMNS"]

# An ordinary workbook has a few dozen parts; thousands means something built to hurt.
ZIP_MAX_ENTRIES = 2000
# Declared sizes are trustworthy: zipfile stops decompressing at the declared size.
ZIP_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
# Spreadsheet XML compresses 5-20x, rarely 100x; a bomb compresses 1000x and more.
ZIP_MAX_RATIO = 200
# Below this size a high ratio is harmless (a tiny part full of blanks).
_RATIO_FLOOR = 1024 * 1024
MAX_COLUMNS = file_limits.MAX_COLUMNS
# openpyxl holds every shared string in memory, even in read-only mode: a bigger
# part would take the process's memory before the first row is read.
XLSX_MAX_SHARED_STRINGS = 100 * 1024 * 1024
# One XML row repeated more often than this is amplification, not data.
_MAX_ROW_REPEAT = 65536
# Encoded runs of spaces (text:s) longer than this are cut.
_MAX_SPACES = 1000
# How often long loops that yield nothing look at the clock.
_CLOCK_EVERY = 4096

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_INT_RE = re.compile(r"-?\d+")


def _limits(limits: Optional[ScanLimits]) -> ScanLimits:
    return limits if limits is not None else ScanLimits()


def _deadline(limits: ScanLimits) -> Optional[float]:
    return time.monotonic() + limits.max_seconds if limits.max_seconds else None


def _number(value: float) -> str:
    # 15 significant digits is what spreadsheets display: it drops the
    # binary noise (0.30000000000000004) without losing entered digits.
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def render_value(value: Any) -> str:
    """Render a cell value as the text a producer would see: ISO dates, plain numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, decimal.Decimal):
        # JSON numbers keep the producer's own digits.
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _table(raw_rows: Iterable[list[str]], limits: ScanLimits,
           on_close: Optional[Callable[[], None]] = None) -> tuple[list[str], Iterator[list[str]]]:
    """Take the first non-empty row as header; data rows skip blanks and are padded to it."""
    deadline = _deadline(limits)
    source = iter(raw_rows)
    header: list[str] = []
    seen = 0
    try:
        for raw in source:
            seen += 1
            if deadline and seen % _CLOCK_EVERY == 0 and time.monotonic() > deadline:
                raise ScanError(N_("No header row was found within the time limit: "
                                   "the first sheet starts with too many blank rows."))
            row = _trim(raw)
            if row:
                header = row
                break
    except BaseException:
        if on_close:
            on_close()
        raise
    if not header:
        if on_close:
            on_close()
        raise ScanError(N_("The first sheet is empty: no header row was found."))

    width = len(header)

    def rows() -> Iterator[list[str]]:
        skipped = 0
        try:
            for raw in source:
                row = _trim(raw)
                if not row:
                    # A sheet can declare a million blank rows; don't spin past the time limit.
                    skipped += 1
                    if deadline and skipped % _CLOCK_EVERY == 0 and time.monotonic() > deadline:
                        return
                    continue
                if len(row) < width:
                    row.extend([""] * (width - len(row)))
                yield row
        finally:
            if on_close:
                on_close()

    return header, rows()


# --- zip containers ------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile, kind: str) -> None:
    """Refuse a container with too many entries, encrypted parts or bomb-like sizes."""
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ScanLimitError(
            N_("The {kind} file has {parts} parts, more than the {limit} allowed."),
            kind=kind, parts=len(infos), limit=ZIP_MAX_ENTRIES)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ScanError(N_("The {kind} file is encrypted: remove its password first."),
                            kind=kind)
        total += info.file_size
        if (info.file_size > _RATIO_FLOOR
                and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)):
            raise ScanLimitError(
                N_("The {kind} file looks like a zip bomb: part {part} would expand "
                   "{ratio} times."),
                kind=kind, part=info.filename,
                ratio=info.file_size // max(info.compress_size, 1))
    if total > ZIP_MAX_UNCOMPRESSED:
        raise ScanLimitError(
            N_("The {kind} file would expand to {size} MB, "
               "more than the {limit} MB allowed."),
            kind=kind, size=total // (1024 * 1024), limit=ZIP_MAX_UNCOMPRESSED // (1024 * 1024))


_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"


def _check_xlsx_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a part openpyxl reads whole (all but worksheets) over XLSX_MAX_SHARED_STRINGS.

    Shared strings, styles and the workbook are loaded in memory even in
    read-only mode; only worksheets are streamed.
    """
    big = [info for info in archive.infolist() if info.file_size > XLSX_MAX_SHARED_STRINGS]
    if not big:
        return
    streamed: set[str] = set()
    if "[Content_Types].xml" not in {info.filename for info in big}:
        try:
            root = ElementTree.fromstring(archive.read("[Content_Types].xml"))
        except (KeyError, ElementTree.ParseError):
            root = None
        for override in root.iter(_CONTENT_TYPES) if root is not None else ():
            if override.get("ContentType") == _WORKSHEET_TYPE:
                streamed.add((override.get("PartName") or "").lstrip("/"))
    for info in big:
        if info.filename not in streamed:
            raise ScanLimitError(
                N_("The {kind} file is refused: its part {part} would take {size} MB of "
                   "memory, more than the {limit} MB allowed."),
                kind="XLSX", part=info.filename, size=info.file_size // (1024 * 1024),
                limit=XLSX_MAX_SHARED_STRINGS // (1024 * 1024))


class _PrologueDone(Exception):
    """Raised to stop parsing once the root element starts: the prologue is clean."""


def _refuse_dtd(archive: zipfile.ZipFile, name: str, kind: str) -> None:
    """Refuse an XML part that carries a DTD (entity tricks: XXE, billion laughs)."""
    # expat reads the declared encoding itself, so a UTF-16 part cannot slip past.
    parser = expat.ParserCreate()

    def on_doctype(*_args: Any) -> None:
        raise ScanLimitError(
            N_("The {kind} file is refused: its part {part} declares a DTD, "
               "which spreadsheets never need and attacks use."),
            kind=kind, part=name)

    def on_root(*_args: Any) -> None:
        raise _PrologueDone()

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_doctype
    parser.StartElementHandler = on_root
    try:
        with archive.open(name) as part:
            while True:
                chunk = part.read(16384)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    return
    except _PrologueDone:
        return
    except expat.ExpatError as exc:
        if name.endswith((".xml", ".rels")):
            raise ScanError(
                N_("The {kind} file is damaged: part {part} is not valid XML ({error})."),
                kind=kind, part=name, error=str(exc))
        # Not XML (an image, a binary part): no XML parser will read a DTD from it either.


def _open_zip(path: str, kind: str) -> zipfile.ZipFile:
    try:
        with open(path, "rb") as fh:
            signature = fh.read(8)
    except OSError as exc:
        raise ScanError(N_("The {kind} file cannot be read ({error})."), kind=kind,
                        error=exc.strerror)
    if signature == _OLE_SIGNATURE:
        raise ScanError(
            N_("This is not an {kind} file but an old binary spreadsheet (.xls) "
               "or a password-protected one: save it as XLSX, ODS or CSV."),
            kind=kind)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ScanError(N_("The {kind} file is damaged or truncated: it is not a readable zip."),
                        kind=kind)
    try:
        check_zip(archive, kind)
        # Every part, whatever its name: a relationship can point a sheet at "data.bin".
        for info in archive.infolist():
            if not info.is_dir():
                _refuse_dtd(archive, info.filename, kind)
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as exc:
        archive.close()
        raise ScanError(N_("The {kind} file is damaged or truncated ({error})."), kind=kind,
                        error=str(exc))
    except BaseException:
        archive.close()
        raise
    return archive


# --- XLSX ----------------------------------------------------------------------------


def read_xlsx(path: str, limits: Optional[ScanLimits] = None
              ) -> tuple[list[str], Iterator[list[str]]]:
    """Read the first worksheet of an XLSX file in read-only (streaming) mode.

    The zip is checked first (entries, sizes, ratios, no DTD in any part):
    openpyxl alone parses sheets with the standard library's expat, which
    only fails on an external entity when it meets it and leaves internal
    entity expansion to expat's own safeguards.
    """
    limits = _limits(limits)
    archive = _open_zip(path, "XLSX")
    try:
        _check_xlsx_parts(archive)
    finally:
        archive.close()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores: noise in a scan.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True,
                                              keep_links=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to ParseError
        raise ScanError(N_("The XLSX file cannot be opened as a workbook ({error})."),
                        error=type(exc).__name__)
    if not workbook.worksheets:
        workbook.close()
        raise ScanError(N_("The XLSX file has no worksheet."))
    sheet = workbook.worksheets[0]
    # A forged <dimension> would make openpyxl pad every row to it.
    sheet.reset_dimensions()

    def raw_rows() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                file_limits.check_width(len(values), limits.max_columns, ScanLimitError)
                yield [render_value(v) for v in values]
        except ScanError:
            raise
        except Exception as exc:
            raise ScanError(
                N_("The XLSX file is damaged: its first sheet cannot be read to the end "
                   "({error})."),
                error=type(exc).__name__)

    return _table(raw_rows(), limits, on_close=workbook.close)


# --- ODS -----------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")


def _ods_text(element: ElementTree.Element) -> str:
    """Text of a cell's paragraphs, honouring ODF's encoded spaces, tabs and breaks."""
    parts: list[str] = []

    def walk(node: ElementTree.Element) -> None:
        if node.tag == _TEXT + "s":
            # The count is the producer's to write; a billion would be a memory bomb.
            parts.append(" " * min(int(node.get(_TEXT + "c", "1") or 1), _MAX_SPACES))
        elif node.tag == _TEXT + "tab":
            parts.append("\t")
        elif node.tag == _TEXT + "line-break":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    paragraphs = []
    for p in element:
        if p.tag in (_TEXT + "p", _TEXT + "h"):
            parts = []
            walk(p)
            paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _ods_value(cell: ElementTree.Element) -> str:
    kind = cell.get(_OFFICE + "value-type")
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(_OFFICE + "value", "")
        if _INT_RE.fullmatch(raw):
            return str(int(raw))
        try:
            return _number(float(raw))
        except ValueError:
            return _ods_text(cell)
    if kind == "date":
        value = cell.get(_OFFICE + "date-value", "")
        return value[:10] if value.endswith("T00:00:00") else value
    if kind == "time":
        return cell.get(_OFFICE + "time-value", "")
    if kind == "boolean":
        return cell.get(_OFFICE + "boolean-value", "")
    return _ods_text(cell)


def _ods_row(row: ElementTree.Element, max_columns: int) -> list[str]:
    values: list[str] = []
    pending_blank = 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeat = max(1, int(cell.get(_TABLE + "number-columns-repeated", "1") or 1))
        value = _ods_value(cell)
        if not value:
            # Rows end with ~1000 repeated blank cells: count them, don't build them.
            pending_blank += repeat
            continue
        # Counted before they are built: one cell may claim a million repeats.
        file_limits.check_width(len(values) + pending_blank + repeat, max_columns,
                                ScanLimitError)
        values.extend([""] * pending_blank)
        pending_blank = 0
        values.extend([value] * repeat)
    return values


def read_ods(path: str, limits: Optional[ScanLimits] = None
             ) -> tuple[list[str], Iterator[list[str]]]:
    """Read the first table of an ODS file, parsing content.xml incrementally."""
    limits = _limits(limits)
    archive = _open_zip(path, "ODS")
    try:
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip() != _ODS_MIMETYPE:
            raise ScanError(N_("The file is an OpenDocument file but not a spreadsheet (ODS)."))
        if "content.xml" not in names:
            raise ScanError(N_("The ODS file is damaged: it has no content.xml."))
        content = archive.open("content.xml")
    except BaseException:
        archive.close()
        raise

    def close() -> None:
        content.close()
        archive.close()

    max_repeat = min(limits.max_rows or _MAX_ROW_REPEAT, _MAX_ROW_REPEAT)

    def raw_rows() -> Iterator[list[str]]:
        stack: list[ElementTree.Element] = []
        tables = 0
        try:
            for event, element in ElementTree.iterparse(content, events=("start", "end")):
                if event == "start":
                    stack.append(element)
                    if element.tag == _TABLE + "table":
                        tables += 1
                    continue
                stack.pop()
                if element.tag == _TABLE + "table":
                    return  # first table only
                if element.tag != _TABLE + "table-row" or tables != 1:
                    continue
                values = _ods_row(element, limits.max_columns)
                repeat = max(1, int(element.get(_TABLE + "number-rows-repeated", "1") or 1))
                element.clear()
                # Drop the finished row from its parent so memory stays flat.
                if stack:
                    stack[-1].remove(element)
                if not values:
                    yield values  # blank rows are skipped by _table, once however repeated
                    continue
                for _ in range(min(repeat, max_repeat)):
                    yield list(values)
        except ElementTree.ParseError as exc:
            raise ScanError(N_("The ODS file is damaged: content.xml is not valid XML ({error})."),
                            error=str(exc))
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise ScanError(N_("The ODS file is damaged or truncated ({error})."), error=str(exc))
        except ValueError as exc:
            raise ScanError(N_("The ODS file has an invalid attribute value ({error})."),
                            error=str(exc))

    return _table(raw_rows(), limits, on_close=close)
