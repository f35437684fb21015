"""Parity of the streaming validator with frictionless, error for error, on the real examples."""
from __future__ import annotations

import json
import pathlib

import frictionless
import pytest

from ckanext.territorial_consolidation.consolidation.schema import (
    SchemaError, TableSchema, parse_schema)
from ckanext.territorial_consolidation.consolidation.validator import error_list

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "consolidation"

#: (schema, example file, frictionless's number of errors): every example we carry.
REAL_FILES = [
    ("subventions", "exemple_valide.csv", 0),
    ("subventions", "exemple_invalide_erreurs_cellules.csv", 16),
    ("subventions", "exemple_invalide_erreurs_colonnes.csv", 47),
    ("prenoms", "prenoms-nouveaux-nes_exemple-valide.csv", 0),
    ("prenoms", "prenoms-nouveaux-nes_exemple-invalide.csv", 7),
    ("lieux-covoiturage", "exemple-valide.csv", 0),
    ("lieux-covoiturage", "exemple-invalide.csv", 1),
    ("catalogue", "exemple-valide.csv", 0),
]


def _frictionless(schema: dict, folder: pathlib.Path, name: str) -> list[tuple]:
    resource = frictionless.Resource(path=name, basepath=str(folder),
                                     schema=frictionless.Schema.from_descriptor(schema))
    report = resource.validate(limit_errors=100_000)
    return [(error.type, getattr(error, "row_number", None),
             getattr(error, "field_name", "") or "",
             None if error.type in ("primary-key", "blank-row") else
             getattr(error, "field_number", None))
            for error in report.tasks[0].errors]


def _ours(schema: dict, path: pathlib.Path) -> list[tuple]:
    with path.open("rb") as stream:
        return [(error.type, error.row_number, error.field_name, error.field_number)
                for error in error_list(stream, TableSchema(schema))]


@pytest.mark.parametrize("folder,name,count", REAL_FILES)
def test_the_real_examples_give_frictionless_errors_one_for_one(folder, name, count):
    """Same errors (type, row, field, position) in the same order as frictionless."""
    schema = json.loads((FIXTURES / folder / "schema.json").read_text(encoding="utf-8"))
    expected = _frictionless(schema, FIXTURES / folder, name)
    assert len(expected) == count
    assert _ours(schema, FIXTURES / folder / name) == expected


#: Small schemas and files for the structural cases the examples do not have.
KEYED = {"fields": [{"name": "a", "type": "integer", "constraints": {"required": True}},
                    {"name": "b", "type": "string", "constraints": {"unique": True}}],
         "primaryKey": ["a"]}
CRAFTED = [
    ("blank lines and rows, extra and missing cells, duplicate keys",
     KEYED, "a,b\n1,x\n\n,\n2\n3,y,z\n1,q\n"),
    ("duplicate and blank labels", KEYED, "a,a,\n1,x,\n2,y,\n"),
    ("extra label", KEYED, "a,b,c\n1,x,7\n2,y\n"),
    ("unique constraint", KEYED, "a,b\n1,x\n2,x\n"),
    ("header only", KEYED, "a,b\n"),
    ("numbers, booleans, dates and years", {"fields": [
        {"name": "n", "type": "number", "constraints": {"minimum": 0}},
        {"name": "d", "type": "date"}, {"name": "y", "type": "year"},
        {"name": "t", "type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]}]},
     "n,d,y,t\n1.5,2024-01-31,2024,oui\n-1,31/01/2024,24,true\n1e3,2024-02-30,,non\n"
     "NaN, 2024-01-01,2024 ,\n"),
]


@pytest.mark.parametrize("label,schema,text", CRAFTED, ids=[case[0] for case in CRAFTED])
def test_structural_cases_give_frictionless_errors_one_for_one(tmp_path, label, schema, text):
    """Blank rows, extra/missing cells and labels, keys and types: same errors as frictionless."""
    (tmp_path / "data.csv").write_text(text, encoding="utf-8")
    assert _ours(schema, tmp_path / "data.csv") == _frictionless(schema, tmp_path, "data.csv")


def test_a_document_without_fields_is_not_a_schema():
    """JSON that is not a Table Schema is refused with a SchemaError saying so."""
    with pytest.raises(SchemaError, match="no fields"):
        parse_schema(b'{"name": "x"}')


def test_invalid_json_is_not_a_schema():
    """Text that is not JSON is refused with a SchemaError."""
    with pytest.raises(SchemaError, match="JSON"):
        parse_schema(b"<html>")
