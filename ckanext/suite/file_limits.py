"""Limits every reader of uploaded or fetched files enforces before its memory grows."""
from __future__ import annotations

from typing import IO, Any, Callable, Iterable, Iterator

__all__ = ["FileError", "LimitExceeded", "N_", "MAX_DEPTH", "MAX_COLUMNS", "MAX_CELL_BYTES",
           "MAX_LINE_BYTES", "check_width", "refuse_depth", "bounded_lines", "bounded_rows",
           "TokenGuard"]

# A table holds records (depth 2) whose cells may hold small structures
# (GeoJSON coordinates reach 5 or 6); 100,000 levels is an attack on the parser.
MAX_DEPTH = 32
# Excel's own column limit; nothing legitimate goes further.
MAX_COLUMNS = 16384
# One cell (a JSON string, number or nested value; a CSV field) larger than
# this is not data a person reads: a file built to exhaust memory.
MAX_CELL_BYTES = 1024 * 1024
# A CSV line longer than this is not a table row (missing line breaks, or an attack).
MAX_LINE_BYTES = 10 * 1024 * 1024


def N_(message: str) -> str:
    """Mark a message for extraction without translating it."""
    return message


class FileError(Exception):
    """A file a reader refuses; the message is meant for the data producer.

    Built from a message template marked with N_ and its keyword parameters;
    ``str(error)`` is the English text, ``error.translated(gettext)`` the
    translated one.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message translated by gettext (e.g. ckan's toolkit._)."""
        return gettext(self.template).format(**self.params)

    def __reduce__(self) -> Any:
        return _rebuild, (type(self), self.template, self.params)


def _rebuild(cls: type, template: str, params: dict[str, Any]) -> "FileError":
    return cls(template, **params)


class LimitExceeded(FileError):
    """The file goes past one of the limits: it was not read to the end."""


def check_width(width: int, limit: int = MAX_COLUMNS,
                error: type[LimitExceeded] = LimitExceeded) -> None:
    """Refuse a row of more than ``limit`` columns (raising ``error``, a LimitExceeded)."""
    if width > limit:
        raise error(N_("A row has {width} columns, more than the {limit} allowed: "
                               "the file was not read."), width=width, limit=limit)


def bounded_lines(text: IO[str], limit: int = MAX_LINE_BYTES) -> Iterator[str]:
    """The lines of a text stream, refusing one longer than ``limit`` before it is read
    whole (a file without line breaks would otherwise be one line in memory)."""
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        if len(line) > limit:
            raise LimitExceeded(N_("A line is longer than {limit} characters: the file is "
                                   "not a table or its line breaks are missing."),
                                limit=limit)
        yield line


def bounded_rows(rows: Iterable[list[str]], max_columns: int = MAX_COLUMNS
                 ) -> Iterator[list[str]]:
    """The rows, refusing one wider than ``max_columns`` (its cells are bounded by its line)."""
    for row in rows:
        if len(row) > max_columns:
            check_width(len(row), max_columns)
        yield row


_BACKSLASHES = b"\\\\"
_ESCAPED_QUOTE = b'\\"'


class TokenGuard:
    """Watches JSON bytes before a parser sees them: no value may span ``limit`` bytes.

    A string, number or run of brackets is only measured by the parser once
    it is whole, that is once its memory is taken; counting the bytes between
    two unescaped quotes refuses it first, at C speed (bytes.replace/find).
    """

    def __init__(self, limit: int = MAX_CELL_BYTES,
                 error: type[LimitExceeded] = LimitExceeded) -> None:
        self.limit = limit
        self.error = error
        self._since_quote = 0
        self._escape_pending = False

    def feed(self, chunk: bytes) -> None:
        """Measure one chunk; raise LimitExceeded when a value grows past the limit."""
        if not chunk:
            return
        if self._escape_pending:
            chunk = b"_" + chunk[1:]  # the first byte was escaped by the previous chunk
        # Same-length stand-ins, so that positions and gaps keep their sizes.
        plain = chunk.replace(_BACKSLASHES, b"__").replace(_ESCAPED_QUOTE, b"__")
        self._escape_pending = plain.endswith(b"\\")
        first = plain.find(b'"')
        if first < 0:
            self._since_quote += len(plain)
        else:
            self._check(self._since_quote + first)
            self._since_quote = len(plain) - plain.rfind(b'"') - 1
            if len(plain) > self.limit:
                self._check_inside(plain)
        self._check(self._since_quote)

    def _check_inside(self, plain: bytes) -> None:
        # Only a chunk larger than the limit can hold a whole oversized gap.
        start = plain.find(b'"')
        while start >= 0:
            end = plain.find(b'"', start + 1)
            if end < 0:
                return
            self._check(end - start - 1)
            start = end

    def _check(self, gap: int) -> None:
        if gap > self.limit:
            raise self.error(N_("A value of the JSON file is longer than {limit} bytes: "
                                   "the file was not read."), limit=self.limit)


def refuse_depth(depth: int, limit: int = MAX_DEPTH,
                 error: type[LimitExceeded] = LimitExceeded) -> None:
    """Refuse nesting deeper than ``limit`` (raising ``error``, a LimitExceeded)."""
    if depth > limit:
        raise error(N_("The JSON nesting is deeper than {limit} levels: "
                               "the file was not read."), limit=limit)

