"""A streaming Table Schema validator giving frictionless's verdicts, error for error.

Cells are read by frictionless's own cell readers (types, missing values and
constraints); this module adds what frictionless does around them, without its
per-row objects: labels matched to fields by position (``fieldsMatch: exact``,
frictionless's default), extra and missing cells, blank rows, ``unique`` and
primary-key checks. ``tests/territorial_consolidation/test_consolidation_validate.py``
compares both on the real example files.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from typing import IO, Any, Callable, Iterator, Optional

from frictionless.schema import field as frictionless_field

from ckanext.territorial_consolidation.consolidation.reader import open_rows
from ckanext.territorial_consolidation.consolidation.schema import TableSchema

__all__ = ["Error", "Validator", "cell_reader", "validate_stream", "HEADER_ERRORS",
           "STRUCTURAL_ERRORS"]

HEADER_ERRORS = ("extra-label", "missing-label", "blank-label", "duplicate-label",
                 "incorrect-label", "blank-header")
#: Header errors after which cells cannot be trusted to sit in their field's column.
STRUCTURAL_ERRORS = ("blank-label", "duplicate-label", "incorrect-label", "blank-header")


#: Types whose value readers are cheap enough to call directly; others go through
#: frictionless's whole cell reader.
_DIRECT_TYPES = {"string", "number", "integer", "boolean", "date", "year"}
#: Distinct cells remembered per column and file (bounded: memory stays flat).
_MEMO_SIZE = 2048
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CellReader = Callable[[Any], "tuple[Any, Optional[dict[str, str]]]"]


def _iso_date_reader(fallback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``%Y-%m-%d`` without strptime for the usual zero-padded form; the rest as before."""
    def read(cell: Any) -> Any:
        if isinstance(cell, str) and len(cell) == 10 and _ISO_DATE.match(cell):
            try:
                return dt.date(int(cell[:4]), int(cell[5:7]), int(cell[8:]))
            except ValueError:
                return None
        return fallback(cell)
    return read


def cell_reader(field: Any) -> CellReader:
    """A reader giving the same value and notes as ``field.create_cell_reader()``, faster.

    Same missing values, value reader, constraint checks (in frictionless's order,
    skipped after a type error) and notes; only the call overhead is cut.
    """
    if field.type not in _DIRECT_TYPES or (field.type == "string" and
                                            field.format not in ("default", None)):
        return field.create_cell_reader()
    value_reader = field.create_value_reader()
    if field.type == "date" and field.format == "default":
        value_reader = _iso_date_reader(value_reader)
    missing_values = field.missing_values
    if not field.has_defined("missing_values") and field.schema:
        missing_values = field.schema.missing_values
    missing = frozenset(missing_values)
    checks = []
    for name in field.supported_constraints:
        constraint = field.constraints.get(name)
        if constraint is None:
            continue
        note = f'constraint "{name}" is "{constraint}"'
        if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            constraint = value_reader(constraint)
        if name == "pattern":
            constraint = re.compile("^{0}$".format(constraint))
        if name == "enum":
            constraint = list(map(value_reader, constraint))
        checks.append((name, functools.partial(
            getattr(frictionless_field, f"check_{name}"), constraint), note))
    type_note = f'type is "{field.type}/{field.format}"'
    plain_string = field.type == "string"

    def read(cell: Any) -> tuple[Any, Optional[dict[str, str]]]:
        if cell is None or cell in missing:
            value = None
        elif plain_string:
            value = cell if isinstance(cell, str) else None
        else:
            value = value_reader(cell)
        if value is None and cell is not None and cell not in missing:
            return None, {"type": type_note}
        if checks:
            notes = None
            for name, check, note in checks:
                if not check(value):
                    if notes is None:
                        notes = {}
                    notes[name] = note
            return value, notes
        return value, None

    return read


@dataclasses.dataclass(frozen=True)
class Error:
    """One validation error, in frictionless's vocabulary."""

    type: str
    row_number: Optional[int] = None
    field_name: str = ""
    field_number: Optional[int] = None
    note: str = ""
    cell: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "row_number": self.row_number,
                "field_name": self.field_name, "field_number": self.field_number,
                "note": self.note, "cell": self.cell[:200]}


class Validator:
    """Validates one file: ``header(labels)`` once, then ``row(cells, number)`` per row."""

    def __init__(self, schema: TableSchema) -> None:
        self.schema = schema
        self.fields = schema.fields
        self._readers = [cell_reader(field) for field in self.fields]
        self._unique = [index for index, field in enumerate(self.fields)
                        if field.constraints.get("unique")]
        self._primary = [schema.field_names.index(name) for name in schema.primary_key
                         if name in schema.field_names]
        self.width = len(self.fields)

    def header(self, labels: list[str]) -> list[Error]:
        """Errors of the header row; resets the memory of unique and primary-key values."""
        self._memory_unique: dict[int, dict[Any, int]] = {index: {} for index in self._unique}
        self._memory_primary: dict[tuple[Any, ...], int] = {}
        self._memos: list[dict[Any, Any]] = [{} for _field in self.fields]
        self.labels = labels
        # Fields beyond the header are absent from every row (frictionless drops them).
        self.width = min(len(labels), len(self.fields))
        self._checked = self._readers[:self.width]
        self._has_primary = bool(self._primary) and all(
            index < self.width for index in self._primary)
        if not labels:
            return [Error("blank-header", 1)]
        errors = []
        for number, label in enumerate(labels[len(self.fields):], start=len(self.fields) + 1):
            errors.append(Error("extra-label", None, "", number, "", label))
        for offset, field in enumerate(self.fields[len(labels):]):
            errors.append(Error("missing-label", None, field.name, len(labels) + offset + 1))
        for index, (field, label) in enumerate(zip(self.fields, labels)):
            number = index + 1
            if not label:
                errors.append(Error("blank-label", None, field.name, number))
                continue
            seen = [str(position) for position, previous in enumerate(labels[:index], start=1)
                    if previous == label]
            if seen:
                errors.append(Error("duplicate-label", None, field.name, number,
                                    f'at position "{", ".join(seen)}"', label))
                continue
            if label != field.name:
                errors.append(Error("incorrect-label", None, field.name, number, "", label))
        return errors

    def row(self, cells: list[str], number: int) -> tuple[list[Any], list[Error]]:
        """Parsed values (by position) and errors of one data row."""
        errors: list[Error] = []
        values: list[Any] = []
        blank = 0
        count = len(cells)
        fields = self.fields
        memos = self._memos
        for index, reader in enumerate(self._checked):
            source = cells[index] if index < count else None
            # Readers are pure: a value seen before in this column gives the same answer.
            memo = memos[index]
            outcome = memo.get(source)
            if outcome is None:
                outcome = reader(source)
                if len(memo) < _MEMO_SIZE:
                    memo[source] = outcome
            value, notes = outcome
            values.append(value)
            if notes:
                name = fields[index].name
                type_note = notes.get("type")
                if type_note:
                    errors.append(Error("type-error", number, name, index + 1, type_note,
                                        str(source)))
                for key, note in notes.items():
                    if key != "type":
                        errors.append(Error("constraint-error", number, name, index + 1,
                                            note, str(source)))
                if value is None and not type_note:
                    blank += 1
            elif value is None:
                blank += 1
        # Extra labels have fields of type any: blank only when empty.
        width = len(self.labels)
        for index in range(self.width, min(width, count)):
            if cells[index] == "":
                blank += 1
        blank += max(0, width - max(count, self.width))
        if count > width:
            for offset, cell in enumerate(cells[width:]):
                errors.append(Error("extra-cell", number, "", width + offset + 1, "", cell))
        if count < width:
            names = [field.name for field in fields[:self.width]] + self.labels[self.width:]
            for index in range(count, width):
                errors.append(Error("missing-cell", number, names[index], index + 1))
        if blank == width:
            errors = [Error("blank-row", number)]
        for index in self._unique:
            if index < len(values) and values[index] is not None:
                memory = self._memory_unique[index]
                match = memory.get(values[index])
                memory[values[index]] = number
                if match:
                    errors.append(Error("unique-error", number, fields[index].name, index + 1,
                                        f"the same as in the row at position {match}"))
        if self._has_primary:
            key = tuple(values[index] for index in self._primary)
            if all(part is None for part in key):
                errors.append(Error("primary-key", number, "", None,
                                    'cells composing the primary keys are all "None"'))
            else:
                match = self._memory_primary.get(key)
                self._memory_primary[key] = number
                if match:
                    errors.append(Error("primary-key", number, "", None,
                                        f"the same as in the row at position {match}"))
        return values, errors


def validate_stream(stream: IO[bytes], schema: TableSchema
                    ) -> Iterator[tuple[int, list[str], list[Any], list[Error]]]:
    """Every row of a CSV stream: (row number, cells, values, errors); row 1 is the header."""
    _sniffed, rows = open_rows(stream)
    validator = Validator(schema)
    labels = next(rows, None)
    header_errors = validator.header(labels or [])
    yield 1, labels or [], [], header_errors
    if labels is None:
        return
    for number, cells in enumerate(rows, start=2):
        values, errors = validator.row(cells, number)
        yield number, cells, values, errors


def error_list(stream: IO[bytes], schema: TableSchema) -> list[Error]:
    """Every error of a file, in frictionless's order (header first, then row by row)."""
    return [error for _n, _c, _v, errors in validate_stream(stream, schema)
            for error in errors]


__all__ += ["error_list"]


