"""Columns of an extracted table mapped to the fields of a Table Schema (``conforms_to``):
the CSV then has the schema's fields, in its order."""
from __future__ import annotations

import unicodedata
from typing import Any, Optional

from . import N_, ExtractError
from .tables import HEADER_JOIN

__all__ = ["fields_of", "guess", "plan"]


def fields_of(descriptor: dict[str, Any]) -> list[str]:
    """The names of a Table Schema's fields, in order."""
    fields = descriptor.get("fields") if isinstance(descriptor, dict) else None
    if not isinstance(fields, list):
        fields = []
    names = [field.get("name") for field in fields if isinstance(field, dict)]
    if not names or not all(isinstance(name, str) and name for name in names):
        raise ExtractError(N_("The schema has no list of named fields."))
    return names


def _key(name: str) -> str:
    """A column or field name compared without case, accents, blanks or punctuation."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def guess(header: list[str], fields: list[str]) -> dict[str, str]:
    """Field → column for the columns named like a field, whole or after their group
    ("Bénéficiaire – nomBeneficiaire" is nomBeneficiaire)."""
    by_key = {_key(field): field for field in fields}
    mapping: dict[str, str] = {}
    for column in header:
        for name in (column, column.split(HEADER_JOIN)[-1]):
            field = by_key.get(_key(name))
            if field and field not in mapping:
                mapping[field] = column
                break
    return mapping


def plan(header: list[str], fields: list[str], mapping: dict[str, str]
         ) -> tuple[list[str], list[Optional[int]]]:
    """The CSV's header (the schema's fields) and, for each, the table column it takes
    its values from (None: left empty).

    :raises ExtractError: a key that is no field of the schema, or a value that is no
        column of the table
    """
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ExtractError(N_("{names}: not fields of the schema."), names=", ".join(unknown))
    missing = sorted(set(mapping.values()) - set(header))
    if missing:
        raise ExtractError(N_("{names}: not columns of the table."), names=", ".join(missing))
    return list(fields), [header.index(mapping[field]) if field in mapping else None
                          for field in fields]
