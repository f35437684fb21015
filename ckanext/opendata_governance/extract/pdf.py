"""Find the tables of a PDF with pdfplumber: ruled tables by their lines, others by the
gutters between aligned words; a table whose header repeats on the next page goes on."""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from . import N_, ExtractError, ExtractLimitError, Table
from .grid import Clock, build_grid
from .tables import find_tables as find_in_grid

__all__ = ["find_tables", "LIBRARY"]

LIBRARY = "pdfplumber"
# Words closer than this (in points) belong to one phrase; a column gutter is wider.
_WORD_GAP = 4.0
# Words whose tops differ by less than this sit on one line.
_LINE_TOLERANCE = 3.0
# A table found without ruling lines is less sure than one drawn with them.
_UNRULED_FACTOR = 0.9

# pdfminer logs every malformed object it skips: a damaged file would flood the log.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _open(path: str) -> Any:
    try:
        document = pdfplumber.open(path)
        document.pages  # noqa: B018  (reads the page tree: a damaged file fails here)
        return document
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ExtractError(N_("The PDF file is protected by a password: remove it first."))
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError,
            IndexError, OSError) as exc:
        raise ExtractError(N_("The PDF file is damaged or is not a PDF ({error})."),
                           error=type(exc).__name__)
    except Exception as exc:  # pdfminer raises many kinds of errors on broken files
        if type(exc).__name__ == "PdfminerException":
            cause = exc.args[0] if exc.args else exc
            if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
                raise ExtractError(N_("The PDF file is protected by a password: "
                                      "remove it first."))
            raise ExtractError(N_("The PDF file is damaged or is not a PDF ({error})."),
                               error=type(cause).__name__)
        raise


def _ruled(page: Any, number: int, clock: Clock) -> list[Table]:
    tables = []
    for index, found in enumerate(page.extract_tables()):
        rows = [(i, [value or "" for value in row]) for i, row in enumerate(found, 1)]
        grid = build_grid(_location(number, index), rows, [], clock, page=number)
        grid.text_rows = {n for n, row in grid.rows.items()
                          if sum(1 for v in row if v.strip()) <= 1 and len(row) > 1
                          and n == min(grid.rows)}
        tables.extend(find_in_grid(grid))
    return tables


def _location(number: int, index: int) -> str:
    return "page {}".format(number) if not index else "page {} ({})".format(number, index + 1)


Phrase = tuple[float, float, str]


def _lines(page: Any) -> list[tuple[float, list[Phrase]]]:
    """The top and phrases (x0, x1, text) of each line of words, top to bottom."""
    words = sorted(page.extract_words(x_tolerance=1.5, y_tolerance=2),
                   key=lambda w: (round(w["top"] / _LINE_TOLERANCE), w["x0"]))
    lines: list[list[dict]] = []
    for word in words:
        if lines and abs(lines[-1][0]["top"] - word["top"]) < _LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    phrased = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        phrases: list[list[Any]] = []
        for word in line:
            if phrases and word["x0"] - phrases[-1][1] < _WORD_GAP:
                phrases[-1][1] = word["x1"]
                phrases[-1][2] += " " + word["text"]
            else:
                phrases.append([word["x0"], word["x1"], word["text"]])
        phrased.append((line[0]["top"], [(p[0], p[1], p[2]) for p in phrases]))
    return phrased


def _columns(lines: list[list[Phrase]]) -> list[tuple[float, float]]:
    """Columns are the x ranges covered by phrases; gutters are the ranges no phrase covers."""
    spans = sorted((x0, x1) for line in lines for x0, x1, _t in line)
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _cells(line: list[Phrase], columns: list[tuple[float, float]]) -> list[str]:
    cells = [""] * len(columns)
    for x0, _x1, text in line:
        col = next(i for i, (a, b) in enumerate(columns) if a <= x0 <= b)
        cells[col] = (cells[col] + " " + text).strip()
    return cells


def _rows(run: list[tuple[float, list[Phrase]]], columns: list[tuple[float, float]],
          clock: Clock) -> list[list[str]]:
    """A line with fewer than half the columns filled is part of a wrapped cell: it joins
    the nearest full line above or below (cells centred in their row sit between the
    lines of a wrapped neighbour)."""
    width = len(columns)
    lines = [(top, _cells(line, columns)) for top, line in run]
    full = [i for i, (_top, cells) in enumerate(lines)
            if sum(1 for c in cells if c) * 2 >= width]
    if not full:
        return []
    rows = {i: list(lines[i][1]) for i in full}
    for i, (top, cells) in enumerate(lines):
        clock.tick(sum(1 for c in cells if c))
        if i in rows:
            continue
        above = max((j for j in full if j < i), default=None)
        below = min((j for j in full if j > i), default=None)
        if below is not None and (above is None
                                  or lines[below][0] - top < top - lines[above][0]):
            rows[below] = [(a + " " + b).strip() for a, b in zip(cells, rows[below])]
        else:
            assert above is not None
            rows[above] = [(a + " " + b).strip() for a, b in zip(rows[above], cells)]
    return [rows[i] for i in full]


def _unruled(page: Any, number: int, clock: Clock) -> list[Table]:
    """Runs of lines with two phrases or more, with the wrapped lines close around them;
    titles and notes further away are left out."""
    lines = _lines(page)
    runs: list[list[tuple[float, list[Phrase]]]] = []
    start = None
    for i, (_top, line) in enumerate(lines + [(0.0, [])]):
        if len(line) >= 2 or (start is not None and len(line) == 1):
            start = i if start is None else start
            continue
        if start is not None:
            runs.append(_tighten(lines, start, i))
        start = None
    tables = []
    for index, run in enumerate(runs):
        columns = _columns([line for _top, line in run])
        if len(run) < 2 or len(columns) < 2:
            continue
        rows = _rows(run, columns, clock)
        grid = build_grid(_location(number, index), enumerate(rows, 1), [], clock, page=number)
        for table in find_in_grid(grid):
            table.confidence *= _UNRULED_FACTOR
            tables.append(table)
    return tables


def _tighten(lines: list[tuple[float, list[Phrase]]], start: int, end: int
             ) -> list[tuple[float, list[Phrase]]]:
    """The lines start:end, less the single-phrase lines trailing far below (notes), plus
    the single-phrase line just above when it is close (a wrapped header cell)."""
    run = lines[start:end]
    pitch = _typical_pitch(run)
    while len(run) > 1 and len(run[-1][1]) < 2 and run[-1][0] - run[-2][0] > 0.75 * pitch:
        run = run[:-1]
    if start and len(lines[start - 1][1]) == 1 and \
            run[0][0] - lines[start - 1][0] <= 0.75 * pitch:
        run = [lines[start - 1]] + run
    return run


def _typical_pitch(run: list[tuple[float, list[Phrase]]]) -> float:
    gaps = sorted(b[0] - a[0] for a, b in zip(run, run[1:]))
    return gaps[len(gaps) // 2] if gaps else 0.0


def _stitch(tables: list[tuple[Table, bool, bool]]) -> list[Table]:
    """Join a table to the one before when it starts the next page and repeats its header
    (or, headerless, has as many columns and the one before ended its page)."""
    out: list[Table] = []
    previous_last = False
    for table, first_on_page, last_on_page in tables:
        before = out[-1] if out else None
        follows = (before is not None and first_on_page and previous_last
                   and table.pages and before.pages and table.pages[0] == before.pages[-1] + 1)
        if follows and table.header == before.header:
            before.rows.extend(table.rows)
            before.pages.append(table.pages[0])
        elif follows and len(table.header) == len(before.header) and before.confidence >= 0.9:
            before.rows.extend([table.header] + table.rows)
            before.pages.append(table.pages[0])
        else:
            out.append(table)
        previous_last = last_on_page
    for table in out:
        if len(table.pages) > 1:
            table.location = "pages {}-{}".format(table.pages[0], table.pages[-1])
    return out


def find_tables(path: str, clock: Clock, pages: Optional[list[int]] = None,
                progress: Optional[Callable[[int, int], None]] = None) -> list[Table]:
    """Every table of the PDF (or of the chosen pages), stitched over pages.

    :raises ExtractError: encrypted, damaged, too long, or scanned (no text layer)
    """
    document = _open(path)
    try:
        count = len(document.pages)
        numbers = [n for n in (pages or range(1, count + 1)) if 1 <= n <= count]
        if pages and not numbers:
            raise ExtractError(N_("The PDF file has {count} pages: none of the chosen pages "
                                  "exists."), count=count)
        if len(numbers) > clock.limits.max_pages:
            raise ExtractLimitError(
                N_("The PDF file has {count} pages to read, more than the {limit} allowed: "
                   "choose the pages of the table."), count=len(numbers),
                limit=clock.limits.max_pages)
        found: list[tuple[Table, bool, bool]] = []
        text_seen = False
        for done, number in enumerate(numbers, 1):
            clock.check_time()
            page = document.pages[number - 1]
            try:
                if page.chars:
                    text_seen = True
                    tables = _ruled(page, number, clock) or _unruled(page, number, clock)
                    found.extend((t, i == 0, i == len(tables) - 1)
                                 for i, t in enumerate(tables))
            except ExtractError:
                raise
            except Exception as exc:  # a damaged page object
                raise ExtractError(N_("Page {page} of the PDF file cannot be read ({error})."),
                                   page=number, error=type(exc).__name__)
            finally:
                page.close()  # drop the page's cached objects: memory stays flat
            if progress:
                progress(done, len(numbers))
        if not text_seen:
            raise ExtractError(N_("The PDF file has no text layer: it is probably a scanned "
                                  "document. Character recognition (OCR) is not done here: "
                                  "ask for the original file or a spreadsheet."))
        return _stitch(found)
    finally:
        document.close()
