"""read → find tables → clean → one table to write: the extraction's single way through."""
from __future__ import annotations

import os
from typing import Any, Callable, Iterator, Optional, Sequence

from . import N_, ChoiceError, ExtractError, ExtractLimitError, ExtractLimits, FORMATS, Grid, Table
from .csvout import merge_tables
from .grid import Clock
from .tables import find_tables

#: Called with (pages or sheets done, total) as reading goes (a CLI's progress bar).
Progress = Callable[[int, int], None]

__all__ = ["find_all", "extract_path", "preview_path", "parse_pages", "library_of"]


def parse_pages(text: str) -> list[int]:
    """"3-7,9" → [3, 4, 5, 6, 7, 9]; refuse anything else."""
    pages: list[int] = []
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ExtractError(N_("Pages are numbers or ranges like 3-7, separated by "
                                  "commas."))
        start, end = int(first), int(last or first)
        if start < 1 or end < start or end - start > 10000:
            raise ExtractError(N_("Pages are numbers or ranges like 3-7, separated by "
                                  "commas."))
        pages.extend(range(start, end + 1))
    return sorted(set(pages))


def _grids(path: str, fmt: str, clock: Clock, sheets: Optional[list[str]]) -> Iterator[Grid]:
    from . import docx
    from . import sheets as sheet_readers

    reader = {"xlsx": sheet_readers.read_xlsx, "xls": sheet_readers.read_xls,
              "ods": sheet_readers.read_ods, "odt": sheet_readers.read_odt,
              "docx": docx.read_docx}[fmt]
    yield from reader(path, clock, sheets)


def find_all(path: str, fmt: str, limits: Optional[ExtractLimits] = None,
             sheets: Optional[list[str]] = None,
             pages: Optional[list[int]] = None,
             progress: Optional[Progress] = None) -> list[Table]:
    """Every table of the document (or of the chosen sheets or pages), in order.

    :raises ExtractError: (or the suite's FileError) with a message for the producer
    """
    limits = limits or ExtractLimits()
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExtractError(N_("Tables can be extracted from PDF, XLSX, XLS, ODS, DOCX and "
                              "ODT files, not from {format}."), format=fmt or "?")
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ExtractError(N_("The file cannot be read ({error})."), error=exc.strerror)
    if size > limits.max_bytes:
        raise ExtractLimitError(N_("The file is larger than {limit} MB: nothing was "
                                   "extracted."), limit=limits.max_bytes // (1024 * 1024))
    clock = Clock(limits)
    if fmt == "pdf":
        from . import pdf

        return pdf.find_tables(path, clock, pages, progress)
    tables: list[Table] = []
    for done, grid in enumerate(_grids(path, fmt, clock, sheets), 1):
        tables.extend(find_tables(grid))
        if progress:
            progress(done, 0)  # the number of sheets is only known at the end
    return tables


def extract_path(path: str, fmt: str, choose: Optional[Sequence[int]] = None,
                 limits: Optional[ExtractLimits] = None, sheets: Optional[list[str]] = None,
                 pages: Optional[list[int]] = None,
                 progress: Optional[Progress] = None) -> Table:
    """The chosen tables (indices into find_all's list; all when None) as one table."""
    tables = find_all(path, fmt, limits, sheets, pages, progress)
    if not tables:
        raise ExtractError(N_("No table was found in the document."))
    if choose:
        try:
            tables = [tables[index] for index in choose]
        except (IndexError, TypeError):
            raise ChoiceError(N_("The document has {count} tables: choose among them by "
                                  "their number (from 0)."), count=len(tables))
    return merge_tables(tables)


def preview_path(path: str, fmt: str, limits: Optional[ExtractLimits] = None,
                 sheets: Optional[list[str]] = None,
                 pages: Optional[list[int]] = None,
                 progress: Optional[Progress] = None) -> list[dict[str, Any]]:
    """Each table found, as the producer sees it before choosing."""
    return [dict(table.as_preview(), index=index)
            for index, table in enumerate(find_all(path, fmt, limits, sheets, pages,
                                                   progress))]



def library_of(fmt: str) -> str:
    """The library (and its version) that reads this format, for the provenance."""
    from importlib import metadata
    import platform

    name = {"pdf": "pdfplumber", "xlsx": "openpyxl", "xls": "xlrd"}.get(fmt)
    if name is None:
        return "xml.etree (Python {})".format(platform.python_version())
    return "{} {}".format(name, metadata.version(name))
