"""Tests for the Lucene query parser and the mm (minimum should match) arithmetic."""
from __future__ import annotations

import pytest

from ckan.lib.search.common import SearchQueryError

from ckanext.postgres_search import lucene
from ckanext.postgres_search.lucene import (
    BooleanQuery, Clause, Exists, MatchAll, Occur, Phrase, Prefix, Range, Term,
)

MUST, SHOULD, MUST_NOT = Occur.MUST, Occur.SHOULD, Occur.MUST_NOT


def occurs(query: lucene.Node) -> list[tuple[Occur, lucene.Node]]:
    assert isinstance(query, BooleanQuery)
    return [(clause.occur, clause.query) for clause in query.clauses]


def test_bare_term():
    """A bare word is a term on the default field."""
    assert lucene.parse("rivers") == Term(None, "rivers")


def test_fielded_term():
    """field:value targets that field."""
    assert lucene.parse("tags:economy") == Term("tags", "economy")


def test_phrase():
    """A double-quoted value is a phrase."""
    assert lucene.parse('"conseil municipal"') == Phrase(None, "conseil municipal")


def test_fielded_phrase_with_escaped_quote():
    """Backslash escapes inside quotes are unescaped."""
    assert lucene.parse(r'title:"le \"grand\" parc"') == Phrase("title", 'le "grand" parc')


def test_escaped_special_characters_in_term():
    """Backslash-escaped special characters become part of the term."""
    assert lucene.parse(r"name:qualite\-de\:l\-air") == Term("name", "qualite-de:l-air")


def test_hyphen_inside_term():
    """A hyphen inside a word does not split it."""
    assert lucene.parse("name:budget-primitif-2024") == Term("name", "budget-primitif-2024")


def test_match_all():
    """*:* matches everything."""
    assert lucene.parse("*:*") == MatchAll()


def test_field_exists():
    """field:* asks for documents having the field."""
    assert lucene.parse("extras_theme:*") == Exists("extras_theme")


def test_trailing_wildcard_is_prefix():
    """A trailing * makes a prefix query."""
    assert lucene.parse("name:budget*") == Prefix("name", "budget")


def test_escaped_star_is_literal():
    """An escaped * is part of the term, not a wildcard."""
    assert lucene.parse(r"name:budget\*") == Term("name", "budget*")


def test_inclusive_range():
    """[a TO b] includes both bounds."""
    assert lucene.parse("views_total:[10 TO 100]") == Range("views_total", "10", "100", True, True)


def test_exclusive_and_mixed_range():
    """{a TO b] excludes the lower bound only."""
    assert lucene.parse("views_total:{10 TO 100]") == Range("views_total", "10", "100", False, True)


def test_open_range_bounds():
    """* as a bound leaves that side open."""
    assert lucene.parse("metadata_modified:[NOW-1DAY TO *]") == Range(
        "metadata_modified", "NOW-1DAY", None, True, True)


def test_quoted_range_bound():
    """Range bounds may be quoted."""
    assert lucene.parse('name:["a b" TO c]') == Range("name", "a b", "c", True, True)


def test_default_operator_and_makes_terms_required():
    """With q.op=AND, juxtaposed clauses are all required."""
    assert occurs(lucene.parse("a b", "AND")) == [(MUST, Term(None, "a")), (MUST, Term(None, "b"))]


def test_default_operator_or_makes_terms_optional():
    """With the default q.op=OR, juxtaposed clauses are optional."""
    assert occurs(lucene.parse("a b")) == [(SHOULD, Term(None, "a")), (SHOULD, Term(None, "b"))]


def test_or_makes_both_sides_optional_under_and():
    """a OR b under q.op=AND makes both clauses optional, as Lucene does."""
    assert occurs(lucene.parse("a OR b", "AND")) == [(SHOULD, Term(None, "a")), (SHOULD, Term(None, "b"))]


def test_mixed_and_or_follows_lucene_precedence():
    """a OR b c under q.op=AND keeps a and b optional and c required."""
    assert occurs(lucene.parse("a OR b c", "AND")) == [
        (SHOULD, Term(None, "a")), (SHOULD, Term(None, "b")), (MUST, Term(None, "c"))]


def test_and_makes_both_sides_required_under_or():
    """a AND b under q.op=OR requires both."""
    assert occurs(lucene.parse("a AND b")) == [(MUST, Term(None, "a")), (MUST, Term(None, "b"))]


def test_symbolic_operators():
    """&& and || are AND and OR."""
    assert lucene.parse("a && b") == lucene.parse("a AND b")
    assert lucene.parse("a || b") == lucene.parse("a OR b")


def test_plus_and_minus_prefixes():
    """+ requires a clause and - prohibits it."""
    assert occurs(lucene.parse("+a -b")) == [(MUST, Term(None, "a")), (MUST_NOT, Term(None, "b"))]


def test_not_and_bang_prohibit():
    """NOT and ! prohibit the following clause."""
    assert occurs(lucene.parse("a AND NOT b")) == [(MUST, Term(None, "a")), (MUST_NOT, Term(None, "b"))]
    assert occurs(lucene.parse("!b")) == [(MUST_NOT, Term(None, "b"))]


def test_pure_negative_query_keeps_its_clause():
    """A lone negative clause stays a boolean query (compiled as "everything except")."""
    assert lucene.parse("-tags:sport") == BooleanQuery((Clause(MUST_NOT, Term("tags", "sport")),))


def test_field_group_applies_field_inside():
    """field:(a OR b) searches both values in that field."""
    assert occurs(lucene.parse("tags:(a OR b)")) == [(SHOULD, Term("tags", "a")), (SHOULD, Term("tags", "b"))]


def test_core_delete_query():
    """The query core uses to delete a dataset parses to three required clauses."""
    query = lucene.parse('+entity_type:package AND +(id:"x" OR name:"x") AND +site_id:"s"')
    assert occurs(query) == [
        (MUST, Term("entity_type", "package")),
        (MUST, BooleanQuery((Clause(SHOULD, Phrase("id", "x")), Clause(SHOULD, Phrase("name", "x"))))),
        (MUST, Phrase("site_id", "s")),
    ]


def test_core_filter_query():
    """Core's capacity/state filter parses with the state alternatives grouped."""
    query = lucene.parse("+capacity:public  +state:(active OR draft)", "AND")
    assert occurs(query) == [
        (MUST, Term("capacity", "public")),
        (MUST, BooleanQuery((Clause(SHOULD, Term("state", "active")), Clause(SHOULD, Term("state", "draft"))))),
    ]


@pytest.mark.parametrize("query", [
    "a~", "a~2", '"a b"~3', "a^2", "(a b)^3", "*a", "a?c", "a*c", "?a", "a**",
    "{!lucene}a", "{!bool must=test}", "_query_:x", "_val_:x", "/reg.x/",
    "(a", "a)", '"a', "a AND", "AND a", "a OR OR b", "[a b]", "[a TO b", "*:x",
    "name:-x", "a:b:c", "a\\", "", "   ", "()",
])
def test_unsupported_syntax_is_rejected(query: str):
    """Syntax outside the supported subset raises SearchQueryError."""
    with pytest.raises(SearchQueryError):
        lucene.parse(query)


def test_rejection_names_the_unsupported_feature():
    """The error message says what is not supported."""
    with pytest.raises(SearchQueryError, match="fuzzy"):
        lucene.parse("rivers~")


def test_invalid_q_op_is_rejected():
    """q.op must be AND or OR."""
    with pytest.raises(SearchQueryError):
        lucene.parse("a", "XOR")


def test_dismax_words_are_optional_with_mm():
    """DisMax words are optional clauses carrying the mm spec."""
    query = lucene.parse_dismax("budget conseil", "2<-1 5<80%")
    assert query == BooleanQuery(
        (Clause(SHOULD, Term(None, "budget")), Clause(SHOULD, Term(None, "conseil"))), "2<-1 5<80%")


def test_dismax_phrases_and_signs():
    """DisMax honours quoted phrases, + and -."""
    assert occurs(lucene.parse_dismax('"conseil municipal" -budget +séance', "1")) == [
        (SHOULD, Phrase(None, "conseil municipal")), (MUST_NOT, Term(None, "budget")),
        (MUST, Term(None, "séance"))]


def test_dismax_treats_lucene_syntax_literally():
    """In DisMax, colons, brackets and wildcards are plain characters."""
    assert occurs(lucene.parse_dismax("title:x [a] b*", "1")) == [
        (SHOULD, Term(None, "title:x")), (SHOULD, Term(None, "[a]")), (SHOULD, Term(None, "b*"))]


def test_dismax_drops_unbalanced_quotes():
    """DisMax removes every quote when they are unbalanced instead of failing."""
    assert occurs(lucene.parse_dismax('conseil "municipal', "1")) == [
        (SHOULD, Term(None, "conseil")), (SHOULD, Term(None, "municipal"))]


def test_dismax_ignores_dangling_operators():
    """A trailing sign or a leading AND is dropped in DisMax."""
    assert occurs(lucene.parse_dismax("AND conseil -", "1")) == [(SHOULD, Term(None, "conseil"))]


def test_dismax_rejects_invalid_mm():
    """An mm value that is not a Solr spec raises SearchQueryError."""
    with pytest.raises(SearchQueryError):
        lucene.parse_dismax("a b", "lots")


@pytest.mark.parametrize(("optional", "required"), [
    (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (10, 8),
])
def test_core_default_mm(optional: int, required: int):
    """Core's mm '2<-1 5<80%': all of 1-2, all but one of 3-5, 80% rounded down above."""
    assert lucene.min_should_match(optional, "2<-1 5<80%") == required


@pytest.mark.parametrize(("spec", "optional", "required"), [
    ("100%", 4, 4), ("0%", 4, 0), ("2", 5, 2), ("-2", 5, 3), ("-25%", 3, 3), ("75%", 3, 2), ("9", 3, 3),
])
def test_simple_mm_specs(spec: str, optional: int, required: int):
    """Integer, negative and percentage mm specs follow Solr's rounding."""
    assert lucene.min_should_match(optional, spec) == required
