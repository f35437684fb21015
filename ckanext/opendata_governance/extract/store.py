"""The rows of a long sheet kept in a temporary SQLite file, and read back lazily, so that
memory stays flat however many rows the sheet has."""
from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import MutableMapping, Sequence
from typing import Any, Callable, Iterator, Union, overload

__all__ = ["RowStore", "StoredRows", "Chained"]


class RowStore(MutableMapping):
    """Row number → cells, in a private temporary database (SQLite removes it on close).

    Iterating gives the row numbers in ascending order.
    """

    def __init__(self) -> None:
        # "" opens a private on-disk database that SQLite deletes once closed.
        self.db = sqlite3.connect("")
        self.db.execute("CREATE TABLE cells (number INTEGER PRIMARY KEY, row TEXT NOT NULL)")

    def __setitem__(self, number: int, row: list[str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO cells VALUES (?, ?)",
                        (number, json.dumps(row, ensure_ascii=False)))

    def __getitem__(self, number: int) -> list[str]:
        found = self.db.execute("SELECT row FROM cells WHERE number = ?", (number,)).fetchone()
        if found is None:
            raise KeyError(number)
        return json.loads(found[0])

    def __delitem__(self, number: int) -> None:
        self.db.execute("DELETE FROM cells WHERE number = ?", (number,))

    def __iter__(self) -> Iterator[int]:
        for (number,) in self.db.execute("SELECT number FROM cells ORDER BY number"):
            yield number

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM cells").fetchone()[0]

    def span(self, first: int, last: int) -> Iterator[list[str]]:
        """The rows numbered first to last (inclusive), in order."""
        for (row,) in self.db.execute(
                "SELECT row FROM cells WHERE number BETWEEN ? AND ? ORDER BY number",
                (first, last)):
            yield json.loads(row)

    def close(self) -> None:
        self.db.close()


class _LazyRows(Sequence):
    """Rows read on demand that still compare and concatenate like a list of rows."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __add__(self, other: Sequence) -> list[list[str]]:
        return list(self) + list(other)

    def __radd__(self, other: Sequence) -> list[list[str]]:
        return list(other) + list(self)

    def __repr__(self) -> str:
        return "<{} of {} rows>".format(type(self).__name__, len(self))


class StoredRows(_LazyRows):
    """The cells of rows first to last of a store, in the kept columns, each cleaned by
    ``clean``: a table's data rows, read from the store each time they are iterated."""

    def __init__(self, store: RowStore, first: int, last: int, keep: list[int],
                 clean: Callable[[str], str]) -> None:
        self.store, self.first, self.last, self.keep = store, first, last, keep
        self.clean = clean

    def _cells(self, row: list[str]) -> list[str]:
        return [self.clean(row[col]) if col < len(row) else "" for col in self.keep]

    def __len__(self) -> int:
        return max(0, self.last - self.first + 1)

    @overload
    def __getitem__(self, index: int) -> list[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return [self._cells(row) for row in
                    self.store.span(self.first + start, self.first + stop - 1)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._cells(self.store[self.first + index])

    def __iter__(self) -> Iterator[list[str]]:
        for row in self.store.span(self.first, self.last):
            yield self._cells(row)


class Chained(_LazyRows):
    """Several tables' rows one after the other, without copying them."""

    def __init__(self, parts: list[Sequence]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step < 0:
                return list(self)[index]
            return list(itertools.islice(self, start, stop, step))
        if index < 0:
            index += len(self)
        for part in self.parts:
            if 0 <= index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator[list[str]]:
        for part in self.parts:
            yield from part
