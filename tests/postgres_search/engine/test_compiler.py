"""Tests for Solr date math, field typing and the SQL shape of compiled queries."""
from __future__ import annotations

import datetime as dt

import pytest

from ckan.lib.search.common import SearchQueryError

from ckanext.postgres_search import compiler, fields, lucene

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 1, 31, 15, 45, 30, 250000, tzinfo=UTC)


@pytest.mark.parametrize(("expression", "expected"), [
    ("NOW", NOW),
    ("NOW/DAY", dt.datetime(2024, 1, 31, tzinfo=UTC)),
    ("NOW-1DAY", dt.datetime(2024, 1, 30, 15, 45, 30, 250000, tzinfo=UTC)),
    ("NOW+2MONTHS/MONTH", dt.datetime(2024, 3, 1, tzinfo=UTC)),
    ("NOW/YEAR", dt.datetime(2024, 1, 1, tzinfo=UTC)),
    ("NOW-6HOURS/HOUR", dt.datetime(2024, 1, 31, 9, tzinfo=UTC)),
    ("NOW/DAY-7DAYS", dt.datetime(2024, 1, 24, tzinfo=UTC)),
    ("NOW+1MINUTE/SECOND", dt.datetime(2024, 1, 31, 15, 46, 30, tzinfo=UTC)),
])
def test_date_math_relative_to_now(expression: str, expected: dt.datetime):
    """NOW with additions and rounding is evaluated in UTC."""
    assert compiler.parse_solr_date(expression, NOW) == expected


def test_adding_a_month_clamps_to_the_month_end():
    """Adding one month to January 31st gives the last day of February."""
    assert compiler.parse_solr_date("NOW+1MONTH/DAY", NOW) == dt.datetime(2024, 2, 29, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("2020-05-04T03:02:01Z", dt.datetime(2020, 5, 4, 3, 2, 1, tzinfo=UTC)),
    ("2020-05-04T03:02:01.5Z", dt.datetime(2020, 5, 4, 3, 2, 1, 500000, tzinfo=UTC)),
    ("2020-05-04T03:02:01", dt.datetime(2020, 5, 4, 3, 2, 1, tzinfo=UTC)),
    ("2020-05-04", dt.datetime(2020, 5, 4, tzinfo=UTC)),
    ("2020-05-04T05:02:01+02:00", dt.datetime(2020, 5, 4, 3, 2, 1, tzinfo=UTC)),
    ("2020-05-04T03:02:01Z+1YEAR", dt.datetime(2021, 5, 4, 3, 2, 1, tzinfo=UTC)),
])
def test_iso_dates_with_or_without_time(value: str, expected: dt.datetime):
    """ISO dates are accepted with or without time, fraction, Z or offset, and may carry math."""
    assert compiler.parse_solr_date(value, NOW) == expected


@pytest.mark.parametrize("value", ["yesterday", "NOW-1FORTNIGHT", "NOW-DAY", "2020-13-01", "2020-01-01T", "NOW/"])
def test_invalid_dates_are_rejected(value: str):
    """Unparseable dates and unknown units raise SearchQueryError."""
    with pytest.raises(SearchQueryError):
        compiler.parse_solr_date(value, NOW)


def test_stored_date_format():
    """Dates in terms are second-precision UTC with a Z."""
    assert compiler.format_solr_date(dt.datetime(2024, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2024-01-02T03:04:05Z"


@pytest.mark.parametrize(("name", "kind", "multi", "stored"), [
    ("title", "text", False, True),
    ("tags", "string", True, True),
    ("name", "string", False, True),
    ("extras_theme", "text", False, True),
    ("extras_start_date", "text", False, True),
    ("res_extras_size", "text", True, True),
    ("vocab_themes", "string", True, True),
    ("temporal_start_date", "date", False, True),
    ("metadata_modified", "date", False, True),
    ("views_total", "int", False, False),
    ("permission_labels", "string", True, False),
    ("creator_user_id", "string", False, False),
])
def test_field_typing_follows_the_schema(name: str, kind: str, multi: bool, stored: bool):
    """Fields and dynamic fields get the type, arity and storage of CKAN's schema.xml."""
    field = fields.get_field(name)
    assert (field.kind, field.multi, field.stored) == (kind, multi, stored)


def test_text_field_copy_weights():
    """Fields copied into text carry the search vector weight of their group."""
    weights = {name: fields.get_field(name).weight
               for name in ("title", "name", "tags", "notes", "extras_x", "vocab_x", "author", "license_id")}
    assert weights == {"title": "A", "name": "A", "tags": "B", "notes": "B", "extras_x": "C",
                       "vocab_x": "C", "author": "D", "license_id": None}


def _compile(conn, query: lucene.Node) -> tuple[str, dict]:
    query_compiler = compiler.QueryCompiler(now=NOW)
    query_compiler.analyse(conn, query_compiler.text_atoms(query, "text"))
    return query_compiler.compile(query, "text"), query_compiler.params


def test_dismax_words_become_one_tsquery(conn):
    """All free-text clauses of a query are merged into a single search_vector match."""
    sql, params = _compile(conn, lucene.parse_dismax("budget conseil séance", "2<-1 5<80%"))
    assert sql.count("@@") == 1
    assert list(params.values()) == [
        "( ( ( 'budget' ) & ( 'conseil' ) ) | ( ( 'budget' ) & ( 'seanc' ) ) | ( ( 'conseil' ) & ( 'seanc' ) ) )"]


def test_user_values_are_bound_not_inlined(conn):
    """Values from the query only reach SQL as bound parameters."""
    sql, params = _compile(conn, lucene.parse("name:\"x'); DROP TABLE t; --\""))
    assert "DROP" not in sql and "x'); DROP TABLE t; --" in params.values()


def test_stopword_only_clause_is_dropped(conn):
    """A clause that analyses to nothing is left out instead of matching nothing."""
    sql, _params = _compile(conn, lucene.parse("tags:sport de", "AND"))
    assert "search_vector" not in sql and "terms @>" in sql


def test_prefix_of_a_stopword_still_matches(conn):
    """A prefix that is itself a stopword ("la*") falls back to the unstemmed form."""
    sql, params = _compile(conn, lucene.parse("la*"))
    assert list(params.values()) == ["'la':*"]
