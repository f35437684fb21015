"""Find the tables of a Grid: runs of rows with several values, header on top, totals off."""
from __future__ import annotations

import re

from . import Grid, Table

__all__ = ["find_tables", "clean_cell", "HEADER_JOIN"]

HEADER_JOIN = " – "
# A last row starting with one of these words adds up the rows above: not data.
_TOTAL = re.compile(r"^\s*(sous[- ]?)?(total|totaux|ensemble|somme)\b", re.IGNORECASE)
_BREAK = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def clean_cell(value: str) -> str:
    """One line, no surrounding blanks: line breaks inside a cell are layout, not data;
    other spaces are kept as written."""
    return _BREAK.sub(" ", value).strip() if value else ""


def _runs(grid: Grid) -> list[list[int]]:
    """Consecutive row numbers that are neither blank nor text rows (titles, notes)."""
    runs: list[list[int]] = []
    previous = None
    for number in sorted(grid.rows):
        if number in grid.text_rows:
            previous = None
            continue
        if previous is not None and number == previous + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
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


def _confidence(header: list[str], rows: list[list[str]]) -> float:
    """Share of rows filled at least half, lowered by blank or repeated column names."""
    width = len(header)
    filled = sum(1 for row in rows if sum(1 for v in row if v) * 2 >= width)
    score = filled / len(rows) if rows else 0.0
    if not all(header):
        score *= 0.7
    if len(set(header)) < width:
        score *= 0.8
    return score


def find_tables(grid: Grid) -> list[Table]:
    """Each run of two or more rows is a table: its top rows with values spread over
    several columns (group headers) and the row under them form one header; trailing
    totals rows are dropped; columns blank all the way down are dropped."""
    tables = []
    for run in _runs(grid):
        while len(run) > 1 and _is_total(grid.rows[run[-1]]):
            run = run[:-1]
        if len(run) < 2:
            continue
        depth = 1
        while depth < len(run) - 1 and run[depth - 1] in grid.merged_rows:
            depth += 1
        width = max(len(grid.rows[number]) for number in run)
        raw = [grid.rows[number] + [""] * (width - len(grid.rows[number])) for number in run]
        keep = [col for col in range(width) if any(row[col].strip() for row in raw)]
        raw = [[row[col] for col in keep] for row in raw]
        header = _header(raw[:depth])
        rows = [[clean_cell(value) for value in row] for row in raw[depth:]]
        tables.append(Table(location=grid.location, header=header, rows=rows,
                            confidence=_confidence(header, rows),
                            pages=[grid.page] if grid.page else []))
    return tables
