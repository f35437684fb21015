"""Parser for the subset of Lucene/Solr query syntax that CKAN and its users send."""
from __future__ import annotations

import dataclasses
import enum
import re
from typing import Optional, Union

from ckan.lib.search.common import SearchQueryError

from . import fields

__all__ = [
    "Occur",
    "MatchAll",
    "Term",
    "Phrase",
    "Prefix",
    "Exists",
    "Range",
    "Clause",
    "BooleanQuery",
    "Node",
    "parse",
    "parse_dismax",
    "validate_min_should_match",
    "min_should_match",
]


class Occur(enum.Enum):
    """How a clause takes part in its boolean query."""

    MUST = "+"
    SHOULD = ""
    MUST_NOT = "-"


@dataclasses.dataclass(frozen=True)
class MatchAll:
    """``*:*``."""


@dataclasses.dataclass(frozen=True)
class _FieldValue:
    """A value searched in ``field``; ``field`` None means the default field."""

    field: Optional[str]
    value: str


class Term(_FieldValue):
    """A bare value."""


class Phrase(_FieldValue):
    """A double-quoted value."""


class Prefix(_FieldValue):
    """``value*``: values starting with ``value``."""


@dataclasses.dataclass(frozen=True)
class Exists:
    """``field:*``: documents with any value in the field."""

    field: Optional[str]


@dataclasses.dataclass(frozen=True)
class Range:
    """``[lower TO upper]``; None bounds are open (``*``)."""

    field: Optional[str]
    lower: Optional[str]
    upper: Optional[str]
    include_lower: bool
    include_upper: bool


@dataclasses.dataclass(frozen=True)
class Clause:
    """One sub-query of a boolean query with its occurrence."""

    occur: Occur
    query: "Node"


@dataclasses.dataclass(frozen=True)
class BooleanQuery:
    """A Lucene BooleanQuery; ``min_should_match`` is a Solr ``mm`` spec (dismax only)."""

    clauses: tuple[Clause, ...]
    min_should_match: Optional[str] = None


Node = Union[MatchAll, Term, Phrase, Prefix, Exists, Range, BooleanQuery]


class _Kind(enum.Enum):
    TERM = "term"
    PREFIX = "prefix term"
    STAR = "'*'"
    QUOTED = "quoted phrase"
    RANGE = "range"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    PLUS = "'+'"
    MINUS = "'-'"
    LPAREN = "'('"
    RPAREN = "')'"
    COLON = "':'"
    EOF = "end of query"


@dataclasses.dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str = ""
    # Only for ranges: (lower, upper, include_lower, include_upper).
    bounds: tuple[Optional[str], Optional[str], bool, bool] = (None, None, True, True)


# Characters that end a bare term (Lucene's term characters exclude these;
# "+" and "-" may appear inside a term but not start one).
_TERM_STOP = frozenset(' \t\n\r\u3000!():^[]"{}~*?\\/')
_OPERATORS = {"AND": _Kind.AND, "&&": _Kind.AND, "OR": _Kind.OR, "||": _Kind.OR, "NOT": _Kind.NOT}
_MAGIC_FIELDS = frozenset({"_query_", "_val_"})


def _error(message: str) -> SearchQueryError:
    return SearchQueryError(f"Invalid search query: {message}")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def tokens(self) -> list[_Token]:
        result = []
        while True:
            token = self._next()
            result.append(token)
            if token.kind is _Kind.EOF:
                return result

    def _peek_char(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def _next(self) -> _Token:
        text = self.text
        while self.pos < len(text) and text[self.pos].isspace():
            self.pos += 1
        if self.pos >= len(text):
            return _Token(_Kind.EOF)
        char = text[self.pos]
        simple = {"+": _Kind.PLUS, "-": _Kind.MINUS, "!": _Kind.NOT,
                  "(": _Kind.LPAREN, ")": _Kind.RPAREN, ":": _Kind.COLON}
        if char in simple:
            self.pos += 1
            return _Token(simple[char], char)
        if char == "^":
            raise _error("boosts ('^') are not supported")
        if char == "~":
            raise _error("fuzzy and proximity searches ('~') are not supported")
        if char == '"':
            return _Token(_Kind.QUOTED, self._quoted())
        if char in "[{":
            if char == "{" and self._peek_char(1) == "!":
                raise _error("local parameters ('{!...}') are not supported")
            return self._range()
        if char in "]}":
            raise _error(f"unexpected '{char}' outside a range")
        if char == "/":
            raise _error("regular expressions ('/.../') are not supported")
        if char == "?":
            raise _error("wildcards ('?') are not supported")
        if char == "*":
            following = self._peek_char(1)
            if following and (following not in _TERM_STOP or following in "*?\\"):
                raise _error("leading wildcards ('*...') are not supported")
            self.pos += 1
            return _Token(_Kind.STAR, "*")
        return self._term()

    def _term(self) -> _Token:
        text = self.text
        chars: list[str] = []
        escaped = False
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(text):
                    raise _error("the query ends with a lone backslash")
                chars.append(text[self.pos + 1])
                escaped = True
                self.pos += 2
                continue
            if char in "*?":
                following = self._peek_char(1)
                if char == "*" and (not following or following in _TERM_STOP and following not in "*?\\"):
                    self.pos += 1
                    return _Token(_Kind.PREFIX, "".join(chars))
                raise _error("wildcards other than a trailing '*' are not supported")
            if char in _TERM_STOP:
                break
            chars.append(char)
            self.pos += 1
        value = "".join(chars)
        if not escaped and value in _OPERATORS:
            return _Token(_OPERATORS[value], value)
        return _Token(_Kind.TERM, value)

    def _quoted(self) -> str:
        text = self.text
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                chars.append(text[self.pos + 1])
                self.pos += 2
                continue
            if char == '"':
                self.pos += 1
                return "".join(chars)
            chars.append(char)
            self.pos += 1
        raise _error("unbalanced double quotes")

    def _range(self) -> _Token:
        include_lower = self.text[self.pos] == "["
        self.pos += 1
        lower = self._range_bound()
        self._skip_space()
        if self.text[self.pos:self.pos + 2] != "TO" or not (self._peek_char(2).isspace() or self._peek_char(2) == '"'):
            raise _error("a range must look like '[a TO b]'")
        self.pos += 2
        upper = self._range_bound()
        self._skip_space()
        closing = self._peek_char()
        if closing not in ("]", "}"):
            raise _error("a range must end with ']' or '}'")
        self.pos += 1
        return _Token(_Kind.RANGE, "", (lower, upper, include_lower, closing == "]"))

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _range_bound(self) -> Optional[str]:
        self._skip_space()
        if self._peek_char() == '"':
            return self._quoted()
        chars: list[str] = []
        escaped = False
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char.isspace() or char in "]}":
                break
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos + 1])
                escaped = True
                self.pos += 2
                continue
            chars.append(char)
            self.pos += 1
        value = "".join(chars)
        if not value:
            raise _error("a range bound is missing")
        if value == "*" and not escaped:
            return None
        return value


_MODIFIERS = {_Kind.PLUS: Occur.MUST, _Kind.MINUS: Occur.MUST_NOT, _Kind.NOT: Occur.MUST_NOT}


def _add_clause(clauses: list[Clause], conj: Optional[_Kind], modifier: Optional[Occur],
                query: Node, default_and: bool) -> None:
    """Append ``query`` the way Lucene's classic parser does, including how
    AND/OR change the occurrence of the preceding clause."""
    if clauses and conj is not None:
        last = clauses[-1]
        if last.occur is not Occur.MUST_NOT:
            if conj is _Kind.AND:
                clauses[-1] = Clause(Occur.MUST, last.query)
            elif default_and:
                # "a OR b" under q.op=AND: the first clause was made required
                # when it was added; OR makes it optional again.
                clauses[-1] = Clause(Occur.SHOULD, last.query)
    if modifier is Occur.MUST_NOT:
        occur = Occur.MUST_NOT
    elif default_and:
        occur = Occur.SHOULD if conj is _Kind.OR else Occur.MUST
    else:
        occur = Occur.MUST if modifier is Occur.MUST or conj is _Kind.AND else Occur.SHOULD
    clauses.append(Clause(occur, query))


#: Deepest nesting of parentheses a query may have: CKAN's own queries use one or two
#: levels, and each level costs the parser a Python stack frame.
MAX_NESTING = 32


class _Parser:
    def __init__(self, tokens: list[_Token], default_and: bool) -> None:
        self.tokens = tokens
        self.index = 0
        self.default_and = default_and
        self.depth = 0

    def _peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def _advance(self) -> _Token:
        token = self._peek()
        self.index += 1
        return token

    def parse(self) -> Node:
        return self._query(None, nested=False)

    def _query(self, field: Optional[str], nested: bool = True) -> Node:
        clauses: list[Clause] = []
        while self._peek().kind is not _Kind.EOF:
            if self._peek().kind is _Kind.RPAREN:
                if nested:
                    break
                raise _error("unbalanced parentheses")
            conj = None
            if self._peek().kind in (_Kind.AND, _Kind.OR):
                if not clauses:
                    raise _error(f"'{self._peek().text}' must come between two clauses")
                conj = self._advance().kind
            modifier = None
            if self._peek().kind in _MODIFIERS:
                modifier = _MODIFIERS[self._advance().kind]
            _add_clause(clauses, conj, modifier, self._clause(field), self.default_and)
        if not clauses:
            raise _error("empty query or group")
        if len(clauses) == 1 and clauses[0].occur is not Occur.MUST_NOT:
            return clauses[0].query
        return BooleanQuery(tuple(clauses))

    def _clause(self, field: Optional[str]) -> Node:
        token = self._peek()
        if token.kind in (_Kind.TERM, _Kind.STAR) and self._peek(1).kind is _Kind.COLON:
            self.index += 2
            if token.kind is _Kind.STAR:
                if self._advance().kind is not _Kind.STAR:
                    raise _error("the only query on the '*' field is '*:*'")
                return MatchAll()
            if token.text in _MAGIC_FIELDS:
                raise _error(f"magic field '{token.text}' is not supported")
            if not fields.is_valid_name(token.text):
                raise _error(f"invalid field name '{token.text}'")
            field = token.text
            token = self._peek()
        if token.kind is _Kind.LPAREN:
            self._advance()
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise _error(f"parentheses nested deeper than {MAX_NESTING} levels")
            query = self._query(field)
            if self._advance().kind is not _Kind.RPAREN:
                raise _error("unbalanced parentheses")
            self.depth -= 1
            return query
        return self._term(field)

    def _term(self, field: Optional[str]) -> Node:
        token = self._advance()
        if token.kind is _Kind.TERM:
            return Term(field, token.text)
        if token.kind is _Kind.QUOTED:
            return Phrase(field, token.text)
        if token.kind is _Kind.PREFIX:
            return Prefix(field, token.text)
        if token.kind is _Kind.STAR:
            return Exists(field)
        if token.kind is _Kind.RANGE:
            return Range(field, *token.bounds)
        if token.kind is _Kind.EOF:
            raise _error("the query ends where a term was expected")
        raise _error(f"unexpected {token.kind.value}")


def _refuse_nul(query: str) -> None:
    # PostgreSQL text cannot hold NUL, so such a value could never match.
    if "\x00" in query:
        raise _error("the query contains a NUL character")


def parse(query: str, default_operator: str = "OR") -> Node:
    """Parse a Lucene standard-syntax query; ``default_operator`` is Solr's ``q.op``.

    Raises SearchQueryError for syntax outside the supported subset.
    """
    if not query.strip():
        raise _error("the query is empty")
    _refuse_nul(query)
    if default_operator not in ("AND", "OR"):
        raise _error(f"q.op must be AND or OR, not {default_operator!r}")
    tokens = _Lexer(query).tokens()
    return _Parser(tokens, default_operator == "AND").parse()


_DISMAX_OPERATORS = {"AND": _Kind.AND, "&&": _Kind.AND, "OR": _Kind.OR, "||": _Kind.OR}


def _dismax_tokens(query: str) -> list[tuple[str, str]]:
    # Solr drops every quote when they are unbalanced rather than failing.
    if _unescaped_quotes(query) % 2:
        query = query.replace('"', "")
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        char = query[pos]
        if char.isspace():
            pos += 1
        elif char in "+-":
            end = pos
            while end < len(query) and query[end] in "+-":
                end += 1
            # A run of several signs is an illegal operator that Solr strips.
            if end - pos == 1:
                tokens.append(("sign", char))
            pos = end
        elif char == '"':
            end = pos + 1
            chars = []
            while end < len(query) and query[end] != '"':
                if query[end] == "\\" and end + 1 < len(query):
                    end += 1
                chars.append(query[end])
                end += 1
            tokens.append(("phrase", "".join(chars)))
            pos = end + 1
        else:
            end = pos
            chars = []
            while end < len(query) and not query[end].isspace() and query[end] != '"':
                if query[end] == "\\" and end + 1 < len(query):
                    end += 1
                chars.append(query[end])
                end += 1
            word = "".join(chars)
            if word in _DISMAX_OPERATORS:
                tokens.append(("conj", word))
            elif word == "NOT":
                tokens.append(("sign", "-"))
            else:
                tokens.append(("word", word))
            pos = end
    return tokens


def _unescaped_quotes(query: str) -> int:
    return len(re.findall(r'(?<!\\)(?:\\\\)*"', query))


def parse_dismax(query: str, mm: Optional[str]) -> Node:
    """Parse a DisMax user query: words, "phrases", +/- and AND/OR/NOT; every
    other special character is literal. ``mm`` is attached for the compiler."""
    if query.strip() == "*:*":
        return MatchAll()
    _refuse_nul(query)
    if mm is not None:
        validate_min_should_match(mm)
    clauses: list[Clause] = []
    conj: Optional[_Kind] = None
    modifier: Optional[Occur] = None
    for kind, text in _dismax_tokens(query):
        if kind == "conj":
            # Operators that do not sit between two clauses are dropped,
            # as Solr's dismax strips illegal operators.
            conj = _DISMAX_OPERATORS[text] if clauses else None
        elif kind == "sign":
            modifier = Occur.MUST if text == "+" else Occur.MUST_NOT
        else:
            node: Node = Phrase(None, text) if kind == "phrase" else Term(None, text)
            _add_clause(clauses, conj, modifier, node, default_and=False)
            conj = modifier = None
    return BooleanQuery(tuple(clauses), mm)


_MM_PART = r"-?\d+%?"
_MM_RE = re.compile(rf"^\s*(?:{_MM_PART}|(?:\d+\s*<\s*{_MM_PART}\s*)+)\s*$")


def validate_min_should_match(spec: str) -> None:
    """Raise SearchQueryError unless ``spec`` is a valid Solr ``mm`` value."""
    if not _MM_RE.match(spec):
        raise SearchQueryError(f"Invalid search query: unsupported mm value {spec!r}")


def min_should_match(optional: int, spec: str) -> int:
    """How many of ``optional`` SHOULD clauses must match under the ``mm`` spec."""
    spec = spec.strip()
    if "<" in spec:
        result = optional
        for condition in re.sub(r"\s*<\s*", "<", spec).split():
            upper, sub_spec = condition.split("<", 1)
            if optional <= int(upper):
                return result
            result = min_should_match(optional, sub_spec)
        return result
    if spec.endswith("%"):
        percent = int(spec[:-1])
        # Solr truncates towards zero, then a negative value means "all but".
        part = abs(optional * percent) // 100
        result = optional - part if percent < 0 else part
    else:
        number = int(spec)
        result = optional + number if number < 0 else number
    return max(0, min(result, optional))
