"""Streaming CSV/TSV reading: encoding and delimiter detection on a bounded prefix."""
from __future__ import annotations

import codecs
import csv
import io
from typing import IO, Callable, Iterator, Optional

from ckanext.suite import file_limits

from . import N_, ScanError, ScanLimitError, ScanLimits

__all__ = ["detect_encoding", "sniff_delimiter", "iter_chunks", "read_csv",
           "parse_header", "DELIMITERS"]

DELIMITERS = (",", ";", "\t", "|")
_CONTROL = bytes(range(0, 9)) + bytes(range(14, 32))


def detect_encoding(prefix: bytes) -> str:
    """UTF-8 (with or without BOM) if the prefix decodes as such, else CP1252/Latin-1."""
    if not prefix.strip():
        raise ScanError(N_("The file is empty."))
    if b"\x00" in prefix:
        raise ScanError(N_("The file contains binary data (NUL bytes): it is not a text table."))
    if sum(prefix.count(bytes([c])) for c in _CONTROL) > max(8, len(prefix) // 100):
        raise ScanError(N_("The file contains binary data: it is not a text table."))
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        prefix.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def sniff_delimiter(sample: str, fmt: Optional[str] = None) -> str:
    """The delimiter among , ; TAB | that splits the first lines most consistently."""
    if fmt == "tsv":
        return "\t"
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]  # the last sampled line may be cut
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = []
        for line in lines:
            # Count outside quotes: quoted prose is full of commas.
            counts.append(sum(part.count(delimiter) for part in line.split('"')[::2]))
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=nonzero.count)
        score = (sum(1 for c in counts if c == mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_header(sample: str, delimiter: str, max_rows: int = 200) -> tuple[list[str], list[list[str]]]:
    """The header and the first complete rows of a decoded prefix."""
    if not sample.endswith("\n") and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ScanError(N_("The file is empty.")) from None
    except csv.Error as exc:
        raise ScanError(N_("The header line cannot be read: {error}."), error=str(exc)) from None
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= max_rows:
                break
    except csv.Error:
        pass
    return [h.strip() for h in header], rows


def _too_long(limits: ScanLimits) -> ScanError:
    return ScanLimitError(
        N_("A line is longer than {limit} bytes: "
           "the file is not a table or its line breaks are missing."),
        limit=limits.max_line_bytes)


def iter_chunks(stream: IO[bytes], limits: ScanLimits, first: bytes = b"",
                chunk_size: int = 1 << 20,
                keep_tail: Optional[Callable[[], bool]] = None) -> Iterator[bytes]:
    """Byte chunks that end on a line break, refusing lines over max_line_bytes.

    ``keep_tail`` says whether a last line without a line break is whole
    (False when reading stopped at a byte limit in the middle of it).
    """
    size = min(chunk_size, limits.max_line_bytes)
    if len(first) > limits.max_line_bytes and \
            max(map(len, first.split(b"\n")[:-1]), default=0) > limits.max_line_bytes:
        raise _too_long(limits)
    carry = first
    total = len(first)
    while True:
        block = stream.read(size)
        if block:
            total += len(block)
            buffer = carry + block if carry else block
        else:
            buffer = carry
        end = buffer.rfind(b"\n")
        # A line can only outgrow the limit across chunk borders: the
        # first line of the buffer is the only one to measure.
        head = buffer.find(b"\n")
        if (head if head >= 0 else len(buffer)) > limits.max_line_bytes:
            raise _too_long(limits)
        if not block:
            if buffer.endswith(b"\n") or (buffer and (keep_tail is None or keep_tail())):
                yield buffer if buffer.endswith(b"\n") else buffer + b"\n"
            elif end >= 0:
                yield buffer[: end + 1]  # the cut-off last line is left out
            return
        if end < 0:
            carry = buffer
            continue
        carry = buffer[end + 1:]
        yield buffer[: end + 1]


def read_csv(stream: IO[bytes], limits: ScanLimits, fmt: Optional[str] = None
             ) -> tuple[list[str], Iterator[list[str]]]:
    """A header and an iterator of rows (ragged rows kept), for cell-level readers."""
    prefix = stream.read(min(65536, limits.max_bytes))
    encoding = detect_encoding(prefix)
    delimiter = sniff_delimiter(prefix.decode(encoding, errors="replace"), fmt)

    def lines() -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(encoding)()
        for chunk in iter_chunks(stream, limits, prefix):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                text = chunk.decode("cp1252", errors="replace")
            if "\x00" in text:
                raise ScanError(N_("The file contains binary data (NUL bytes)."))
            yield from io.StringIO(text)

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        file_limits.check_width(len(header), limits.max_columns, ScanLimitError)
    except StopIteration:
        raise ScanError(N_("The file is empty.")) from None
    except csv.Error as exc:
        raise ScanError(N_("The file cannot be read as CSV: {error}."), error=str(exc)) from None

    def rows() -> Iterator[list[str]]:
        try:
            for count, row in enumerate(reader, 1):
                if limits.max_rows and count > limits.max_rows:
                    return
                file_limits.check_width(len(row), limits.max_columns, ScanLimitError)
                yield row
        except csv.Error as exc:
            raise ScanError(N_("The file cannot be read as CSV: {error}."),
                            error=str(exc)) from None

    return header, rows()
