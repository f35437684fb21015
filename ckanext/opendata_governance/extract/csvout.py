"""Write extracted tables as one open CSV: UTF-8, comma, one header row."""
from __future__ import annotations

import csv
from typing import IO, Optional, Sequence

from . import N_, ChoiceError, ExtractError, Table
from .store import Chained

__all__ = ["write_csv", "merge_tables", "renamed"]


def merge_tables(tables: Sequence[Table]) -> Table:
    """One table from several with the same header (the rows in order)."""
    if not tables:
        raise ChoiceError(N_("No table was chosen."))
    header = tables[0].header
    for table in tables[1:]:
        if table.header != header:
            raise ChoiceError(
                N_("The tables of {first} and {other} do not have the same columns: "
                   "extract them separately."),
                first=tables[0].location, other=table.location)
    rows = tables[0].rows if len(tables) == 1 else Chained([t.rows for t in tables])
    return Table(location=", ".join(dict.fromkeys(t.location for t in tables)),
                 header=list(header), rows=rows,
                 confidence=min(t.confidence for t in tables),
                 pages=sorted({page for t in tables for page in t.pages}))


def renamed(table: Table, columns: Optional[Sequence[str]]) -> list[str]:
    """The table's header, or the new names given for its columns, in order."""
    if not columns:
        return list(table.header)
    if len(columns) != len(table.header):
        raise ExtractError(N_("{given} column names were given for a table of {width} "
                              "columns."), given=len(columns), width=len(table.header))
    return list(columns)


def write_csv(table: Table, stream: IO[str], columns: Optional[Sequence[str]] = None,
              picks: Optional[Sequence[Optional[int]]] = None) -> int:
    """Write the table to a text stream (open it with newline=""); ``columns`` renames the
    columns in order; with ``picks``, ``columns`` is the CSV's header and each of its
    columns takes the values of the table's column numbered in ``picks`` (None: empty).
    Returns the number of data rows written."""
    header = list(columns) if picks is not None else renamed(table, columns)
    width = len(table.header)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in table.rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        writer.writerow(row if picks is None else
                        [row[i] if i is not None else "" for i in picks])
        count += 1
    return count
