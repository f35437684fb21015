"""scan_stream/scan_path: chunked byte prefilters, then per-line checks on candidates only."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import time
from typing import IO, Any, Iterable, Iterator, Optional

from ckanext.suite import file_limits

from . import N_, ScanError, ScanLimitError, ScanLimits
from . import columns as col_rules
from . import detectors as det
from . import csvread
from .csvread import detect_encoding, iter_chunks, parse_header, sniff_delimiter

__all__ = ["scan_stream", "scan_path", "read_table", "check_limits", "MESSAGES"]


MESSAGES = {
    "email": N_("E-mail addresses: they identify people directly."),
    "phone": N_("French phone numbers: they identify people directly."),
    "nir": N_("Social security numbers (NIR) with a valid key: their publication is forbidden."),
    "iban": N_("Bank account numbers (IBAN) with a valid checksum."),
    "rib": N_("French bank details (RIB) with a valid key."),
    "card": N_("Payment card numbers passing the Luhn check."),
    "ip": N_("IP addresses: they can identify a person's connection."),
    "birth_date": N_("Exact dates of birth: with other columns they single out people."),
    "birth_place": N_("Places of birth of people."),
    "address": N_("Precise street addresses next to people's names."),
    "name_column": N_("The column name announces people's names."),
    "plate": N_("Vehicle registration plates."),
}
_CHECKSUM_KINDS = {"nir", "iban", "rib", "card"}
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_TEN = b"0" * 10
_RUN = re.compile(rb"0+")
_FOURTEEN = b"0" * 14
_CORSICA = (b"000000A00000000", b"000000B00000000")
_IPV4_PRE = re.compile(rb"\.0{1,3}\.0{1,3}\.0")
_IPV6_PRE = re.compile(rb"::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")
_UPPER = bytes(range(65, 91))
# Digits to 0 and ASCII letters to lower case: one pass serves the IPv4 and
# the street-address prefilters.
_LOWER_ZEROS = bytes.maketrans(b"123456789" + _UPPER, b"000000000" + _UPPER.lower())
_VOIE_PRE = re.compile(
    rb"0,? (?:bis |ter )?(?:rue|avenue|av|bd|boulevard|impasse|all\xc3\xa9e|allee|all\xe9e|"
    rb"chemin|place|route|quai|cours|square|lotissement|passage|r\xc3\xa9sidence|"
    rb"r\xe9sidence|residence|lieu-dit|hameau|faubourg|esplanade|sentier) "
)


class _Bounded:
    """A read-only view of a stream that stops at max_bytes and says so."""

    def __init__(self, stream: IO[bytes], max_bytes: int) -> None:
        self.stream, self.left, self.hit = stream, max_bytes, False

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            if not self.hit and self.stream.read(1):
                self.hit = True
            return b""
        size = self.left if size < 0 else min(size, self.left)
        data = self.stream.read(size)
        self.left -= len(data)
        return data


def _count_rows(chunk: bytes, in_quote: bool) -> tuple[int, bool]:
    """Line breaks outside quoted fields, and whether the chunk ends inside one."""
    if not in_quote and b'"' not in chunk:
        return chunk.count(b"\n"), False
    parts = chunk.split(b'"')
    outside = parts[1::2] if in_quote else parts[0::2]
    return b"".join(outside).count(b"\n"), in_quote ^ bool((len(parts) - 1) % 2)


def _cut_rows(chunk: bytes, keep: int) -> bytes:
    """The first ``keep`` lines of a chunk."""
    pos = -1
    for _ in range(keep):
        pos = chunk.find(b"\n", pos + 1)
        if pos < 0:
            return chunk
    return chunk[: pos + 1]


class _Stat:
    __slots__ = ("count", "weak", "samples", "weak_samples")

    def __init__(self) -> None:
        self.count, self.weak = 0, 0
        self.samples: list[str] = []
        self.weak_samples: list[str] = []


class _Engine:
    """Holds per-column statistics while chunks of one file go through it."""

    def __init__(self, header: list[str], delimiter: str, encoding: str,
                 options: dict[str, Any], max_columns: int) -> None:
        self.header = header
        self.delimiter = delimiter
        self.encoding = encoding if encoding != "utf-8-sig" else "utf-8"
        self.options = options
        self.name_kinds = col_rules.classify_header(header)
        self.person_table = any(k in ("name_column", "birth_date", "nir")
                                for k in self.name_kinds.values())
        self.numeric_cols = {i for i, h in enumerate(header) if col_rules.is_numeric_context(h)}
        self.entity_cols = {i for i, h in enumerate(header) if col_rules.is_entity_column(h)}
        self.stats: dict[tuple[int, str], _Stat] = {}
        self.max_samples = int(options.get("samples", 3))
        self.max_columns = max_columns
        self.first_chunk = True
        self.candidate_lines = 0
        d = delimiter.encode()
        # Quotes become delimiters so that one replace finds quoted SIRETs too.
        self.squeeze_table = bytes.maketrans(b'123456789"', b"000000000" + d)
        self.siret, self.no_siret = d + _FOURTEEN + d, d + d

    # -- candidate selection: C-speed byte searches over the whole chunk --
    def _candidates(self, chunk: bytes) -> set[int]:
        lines: set[int] = set()
        squeezed = chunk.translate(self.squeeze_table, b" .-")
        # A whole 14-digit cell is a SIRET (Luhn-valid by design), never a
        # phone, NIR, IBAN or card: blank them out at C speed. Deleting
        # bytes is harmless because lines are counted in this same buffer.
        if _FOURTEEN in squeezed:
            # Twice: the first pass cannot see two SIRETs side by side.
            squeezed = squeezed.replace(self.siret, self.no_siret).replace(
                self.siret, self.no_siret)
        pos, nl, counted = 0, 0, 0
        while True:
            i = squeezed.find(_TEN, pos)
            if i < 0:
                break
            end = _RUN.match(squeezed, i).end()  # type: ignore[union-attr]
            pos = end
            nl += squeezed.count(b"\n", counted, i)
            counted = i
            lines.add(nl)
        for marker in _CORSICA:
            self._add_found(lines, squeezed, marker)
        zeros = chunk.translate(_LOWER_ZEROS)
        prefilters = [_IPV4_PRE.finditer(zeros), _IPV6_PRE.finditer(chunk)]
        if self.person_table:
            prefilters.append(_VOIE_PRE.finditer(zeros))
        for matches in prefilters:
            nl, counted = 0, 0
            for m in matches:  # in ascending order: count line breaks once
                nl += zeros.count(b"\n", counted, m.start())
                counted = m.start()
                lines.add(nl)
        self._add_found(lines, chunk, b"@")
        return lines

    @staticmethod
    def _add_found(lines: set[int], data: bytes, needle: bytes) -> None:
        pos, nl, counted = 0, 0, 0
        while True:
            i = data.find(needle, pos)
            if i < 0:
                return
            nl += data.count(b"\n", counted, i)
            counted = i
            lines.add(nl)
            pos = data.find(b"\n", i)
            if pos < 0:
                return

    def feed(self, chunk: bytes) -> None:
        """Scan one chunk that ends on a line break."""
        lines = self._candidates(chunk)
        if self.first_chunk:
            lines.discard(0)  # the header
            self.first_chunk = False
        if not lines:
            return
        raw_lines = chunk.split(b"\n")
        self.candidate_lines += len(lines)
        for index in sorted(lines):
            raw = raw_lines[index]
            try:
                line = raw.decode(self.encoding)
            except UnicodeDecodeError:
                line = raw.decode("cp1252", errors="replace")
            try:
                fields = next(csv.reader([line], delimiter=self.delimiter))
            except (csv.Error, StopIteration):
                fields = line.split(self.delimiter)
            file_limits.check_width(len(fields), self.max_columns, ScanLimitError)
            for column, value in enumerate(fields):
                if value:
                    self._scan_cell(column, value)

    def _scan_cell(self, column: int, value: str) -> None:
        taken: list[tuple[int, int]] = []
        seen: set[str] = set()

        def free(span: tuple[int, int]) -> bool:
            return all(span[1] <= a or span[0] >= b for a, b in taken)

        def hit(kind: str, raw: str, span: tuple[int, int], weak: bool = False) -> None:
            taken.append(span)
            if kind in seen:
                return
            seen.add(kind)
            stat = self.stats.get((column, kind))
            if stat is None:
                stat = self.stats[(column, kind)] = _Stat()
            if weak:
                stat.weak += 1
                if len(stat.weak_samples) < self.max_samples:
                    stat.weak_samples.append(det.mask(kind, raw))
            else:
                stat.count += 1
                if len(stat.samples) < self.max_samples:
                    stat.samples.append(det.mask(kind, raw))

        if "@" in value:
            at = value.find("@")
            while at >= 0:
                span = det.email_match_at(value, at)
                if span:
                    hit("email", value[span[0]:span[1]], span)
                at = value.find("@", at + 1)
        for kind, regex, valid in (("iban", det.IBAN_RE, det.iban_valid),
                                   ("nir", det.NIR_RE, det.nir_valid),
                                   ("rib", det.RIB_RE, det.rib_valid),
                                   ("card", det.CARD_RE, det.card_valid)):
            for m in regex.finditer(value):
                if free(m.span()) and valid(m.group()):
                    hit(kind, m.group(), m.span())
        for m in det.PHONE_RE.finditer(value):
            if not free(m.span()) or det.phone_normalise(m.group()) is None:
                continue
            text = m.group()
            strong = not text.isdigit()  # +33, 0033 or separators
            if not strong and column in self.numeric_cols:
                continue  # a 10-digit amount or identifier, not a phone
            hit("phone", text, m.span(), weak=not strong)
        if "." in value or ":" in value:
            for regex in (det.IPV4_RE, det.IPV6_RE):
                for m in regex.finditer(value):
                    if free(m.span()) and det.ip_valid(m.group()):
                        hit("ip", m.group(), m.span())
        if self.person_table:
            m = det.ADDRESS_RE.search(value)
            if m and column not in self.entity_cols:
                hit("address", value, m.span())

    # -- report --
    def findings(self, rows: int, sample_rows: list[list[str]]) -> list[dict[str, Any]]:
        min_share = float(self.options.get("min_share", 0.3))
        out: list[dict[str, Any]] = []
        value_kinds: dict[int, set[str]] = {}
        for (column, kind), stat in sorted(self.stats.items()):
            name_kind = self.name_kinds.get(column)
            # One "IBAN/RIB" header rule covers both bank-account kinds.
            named = name_kind == kind or (name_kind == "iban" and kind == "rib")
            count = stat.count
            samples = list(stat.samples)
            # Bare ten-digit numbers count as phones only in a column that is
            # mostly made of them or is named for phones.
            if stat.weak and (named or stat.weak / max(rows, 1) >= min_share):
                count += stat.weak
                samples = (samples + stat.weak_samples)[: self.max_samples]
            if not count:
                continue
            if kind in ("email", "phone") and column in self.entity_cols and not named:
                continue  # a service's or a facility's contact, not a person's
            share = count / max(rows, 1)
            if named or share >= 0.5 or (kind in _CHECKSUM_KINDS and share >= 0.2):
                confidence = "high"
            elif kind in _CHECKSUM_KINDS or share >= 0.05:
                confidence = "medium"
            else:
                confidence = "low"
            value_kinds.setdefault(column, set()).add(kind)
            out.append(self._finding(column, kind, "both" if named else "value",
                                     count, share, confidence, samples))
        for column, kind in sorted(self.name_kinds.items()):
            if kind in value_kinds.get(column, set()):
                continue
            values = [r[column] for r in sample_rows if column < len(r) and r[column].strip()]
            samples: list[str] = []
            by, confidence = "name", ("medium" if values else "low")
            if kind == "birth_date" and values:
                dated = [v for v in values if det.DATE_RE.match(v)]
                if len(dated) >= len(values) / 2:
                    by, confidence = "both", "high"
                    samples = [det.mask(kind, v) for v in dated[: self.max_samples]]
            filled = len(values) / len(sample_rows) if sample_rows else 0.0
            out.append(self._finding(column, kind, by, round(rows * filled), filled,
                                     confidence, samples))
        return out

    def _finding(self, column: int, kind: str, by: str, count: int, share: float,
                 confidence: str, samples: list[str]) -> dict[str, Any]:
        name = self.header[column] if column < len(self.header) else f"#{column + 1}"
        return {"column": name, "column_index": column, "kind": kind, "by": by,
                "count": count, "share": round(min(share, 1.0), 4),
                "confidence": confidence, "samples": samples,
                "message": MESSAGES.get(kind, kind)}


def _detect_format(head: bytes, name: str, fmt: Optional[str]) -> str:
    if fmt:
        return fmt.lower().lstrip(".")
    ext = os.path.splitext(name.lower())[1].lstrip(".")
    if ext in ("csv", "tsv", "txt", "xlsx", "ods", "json"):
        return "csv" if ext == "txt" else ext
    if head.startswith(b"PK\x03\x04"):
        return "ods" if b"opendocument" in head[:100] else "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":
        return "json"
    return "csv"


def _rows_as_csv(header: list[str], rows: Iterable[list[Any]], limits: ScanLimits
                 ) -> Iterator[bytes]:
    """CSV bytes of rows from the spreadsheet/JSON readers, one chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
        if buffer.tell() > 1 << 20:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _read_table(fmt: str, stream: IO[bytes], path: Optional[str], limits: ScanLimits
                ) -> tuple[list[str], Iterator[list[str]]]:
    try:
        # Imported here: the spreadsheet/JSON readers are optional for CSV scans.
        from . import formats
    except ImportError as exc:
        raise ScanError(N_("{format} files cannot be read here: {error}."),
                        format=fmt.upper(), error=str(exc)) from None
    if fmt == "json":
        from .jsonread import read_json
        return read_json(stream, limits)
    reader = formats.read_xlsx if fmt == "xlsx" else formats.read_ods
    if path is not None:
        return reader(path, limits)
    # Zip formats need a seekable file: spool, bounded by max_bytes.
    spool = tempfile.NamedTemporaryFile(suffix="." + fmt, delete=False)
    try:
        with spool:
            bounded = _Bounded(stream, limits.max_bytes)
            shutil.copyfileobj(bounded, spool)  # type: ignore[misc]
            if bounded.hit:
                raise ScanError(N_("The file is larger than {limit} bytes."),
                                limit=limits.max_bytes)
        header, rows = reader(spool.name, limits)
    except BaseException:
        os.unlink(spool.name)
        raise

    def rows_then_unlink() -> Iterator[list[str]]:
        try:
            yield from rows
        finally:
            os.unlink(spool.name)

    return header, rows_then_unlink()


def read_table(stream: IO[bytes], fmt: str, limits: ScanLimits
               ) -> tuple[list[str], Iterator[list[str]]]:
    """Header and rows of a tabular stream (csv, tsv, json, xlsx, ods), for cell-level checks."""
    if fmt in ("csv", "tsv"):
        return csvread.read_csv(stream, limits, fmt)
    return _read_table(fmt, stream, None, limits)


def check_limits(path: str, fmt: str, limits: Optional[ScanLimits] = None) -> None:
    """Read a table file to its end through these bounded readers, for a parser with no
    limits of its own (frictionless reads JSON with ijson.items, shared strings whole).

    :raises ScanLimitError: the file goes past a reading limit
    """
    try:
        with open(path, "rb") as stream:
            _header, rows = read_table(stream, fmt, limits or ScanLimits())
            for _row in rows:
                pass
    except ScanLimitError:
        raise
    except ScanError:
        pass  # malformed: the other parser reports it in its own words


def scan_stream(binary_stream: IO[bytes], *, name: str = "", fmt: Optional[str] = None,
                limits: Optional[ScanLimits] = None,
                options: Optional[dict[str, Any]] = None,
                _path: Optional[str] = None) -> dict[str, Any]:
    """Scan a tabular byte stream for personal data and return the report dict.

    :raises ScanError: on malformed input (empty, binary, overlong line...)
    """
    limits = limits or ScanLimits()
    options = options or {}
    started = time.perf_counter()
    bounded = _Bounded(binary_stream, limits.max_bytes)
    head = bounded.read(65536)
    fmt = _detect_format(head, name, fmt)
    if fmt in ("xlsx", "ods", "json"):
        stream: IO[bytes] = io.BufferedReader(_Prepend(head, bounded))  # type: ignore[arg-type]
        header, rows = _read_table(fmt, stream, _path, limits)
        chunks: Iterable[bytes] = _rows_as_csv(header, rows, limits)
        encoding, delimiter = "utf-8", ","
    else:
        encoding = detect_encoding(head)
        sample = head.decode(encoding, errors="replace")
        delimiter = sniff_delimiter(sample, fmt)
        chunks = iter_chunks(bounded, limits, head,  # type: ignore[arg-type]
                             keep_tail=lambda: not bounded.hit)
    report = _scan_chunks(chunks, fmt, encoding, delimiter, limits, options, started)
    if bounded.hit:
        report["truncated"], report["truncated_by"] = True, "max_bytes"
    if fmt in ("xlsx", "ods", "json"):
        # The size of the file, not of the CSV text its rows were turned into.
        report["bytes"] = os.path.getsize(_path) if _path else limits.max_bytes - bounded.left
    return report


class _Prepend(io.RawIOBase):
    """A raw stream that replays already-read bytes before the rest."""

    def __init__(self, head: bytes, rest: _Bounded) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.head[: len(buffer)] if self.head else self.rest.read(len(buffer))
        self.head = self.head[len(data):] if self.head else b""
        buffer[: len(data)] = data
        return len(data)


def _scan_chunks(chunks: Iterable[bytes], fmt: str, encoding: str, delimiter: str,
                 limits: ScanLimits, options: dict[str, Any], started: float
                 ) -> dict[str, Any]:
    engine: Optional[_Engine] = None
    header: list[str] = []
    sample_rows: list[list[str]] = []
    lines = 0
    in_quote = False
    read = 0
    truncated_by: Optional[str] = None
    mixed = False
    max_rows = limits.max_rows
    for chunk in chunks:
        if b"\x00" in chunk:
            raise ScanError(
                N_("The file contains binary data (NUL bytes): it is not a text table."))
        if engine is None:
            text = chunk.decode(encoding, errors="replace").lstrip("\ufeff")
            header, sample_rows = parse_header(text, delimiter)
            if not any(header):
                raise ScanError(N_("The first line is empty: the file has no header."))
            file_limits.check_width(len(header), limits.max_columns, ScanLimitError)
            engine = _Engine(header, delimiter, encoding, options, limits.max_columns)
            if limits.max_cells:
                cap = max(1, limits.max_cells // max(len(header), 1))
                max_rows = min(max_rows or cap, cap)
        if encoding.startswith("utf-8") and not mixed:
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError:
                mixed = True  # scanned lines fall back to CP1252
        count, quote_after = _count_rows(chunk, in_quote)
        if max_rows and lines + count > max_rows + 1:
            chunk = _cut_rows(chunk, max_rows + 1 - lines)
            count, quote_after = _count_rows(chunk, in_quote)
            truncated_by = "max_rows"
        in_quote = quote_after
        lines += count
        read += len(chunk)
        engine.feed(chunk)
        if truncated_by:
            break
        if limits.max_seconds and time.perf_counter() - started > limits.max_seconds:
            truncated_by = "max_seconds"
            break
    if engine is None:
        raise ScanError(N_("The file is empty."))
    rows = max(lines - 1, 0)
    report: dict[str, Any] = {
        "format": fmt,
        "encoding": encoding + ("+cp1252" if mixed else ""),
        "delimiter": delimiter,
        "bytes": read,
        "rows": rows,
        "columns": header,
        "truncated": truncated_by is not None,
        "truncated_by": truncated_by,
        "findings": engine.findings(rows, sample_rows),
        "candidate_lines": engine.candidate_lines,
    }
    report["elapsed"] = round(time.perf_counter() - started, 4)
    return report


def scan_path(path: str, *, name: Optional[str] = None, fmt: Optional[str] = None,
              limits: Optional[ScanLimits] = None,
              options: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Scan a file on disk; see scan_stream."""
    limits = limits or ScanLimits()
    if os.path.getsize(path) > limits.max_bytes and (fmt or path).lower().endswith(("xlsx", "ods")):
        raise ScanError(N_("The file is larger than {limit} bytes."), limit=limits.max_bytes)
    with open(path, "rb") as stream:
        return scan_stream(stream, name=name or os.path.basename(path), fmt=fmt,
                           limits=limits, options=options, _path=path)
