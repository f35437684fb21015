"""Streaming CSV reading of what authorities publish: UTF-8 (BOM or not), CP1252, ``;`` or ``,``."""
from __future__ import annotations

import codecs
import csv
import io
from typing import IO, Iterator

from ckanext.suite import file_limits

__all__ = ["Sniffed", "sniff", "open_rows"]

_SAMPLE = 64 * 1024
_DELIMITERS = (";", ",", "\t", "|")

# Cells as long as a file would not be a table; the csv module's default is 128 KB.
csv.field_size_limit(10_000_000)


class Sniffed:
    """Encoding and delimiter guessed from the first bytes of a file."""

    def __init__(self, encoding: str, delimiter: str) -> None:
        self.encoding = encoding
        self.delimiter = delimiter

    def __repr__(self) -> str:
        return f"Sniffed({self.encoding!r}, {self.delimiter!r})"


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # Not final: the sample may end in the middle of a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        # Bytes CP1252 leaves undefined (0x81, 0x8d...): Latin-1 reads every byte.
        return "latin-1"


def _delimiter(text: str) -> str:
    """The candidate found most often outside quotes in the header line."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in ("\n", "\r") and not quoted:
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def sniff(sample: bytes) -> Sniffed:
    """Guess the encoding and the delimiter of a CSV file from its first bytes."""
    encoding = _encoding(sample)
    text = sample.decode(encoding, errors="replace")
    return Sniffed(encoding, _delimiter(text))


def open_rows(stream: IO[bytes]) -> tuple[Sniffed, Iterator[list[str]]]:
    """The sniffed dialect and an iterator over the file's rows (lists of strings).

    Reads the stream once, in chunks: memory does not grow with the file.
    """
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(
        stream, buffer_size=_SAMPLE)  # type: ignore[arg-type]
    sniffed = sniff(buffered.peek(_SAMPLE)[:_SAMPLE])
    # A byte the guessed encoding cannot read must not stop the whole file.
    text = io.TextIOWrapper(buffered, encoding=sniffed.encoding, errors="replace",
                            newline="")
    rows = csv.reader(file_limits.bounded_lines(text), delimiter=sniffed.delimiter)
    return sniffed, file_limits.bounded_rows(rows)
