"""Find the tables of a Grid: runs of rows with several values, header on top, totals off."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from . import Grid, Table
from .store import RowStore, StoredRows

__all__ = ["find_tables", "clean_cell", "HEADER_JOIN"]

HEADER_JOIN = " – "
# A last row starting with one of these words adds up the rows above: not data.
_TOTAL = re.compile(r"^\s*(sous[- ]?)?(total|totaux|ensemble|somme)\b", re.IGNORECASE)
_BREAK = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def clean_cell(value: str) -> str:
    """One line, no surrounding blanks: line breaks inside a cell are layout, not data;
    other spaces are kept as written."""
    return _BREAK.sub(" ", value).strip() if value else ""


def _numbers(grid: Grid) -> Iterable[int]:
    """The grid's row numbers in order (a store gives them so, a dict is sorted)."""
    return grid.rows if isinstance(grid.rows, RowStore) else sorted(grid.rows)


def _runs(grid: Grid) -> list[tuple[int, int]]:
    """First and last numbers of consecutive rows that are neither blank nor text rows
    (titles, notes)."""
    runs: list[tuple[int, int]] = []
    previous = None
    for number in _numbers(grid):
        if number in grid.text_rows:
            previous = None
            continue
        if previous is not None and number == previous + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
        previous = number
    return runs


def _is_total(row: list[str]) -> bool:
    first = next((value for value in row if value.strip()), "")
    return bool(_TOTAL.match(first))


def _header(rows: list[list[str]]) -> list[str]:
    names = []
    for col in range(len(rows[0])):
        parts: list[str] = []
        for row in rows:
            value = clean_cell(row[col])
            if value and (not parts or parts[-1] != value):
                parts.append(value)
        names.append(HEADER_JOIN.join(parts))
    return names


def _confidence(header: list[str], filled: Counter[int], count: int) -> float:
    """Share of rows filled at least half, lowered by blank or repeated column names;
    ``filled`` counts the rows by their number of values."""
    width = len(header)
    score = sum(n for values, n in filled.items() if values * 2 >= width) / count \
        if count else 0.0
    if not all(header):
        score *= 0.7
    if len(set(header)) < width:
        score *= 0.8
    return score


def _span(grid: Grid, first: int, last: int) -> Iterable[list[str]]:
    if isinstance(grid.rows, RowStore):
        return grid.rows.span(first, last)
    return (grid.rows[number] for number in range(first, last + 1))


def _table(grid: Grid, first: int, last: int) -> Table:
    """The table of rows first to last: its header rows on top (group headers and the
    row under them), the columns blank all the way down left out."""
    depth = 1
    while depth < last - first and first + depth - 1 in grid.merged_rows:
        depth += 1
    used: set[int] = set()
    filled: Counter[int] = Counter()
    for offset, row in enumerate(_span(grid, first, last)):
        values = [col for col, value in enumerate(row) if value.strip()]
        used.update(values)
        if offset >= depth:
            filled[len(values)] += 1
    keep = sorted(used)
    header = _header([[row[col] if col < len(row) else "" for col in keep]
                      for row in _span(grid, first, first + depth - 1)])
    rows: Sequence[list[str]]
    if isinstance(grid.rows, RowStore):
        rows = StoredRows(grid.rows, first + depth, last, keep, clean_cell)
    else:
        rows = [[clean_cell(row[col]) if col < len(row) else "" for col in keep]
                for row in _span(grid, first + depth, last)]
    count = last - first + 1 - depth
    return Table(location=grid.location, header=header, rows=rows,
                 confidence=_confidence(header, filled, count),
                 pages=[grid.page] if grid.page else [])


def find_tables(grid: Grid) -> list[Table]:
    """Each run of two or more rows is a table: its top rows with values spread over
    several columns (group headers) and the row under them form one header; trailing
    totals rows are dropped; columns blank all the way down are dropped."""
    tables = []
    for first, last in _runs(grid):
        while last > first and _is_total(grid.rows[last]):
            last -= 1
        if last > first:
            tables.append(_table(grid, first, last))
    return tables
