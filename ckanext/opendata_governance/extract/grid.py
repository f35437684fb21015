"""Build a Grid from the cells of one sheet: blank rows dropped, merged cells spread."""
from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Iterable, Optional

from . import N_, ExtractLimitError, ExtractLimits, Grid

__all__ = ["Merge", "build_grid", "Clock"]

# (first row, first column, last row, last column), 1-based and inclusive.
Merge = tuple[int, int, int, int]
# How often loops over rows look at the clock.
_CLOCK_EVERY = 4096


class Clock:
    """Counts rows and cells against the limits; raises once a bound is passed."""

    def __init__(self, limits: ExtractLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds if limits.max_seconds else None
        self.rows = 0
        self.cells = 0

    def tick(self, cells: int = 0) -> None:
        self.rows += 1
        self.cells += cells
        if self.rows > self.limits.max_rows:
            raise ExtractLimitError(
                N_("The document has more than {limit} rows: nothing was extracted."),
                limit=self.limits.max_rows)
        if self.cells > self.limits.max_cells:
            raise ExtractLimitError(
                N_("The document has more than {limit} filled cells: nothing was extracted."),
                limit=self.limits.max_cells)
        if self.deadline and self.rows % _CLOCK_EVERY == 0:
            self.check_time()

    def check_time(self) -> None:
        if self.deadline and time.monotonic() > self.deadline:
            raise ExtractLimitError(
                N_("Reading the document took more than {seconds} seconds: "
                   "nothing was extracted."), seconds=int(self.limits.max_seconds))


def build_grid(location: str, rows: Iterable[tuple[int, list[str]]],
               merges: Iterable[Merge], clock: Clock, page: Optional[int] = None,
               kept: Optional[MutableMapping[int, list[str]]] = None) -> Grid:
    """Keep the non-blank rows (numbered), then spread each merged value over its range.

    Rows are read before merges are spread, so that a title merged over the
    whole width still counts as one value (a text row), and a group header
    merged over a few columns marks its row as part of a multi-row header.
    ``kept`` is where rows are kept (a dict by default; a RowStore for long sheets).
    """
    kept = {} if kept is None else kept
    single: set[int] = set()  # rows with one value: titles and notes, unless merged
    width = 0
    for number, values in rows:
        filled = sum(1 for value in values if value.strip())
        clock.tick(filled)
        if filled:
            end = len(values)
            while not values[end - 1].strip():
                end -= 1
            kept[number] = values[:end]
            width = max(width, end)
            if filled == 1:
                single.add(number)
    grid = Grid(location=location, rows=kept, page=page)
    full_width: set[int] = set()
    for first_row, first_col, last_row, last_col in merges:
        value = kept.get(first_row, [])[first_col - 1:first_col]
        if not value or not value[0].strip():
            continue
        if last_col > first_col:
            if first_col == 1 and last_col >= width:
                full_width.add(first_row)
            else:
                grid.merged_rows.update(range(first_row, last_row + 1))
        _spread(kept, value[0], (first_row, first_col, last_row, last_col), clock)
    grid.text_rows = {number for number in single
                      if number not in grid.merged_rows or number in full_width}
    grid.merged_rows -= grid.text_rows
    return grid


def _spread(kept: MutableMapping[int, list[str]], value: str, merge: Merge,
            clock: Clock) -> None:
    """Write a merged range's value in each of its cells (rows written back: a store
    hands out copies)."""
    first_row, first_col, last_row, last_col = merge
    for number in range(first_row, last_row + 1):
        clock.tick(last_col - first_col + 1)
        row = list(kept.get(number, []))
        if len(row) < last_col:
            row.extend([""] * (last_col - len(row)))
        for col in range(first_col - 1, last_col):
            if number != first_row or col != first_col - 1:
                row[col] = value
        kept[number] = row
