"""Compiles parsed Lucene queries and Solr sort specs into SQL over the document table aliased ``d``."""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import decimal
import itertools
import json
import math
import re
from typing import Any, Literal, Optional, Union

import sqlalchemy as sa

from ckan.lib.search.common import SearchQueryError

from . import ddl, fields, lucene

__all__ = [
    "TextAtom",
    "SortKey",
    "QueryCompiler",
    "analyse_atoms",
    "parse_solr_date",
    "parse_iso_date",
    "format_solr_date",
    "normalise_number",
]

#: ts_rank_cd weights for D, C, B and A lexemes.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

_CFG = f"'{ddl.TS_CONFIG}'::regconfig"


@dataclasses.dataclass(frozen=True)
class TextAtom:
    """A piece of user text to turn into a tsquery: words, a phrase or a prefix."""

    kind: Literal["plain", "phrase", "prefix"]
    text: str


@dataclasses.dataclass(frozen=True)
class SortKey:
    """One ORDER BY key: an SQL expression over ``d`` (or ``score``)."""

    expression: str
    descending: bool
    is_text: bool


def analyse_atoms(conn: Any, atoms: list[TextAtom]) -> dict[TextAtom, str]:
    """Turn text atoms into tsquery texts in one round trip; stopword-only atoms map to ''."""
    if not atoms:
        return {}
    payload = [
        {"ord": index, "kind": atom.kind, "txt": atom.text, "q": _quote_tsquery_prefix(atom.text)}
        for index, atom in enumerate(atoms)
    ]
    # Prefixes go through the stemming configuration so that "equipement*"
    # finds the stem "equip"; a prefix the configuration drops as a stopword
    # ("la*") falls back to the unstemmed, accent-folded form.
    sql = sa.text(f"""
        SELECT a.ord, CASE a.kind
            WHEN 'plain' THEN plainto_tsquery({_CFG}, a.txt)::text
            WHEN 'phrase' THEN phraseto_tsquery({_CFG}, a.txt)::text
            ELSE coalesce(nullif(to_tsquery({_CFG}, a.q)::text, ''),
                          to_tsquery('simple'::regconfig, unaccent(a.q))::text)
        END
        FROM jsonb_to_recordset(CAST(:atoms AS jsonb)) AS a(ord int, kind text, txt text, q text)
    """)
    rows = conn.execute(sql, {"atoms": json.dumps(payload)}).fetchall()
    return {atoms[row[0]]: row[1] or "" for row in rows}


def _quote_tsquery_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}':*"


_DATE_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_MATH_RE = re.compile(r"([+-])(\d+)([A-Za-z]+)|/([A-Za-z]+)")
_UNITS = {
    "YEAR": "year", "YEARS": "year",
    "MONTH": "month", "MONTHS": "month",
    "DAY": "day", "DAYS": "day", "DATE": "day",
    "HOUR": "hour", "HOURS": "hour",
    "MINUTE": "minute", "MINUTES": "minute",
    "SECOND": "second", "SECONDS": "second",
    "MILLI": "milli", "MILLIS": "milli", "MILLISECOND": "milli", "MILLISECONDS": "milli",
}


def parse_solr_date(value: str, now: dt.datetime) -> dt.datetime:
    """Evaluate a Solr date with optional date math (``NOW-1DAY/DAY``, ``2020-01-01T00:00:00Z+1YEAR``) in UTC."""
    if value.startswith("NOW"):
        moment = now.astimezone(dt.timezone.utc)
        rest = value[3:]
    else:
        match = _DATE_RE.match(value)
        try:
            if not match:
                raise ValueError(value)
            moment = _match_to_datetime(match)
        except ValueError:
            raise SearchQueryError(f"Invalid search query: invalid date {value!r}")
        rest = value[match.end():]
    position = 0
    while position < len(rest):
        step = _MATH_RE.match(rest, position)
        if not step:
            raise SearchQueryError(f"Invalid search query: invalid date math {value!r}")
        sign, amount, unit, round_unit = step.groups()
        name = _UNITS.get((unit or round_unit).upper())
        if name is None:
            raise SearchQueryError(f"Invalid search query: unknown date unit in {value!r}")
        try:
            if round_unit:
                moment = _round_date(moment, name)
            else:
                moment = _add_to_date(moment, name, int(amount) * (1 if sign == "+" else -1))
        except (OverflowError, ValueError):
            raise SearchQueryError(f"Invalid search query: date out of range {value!r}")
        position = step.end()
    return moment


def parse_iso_date(value: str) -> dt.datetime:
    """Parse an ISO 8601 date or date-time (UTC unless an offset is given); raises ValueError."""
    match = _DATE_RE.fullmatch(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not an ISO 8601 date")
    return _match_to_datetime(match)


def _match_to_datetime(match: re.Match[str]) -> dt.datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tzinfo = dt.timezone.utc
    if zone and zone != "Z":
        digits = zone.replace(":", "")
        offset = dt.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        tzinfo = dt.timezone(offset if digits[0] == "+" else -offset)
    moment = dt.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
        int((fraction or "0").ljust(6, "0")[:6]), tzinfo=tzinfo,
    )
    return moment.astimezone(dt.timezone.utc)


def _add_to_date(moment: dt.datetime, unit: str, amount: int) -> dt.datetime:
    if unit in ("year", "month"):
        months = moment.year * 12 + moment.month - 1 + (amount * 12 if unit == "year" else amount)
        year, month = divmod(months, 12)
        # Like Solr, land on the last day of a shorter month.
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)
    seconds = {"day": 86400, "hour": 3600, "minute": 60, "second": 1, "milli": 0.001}[unit]
    return moment + dt.timedelta(seconds=seconds * amount)


def _round_date(moment: dt.datetime, unit: str) -> dt.datetime:
    if unit == "milli":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    moment = moment.replace(microsecond=0)
    order = ["second", "minute", "hour", "day", "month", "year"]
    keep = order.index(unit)
    if keep >= 1:
        moment = moment.replace(second=0)
    if keep >= 2:
        moment = moment.replace(minute=0)
    if keep >= 3:
        moment = moment.replace(hour=0)
    if keep >= 4:
        moment = moment.replace(day=1)
    if keep >= 5:
        moment = moment.replace(month=1)
    return moment


def format_solr_date(moment: dt.datetime) -> str:
    """Format as the ``YYYY-MM-DDTHH:MM:SSZ`` form stored in terms."""
    moment = moment.astimezone(dt.timezone.utc)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def normalise_number(value: Any, kind: str) -> str:
    """Canonical string of an int or float value, so that equal numbers have equal terms.

    Raises ValueError when the value is not a number of that kind.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if kind == "int":
        return str(int(value if isinstance(value, int) else str(value).strip()))
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{value!r} is not a finite number")
    return repr(number)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclasses.dataclass(frozen=True)
class _VectorMatch:
    """``d.search_vector @@ tsquery``, kept symbolic so that siblings can be merged."""

    tsquery: str


_Part = Union[str, _VectorMatch]

#: Beyond this many combinations, "at least k of n" is counted in SQL
#: instead of being spelled out as a tsquery.
_MAX_COMBINATIONS = 64


def _fold_at_least(parts: list[_VectorMatch], count: int) -> Optional[str]:
    """A tsquery matching when at least ``count`` of ``parts`` match, or None if too large."""
    if not parts:
        return None
    terms = [f"( {part.tsquery} )" for part in parts]
    if count >= len(terms):
        return " & ".join(terms)
    if count == 1:
        return "( " + " | ".join(terms) + " )"
    if math.comb(len(terms), count) > _MAX_COMBINATIONS:
        return None
    return "( " + " | ".join(
        "( " + " & ".join(combination) + " )"
        for combination in itertools.combinations(terms, count)) + " )"


#: Beside each text match, only to tell the planner what reading vectors costs (see
#: ``ddl.VECTOR_READ``). The planner prices an OR as all its arms, so the match is priced
#: with the hint's cost; the executor stops at the first true arm, and the first one is
#: true for every row (an index id is never empty), so the hint is never called. Called
#: beside the match instead, once per matched row, the PL/pgSQL call cost 5 of the 21 ms
#: of reading the 13,108 matches of a two-word query among 100,000 datasets (warm cache).
#: Should a row ever fail the first arm, the hint says true: the condition is always true
#: whichever arm answers.
_VECTOR_HINT = f"(d.index_id <> '' OR {ddl.VECTOR_READ}(d.search_vector))"


class QueryCompiler:
    """Compiles the queries of one request; parameters accumulate in ``params``."""

    def __init__(self, now: Optional[dt.datetime] = None, vector_hint: bool = True) -> None:
        self.params: dict[str, Any] = {}
        #: Whether the planner hint of text matches exists (``ddl.VECTOR_READ``).
        self.vector_hint = vector_hint
        #: Whether a date was relative to NOW: such conditions are never the same twice.
        self.uses_now = False
        #: Solr evaluates NOW once per request.
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self._lexemes: dict[TextAtom, str] = {}
        self._rank_terms: list[str] = []

    def _date(self, value: str) -> dt.datetime:
        if value.startswith("NOW"):
            self.uses_now = True
        return parse_solr_date(value, self.now)

    def bind(self, value: Any) -> str:
        """Register a bound parameter and return its placeholder."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    # -- text analysis -------------------------------------------------

    def text_atoms(self, node: lucene.Node, default_field: str) -> list[TextAtom]:
        """The text atoms ``node`` needs analysed before it can be compiled."""
        if isinstance(node, lucene.BooleanQuery):
            return [atom for clause in node.clauses
                    for atom in self.text_atoms(clause.query, default_field)]
        if isinstance(node, (lucene.Term, lucene.Phrase, lucene.Prefix)):
            field = fields.get_field(node.field or default_field)
            if field.kind == "text":
                return [self._atom(node)]
        return []

    def analyse(self, conn: Any, atoms: list[TextAtom]) -> None:
        """Look up the tsqueries of ``atoms`` (one query for all of them)."""
        missing = [atom for atom in dict.fromkeys(atoms) if atom not in self._lexemes]
        self._lexemes.update(analyse_atoms(conn, missing))

    @staticmethod
    def _atom(node: Union[lucene.Term, lucene.Phrase, lucene.Prefix]) -> TextAtom:
        if isinstance(node, lucene.Phrase):
            return TextAtom("phrase", node.value)
        if isinstance(node, lucene.Prefix):
            return TextAtom("prefix", node.value)
        return TextAtom("plain", node.value)

    @property
    def rank_query(self) -> Optional[str]:
        """A tsquery (text) OR-ing every positive text atom, for ranking; None if none."""
        terms = list(dict.fromkeys(self._rank_terms))
        if not terms:
            return None
        return " | ".join(f"( {term} )" for term in terms)

    # -- queries -------------------------------------------------------

    def compile(self, node: lucene.Node, default_field: str) -> str:
        """SQL boolean expression for ``node``; a query that analysed to
        nothing (only stopwords) matches nothing, like an empty Lucene query."""
        part = self._compile(node, default_field, positive=True)
        return "FALSE" if part is None else self._sql(part)

    def _sql(self, part: _Part) -> str:
        if isinstance(part, _VectorMatch):
            match = f"d.search_vector @@ CAST({self.bind(part.tsquery)} AS tsquery)"
            return f"({match} AND {_VECTOR_HINT})" if self.vector_hint else match
        return part

    def _compile(self, node: lucene.Node, default_field: str, positive: bool) -> Optional[_Part]:
        if isinstance(node, lucene.MatchAll):
            return "TRUE"
        if isinstance(node, lucene.BooleanQuery):
            return self._boolean(node, default_field, positive)
        field = fields.get_field(node.field or default_field)
        if not field.indexed:
            raise SearchQueryError(f"Invalid search query: field '{field.name}' is not indexed")
        if isinstance(node, lucene.Exists):
            return self._exists(field)
        if isinstance(node, lucene.Range):
            return self._range(field, node)
        if field.kind == "text":
            return self._text_match(field, node, positive)
        if field.kind == "ngram":
            return self._substring(field, node.value)
        if isinstance(node, lucene.Prefix):
            if field.kind != "string":
                raise SearchQueryError(
                    f"Invalid search query: prefix queries are not supported on {field.kind} field '{field.name}'")
            return self._string_prefix(field, node.value)
        return self._equals(field, node.value)

    def _boolean(self, node: lucene.BooleanQuery, default_field: str, positive: bool) -> Optional[_Part]:
        must: list[_Part] = []
        should: list[_Part] = []
        must_not: list[_Part] = []
        for clause in node.clauses:
            negated = clause.occur is lucene.Occur.MUST_NOT
            part = self._compile(clause.query, default_field, positive != negated)
            if part is None:
                # Lucene drops clauses whose text analysed to nothing.
                continue
            {lucene.Occur.MUST: must, lucene.Occur.SHOULD: should,
             lucene.Occur.MUST_NOT: must_not}[clause.occur].append(part)
        if not (must or should or must_not):
            return None
        required = 0
        if should and node.min_should_match is not None:
            required = min(lucene.min_should_match(len(should), node.min_should_match), len(should))
        if should and required == 0 and not must:
            # Without required clauses at least one optional clause has to
            # match; with them, optional clauses only contribute to the score.
            required = 1

        # Matches against the search vector are merged into one tsquery: the
        # vector is read (and detoasted) once and the GIN index sees it all.
        vector_terms = [f"( {part.tsquery} )" for part in must if isinstance(part, _VectorMatch)]
        sql_parts = [part for part in must if not isinstance(part, _VectorMatch)]
        if should and required:
            vector_should = [part for part in should if isinstance(part, _VectorMatch)]
            folded = _fold_at_least(vector_should, required) if len(vector_should) == len(should) else None
            if folded:
                vector_terms.append(folded)
            else:
                sql_should = [self._sql(part) for part in should]
                if required == 1:
                    sql_parts.append(_any(sql_should))
                elif required < len(sql_should):
                    sql_parts.append(_at_least(sql_should, required))
                else:
                    sql_parts.extend(sql_should)
        vector_not = [part.tsquery for part in must_not if isinstance(part, _VectorMatch)]
        if vector_not:
            vector_terms.append("!( " + " | ".join(f"( {term} )" for term in vector_not) + " )")
        sql_not = [part for part in must_not if not isinstance(part, _VectorMatch)]
        if sql_not:
            sql_parts.append(f"({_any(sql_not)}) IS NOT TRUE")
        if vector_terms:
            vector = _VectorMatch(" & ".join(vector_terms))
            if not sql_parts:
                return vector
            sql_parts.append(self._sql(vector))
        return _all(sql_parts)

    def _text_match(self, field: fields.Field, node: Union[lucene.Term, lucene.Phrase, lucene.Prefix],
                    positive: bool) -> Optional[_Part]:
        atom = self._atom(node)
        if atom not in self._lexemes:
            raise RuntimeError("text atoms must be analysed before compiling")
        tsquery = self._lexemes[atom]
        if not tsquery:
            return None
        if positive:
            self._rank_terms.append(tsquery)
        if field.name == "text":
            return _VectorMatch(tsquery)
        return f"{self._vector(field)} @@ CAST({self.bind(tsquery)} AS tsquery)"

    def _vector(self, field: fields.Field) -> str:
        if field.name == "text":
            return "d.search_vector"
        values = " || ".join(
            f"coalesce(d.terms -> {self.bind(source)}, '[]'::jsonb)" for source in field.source_fields)
        return f"to_tsvector({_CFG}, {values})"

    def _values_exist(self, field_name: str, condition: str) -> str:
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.terms -> {self.bind(field_name)})"
                f" AS v(value) WHERE {condition})")

    def _substring(self, field: fields.Field, value: str) -> str:
        pattern = self.bind(f"%{_like_escape(value.lower())}%")
        return _any([self._values_exist(source, f"lower(v.value) LIKE {pattern}")
                     for source in field.source_fields])

    def _string_prefix(self, field: fields.Field, value: str) -> str:
        pattern = self.bind(f"{_like_escape(value)}%")
        if field.name in fields.COLUMN_FIELDS:
            return f"d.{field.name} LIKE {pattern}"
        return self._values_exist(field.name, f"v.value LIKE {pattern}")

    def _equals(self, field: fields.Field, value: str) -> str:
        if field.kind == "date":
            moment = self._date(value)
            if field.name in fields.DATE_COLUMNS:
                return f"d.{field.name} = {self.bind(moment)}"
            if moment.microsecond:
                # Terms hold whole seconds, so nothing can be equal.
                return "FALSE"
            value = format_solr_date(moment)
        elif field.kind in ("int", "float"):
            try:
                value = normalise_number(value, field.kind)
            except ValueError:
                raise SearchQueryError(
                    f"Invalid search query: {value!r} is not a valid {field.kind} for field '{field.name}'")
        elif field.name == "permission_labels":
            return f"d.permission_labels @> CAST({self.bind([value])} AS text[])"
        elif field.name in fields.COLUMN_FIELDS:
            return f"d.{field.name} = {self.bind(value)}"
        entry = fields.filter_entry(field.name, value)
        if entry is not None:
            # Containment is answered exactly by the GIN index on filter_terms.
            return f"d.filter_terms @> CAST({self.bind([entry])} AS text[])"
        return f"d.terms @> CAST({self.bind(json.dumps({field.name: [value]}))} AS jsonb)"

    def _exists(self, field: fields.Field) -> str:
        if field.name == "text":
            return "length(d.search_vector) > 0"
        return f"d.terms ?| CAST({self.bind(list(field.source_fields))} AS text[])"

    def _range(self, field: fields.Field, node: lucene.Range) -> str:
        if field.kind in ("text", "ngram"):
            raise SearchQueryError(
                f"Invalid search query: range queries are not supported on text field '{field.name}'")
        if node.lower is None and node.upper is None:
            return self._exists(field)
        bounds: list[Any]
        if field.kind == "date":
            bounds = [None if bound is None else self._date(bound)
                      for bound in (node.lower, node.upper)]
            if field.name in fields.DATE_COLUMNS:
                return _all(_comparisons(f"d.{field.name}", bounds, node, self.bind))
            value = "CAST(v.value AS timestamptz)"
        elif field.kind in ("int", "float"):
            bounds = [None if bound is None else _range_number(bound, field)
                      for bound in (node.lower, node.upper)]
            value = "CAST(v.value AS numeric)"
        else:
            bounds = [node.lower, node.upper]
            # Solr orders strings by code point.
            value = 'v.value COLLATE "C"'
        return self._values_exist(field.name, _all(_comparisons(value, bounds, node, self.bind)))

    # -- sorting -------------------------------------------------------

    def sort_keys(self, spec: Optional[str]) -> list[SortKey]:
        """ORDER BY keys for a Solr ``sort`` value; raises SearchQueryError when invalid."""
        keys: list[SortKey] = []
        if not spec or not spec.strip():
            return [SortKey("score", True, False)]
        for part in spec.split(","):
            words = part.split()
            if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
                raise SearchQueryError('Invalid "sort" parameter')
            name, direction = words[0], words[1].lower() == "desc"
            if name == "score":
                keys.append(SortKey("score", direction, False))
                continue
            if not fields.is_valid_name(name):
                raise SearchQueryError('Invalid "sort" parameter')
            field = fields.get_field(name)
            if not field.sortable:
                raise SearchQueryError('Invalid "sort" parameter')
            if field.name in fields.DATE_COLUMNS:
                keys.append(SortKey(f"d.{field.name}", direction, False))
            elif field.name in fields.COLUMN_FIELDS:
                keys.append(SortKey(f"d.{field.name}", direction, True))
            elif field.kind in ("int", "float"):
                keys.append(SortKey(f"CAST(d.terms -> {self.bind(name)} ->> 0 AS numeric)", direction, False))
            else:
                # Stored dates are fixed-width ISO strings, so they sort as text.
                keys.append(SortKey(f"d.terms -> {self.bind(name)} ->> 0", direction, True))
        return keys


def _range_number(bound: str, field: fields.Field) -> decimal.Decimal:
    try:
        number = decimal.Decimal(bound)
    except decimal.InvalidOperation:
        number = decimal.Decimal("NaN")
    if not number.is_finite():
        raise SearchQueryError(
            f"Invalid search query: {bound!r} is not a valid {field.kind} for field '{field.name}'")
    return number


def _comparisons(value: str, bounds: list[Any], node: lucene.Range, bind: Any) -> list[str]:
    lower, upper = bounds
    result = []
    if lower is not None:
        result.append(f"{value} {'>=' if node.include_lower else '>'} {bind(lower)}")
    if upper is not None:
        result.append(f"{value} {'<=' if node.include_upper else '<'} {bind(upper)}")
    return result


def _all(parts: list[str]) -> str:
    if not parts:
        return "TRUE"
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _at_least(parts: list[str], count: int) -> str:
    matches = " + ".join(f"(CASE WHEN {part} THEN 1 ELSE 0 END)" for part in parts)
    # The OR is redundant logically but lets the planner use the indexes.
    return f"({_any(parts)} AND ({matches}) >= {count})"
