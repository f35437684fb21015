"""Quarantine copy: the same CSV without its flagged columns, for the producer to download."""
from __future__ import annotations

import csv
import io
from typing import IO, Any, Iterable, Optional

from . import N_, ScanError, ScanLimits
from .csvread import detect_encoding, iter_chunks, sniff_delimiter

__all__ = ["flagged_columns", "write_quarantine", "quarantine_path"]

_RANK = {"low": 0, "medium": 1, "high": 2}


def flagged_columns(report: dict[str, Any], min_confidence: str = "medium") -> list[int]:
    """Indexes of the columns whose findings reach ``min_confidence``."""
    floor = _RANK[min_confidence]
    return sorted({f["column_index"] for f in report.get("findings", [])
                   if _RANK.get(f["confidence"], 0) >= floor})


def write_quarantine(source: IO[bytes], target: IO[bytes], drop: Iterable[int], *,
                     limits: Optional[ScanLimits] = None, fmt: Optional[str] = None
                     ) -> dict[str, Any]:
    """Stream ``source`` to ``target`` without the ``drop`` columns.

    Encoding, delimiter and line endings are kept, so the copy opens like the
    original. Returns {"rows", "columns": kept names, "dropped": names}.
    """
    limits = limits or ScanLimits()
    drop_set = set(drop)
    head = source.read(65536)
    encoding = detect_encoding(head)
    delimiter = sniff_delimiter(head.decode(encoding, errors="replace"), fmt)
    newline = "\r\n" if b"\r\n" in head.split(b"\n", 1)[0] + b"\n" else "\n"
    out = io.TextIOWrapper(target, encoding=encoding, newline="", write_through=True)
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    decoder_encoding = encoding if encoding != "utf-8-sig" else "utf-8"

    def lines() -> Iterable[str]:
        first = True
        for chunk in iter_chunks(source, limits, head):
            if b"\x00" in chunk:
                raise ScanError(
                    N_("The file contains binary data (NUL bytes): it is not a text table."))
            try:
                text = chunk.decode(decoder_encoding)
            except UnicodeDecodeError:
                text = chunk.decode("cp1252", errors="replace")
            if first:
                text, first = text.lstrip("\ufeff"), False
            yield from io.StringIO(text, newline="")

    rows, header, dropped = 0, [], []
    try:
        for index, row in enumerate(csv.reader(lines(), delimiter=delimiter)):
            kept = [v for i, v in enumerate(row) if i not in drop_set]
            if index == 0:
                header = kept
                dropped = [v for i, v in enumerate(row) if i in drop_set]
            else:
                rows += 1
            writer.writerow(kept)
    except csv.Error as exc:
        raise ScanError(N_("The file cannot be read as CSV: {error}."), error=str(exc)) from None
    out.flush()
    out.detach()
    return {"rows": rows, "columns": header, "dropped": dropped}


def quarantine_path(source_path: str, target_path: str, report: dict[str, Any],
                    min_confidence: str = "medium",
                    limits: Optional[ScanLimits] = None) -> dict[str, Any]:
    """Write the quarantine copy of a scanned CSV file next to its report."""
    with open(source_path, "rb") as source, open(target_path, "wb") as target:
        return write_quarantine(source, target, flagged_columns(report, min_confidence),
                                limits=limits, fmt=report.get("format"))
