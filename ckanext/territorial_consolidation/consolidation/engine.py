"""Consolidation over local streams: validate, normalise, add provenance, de-duplicate, write.

Memory stays flat whatever the number of rows: each source is streamed once into
its own cache file (its kept rows, normalised, with provenance, in ``marshal``
batches, much cheaper to read back than CSV); the merge then
spreads cached rows over hash buckets on disk and de-duplicates one bucket at a
time. A source whose fingerprint (hash, ETag, modification date and size) has not
changed since the previous run is not read again: its cache is reused, and when
nothing changed at all the previous output stands and nothing is written.
"""
from __future__ import annotations

import collections
import csv
import dataclasses
import gc
import hashlib
import io
import json
import logging
import marshal
import os
import re
import tempfile
import zlib
from typing import IO, Any, Callable, Iterator, Optional

from ckanext.suite.csv_safe import neutralise
from ckanext.territorial_consolidation.consolidation import failures
from ckanext.territorial_consolidation.consolidation.reader import open_rows
from ckanext.territorial_consolidation.consolidation.schema import TableSchema
from ckanext.territorial_consolidation.consolidation.validator import (
    STRUCTURAL_ERRORS, Error, Validator)

__all__ = ["PROVENANCE_COLUMNS", "Source", "Options", "Result", "consolidate",
           "SAMPLE_ERRORS"]

log = logging.getLogger(__name__)

#: Columns added to every output row, after the schema's fields.
PROVENANCE_COLUMNS = ["source_territory_code", "source_dataset_url", "source_resource_id",
                      "source_last_modified"]
#: Errors kept per source in the report (counts are complete).
SAMPLE_ERRORS = 20
#: Rows per de-duplication bucket, about: bounds the memory of the merge.
_BUCKET_ROWS = 5_000
_MAX_BUCKETS = 512
#: Rows written to a cache file at a time, and rows waiting for their bucket at most.
_BATCH = 2_000
_PENDING_ROWS = 20_000
#: Field types whose cells pass through a type check: a validated number such as
#: ``-12.5`` is data, not a formula, so only text-like types are neutralised.
_TEXT_TYPES = {"string", "any"}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_FRENCH_DATE = re.compile(r"^\s*(\d{2})/(\d{2})/(\d{4})\s*$")


@dataclasses.dataclass
class Source:
    """A file to consolidate, with what the output says about where its rows came from."""

    resource_id: str
    open: Callable[[], IO[bytes]]
    fingerprint: str = ""
    territory_code: str = ""
    dataset_url: str = ""
    last_modified: str = ""
    title: str = ""
    package_id: str = ""


@dataclasses.dataclass
class Options:
    key: list[str] = dataclasses.field(default_factory=list)
    keep_valid_rows: bool = True
    normalise: bool = True

    def digest(self, schema: TableSchema) -> str:
        return hashlib.sha256(json.dumps(
            [schema.digest, self.key, self.keep_valid_rows, self.normalise]).encode()
        ).hexdigest()


@dataclasses.dataclass
class Result:
    report: dict[str, Any]
    state: dict[str, Any]
    #: The new consolidated file, or None when nothing changed (the previous one stands).
    output: Optional[str]


def _normalisers(schema: TableSchema) -> list[Optional[Callable[[str], str]]]:
    """Per field, a function rewriting French-style values the schema's type means."""
    def decimal(cell: str) -> str:
        return cell.replace(",", ".") if _DECIMAL_COMMA.match(cell) else cell

    def date(cell: str) -> str:
        match = _FRENCH_DATE.match(cell)
        return f"{match[3]}-{match[2]}-{match[1]}" if match else cell

    result: list[Optional[Callable[[str], str]]] = []
    for field in schema.fields:
        if field.type == "number" and getattr(field, "decimal_char", ".") == "." and \
                "," not in (getattr(field, "group_char", "") or ""):
            result.append(decimal)
        elif field.type == "date" and field.format in ("default", None):
            result.append(date)
        else:
            result.append(None)
    return result


class _Hashing(io.RawIOBase):
    """A binary stream that hashes what is read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self._stream = stream
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        self.sha.update(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def _read_source(source: Source, schema: TableSchema, options: Options,
                 cache_path: str) -> dict[str, Any]:
    """Validate one source and write its kept rows to its cache; its report entry."""
    validator = Validator(schema)
    normalisers = _normalisers(schema) if options.normalise else [None] * len(schema.fields)
    width = len(schema.fields)
    padding = [""] * width
    provenance = [neutralise(source.territory_code), neutralise(source.dataset_url),
                  source.resource_id, source.last_modified]
    counts: collections.Counter[str] = collections.Counter()
    samples: list[dict[str, Any]] = []
    rows_in = kept = rejected = normalised = 0
    header_errors: list[Error] = []
    raw = source.open()
    hashing = _Hashing(raw)
    temp = cache_path + ".tmp"
    try:
        sniffed, rows = open_rows(hashing)  # type: ignore[arg-type]
        with open(temp, "wb") as out:
            batch: list[list[str]] = []
            labels = next(rows, None) or []
            header_errors = validator.header(labels)
            structural = any(error.type in STRUCTURAL_ERRORS for error in header_errors)
            for error in header_errors:
                counts[f"{error.type}:{error.field_name}"] += 1
                if len(samples) < SAMPLE_ERRORS:
                    samples.append(error.as_dict())
            used = validator.width
            text_indexes = [index for index in range(used)
                            if schema.fields[index].type in _TEXT_TYPES]
            normalising = [(index, normaliser) for index, normaliser
                           in enumerate(normalisers[:used]) if normaliser is not None]
            for number, cells in enumerate(rows, start=2):
                rows_in += 1
                for index, normaliser in normalising:
                    if index < len(cells) and cells[index]:
                        value = normaliser(cells[index])
                        if value != cells[index]:
                            cells[index] = value
                            normalised += 1
                _values, errors = validator.row(cells, number)
                if errors:
                    rejected += 1
                    for error in errors:
                        counts[f"{error.type}:{error.field_name}"] += 1
                        if len(samples) < SAMPLE_ERRORS:
                            samples.append(error.as_dict())
                    continue
                kept += 1
                # A row without errors has a cell for each label, hence for each used field.
                output = cells[:used]
                if used < width:
                    output += padding[:width - used]
                for index in text_indexes:
                    output[index] = neutralise(output[index])
                batch.append(output + provenance)
                if len(batch) >= _BATCH:
                    _dump(batch, out)
                    batch = []
            if batch:
                _dump(batch, out)
        valid = not header_errors and rejected == 0
        if structural or (not options.keep_valid_rows and not valid):
            # Labels that do not match the fields mean no cell can be trusted to be in its
            # column; and without "keep valid rows" an invalid file gives nothing.
            rejected, kept = rows_in, 0
            open(temp, "w").close()
        os.replace(temp, cache_path)
    finally:
        hashing.close()
        if os.path.exists(temp):
            os.unlink(temp)
    if valid:
        verdict = "valid"
    elif kept:
        verdict = "partial"
    else:
        verdict = "invalid"
    return {"resource_id": source.resource_id, "title": source.title,
            "package_id": source.package_id, "territory_code": source.territory_code,
            "dataset_url": source.dataset_url, "last_modified": source.last_modified,
            "fingerprint": source.fingerprint, "hash": hashing.sha.hexdigest(),
            "verdict": verdict, "encoding": sniffed.encoding, "delimiter": sniffed.delimiter,
            "rows_in": rows_in, "kept": kept, "rejected": rejected,
            "normalised": normalised, "error_counts": dict(counts), "errors": samples,
            "reused": False}


def _dump(rows: list[list[str]], handle: IO[bytes]) -> None:
    """Append a batch of rows to a cache or bucket file (length-prefixed ``marshal``)."""
    data = marshal.dumps(rows)
    handle.write(len(data).to_bytes(8, "little"))
    handle.write(data)


def _chunks(path: str) -> Iterator[list[list[str]]]:
    """The batches of rows of a cache or bucket file."""
    with open(path, "rb") as handle:
        while True:
            size = handle.read(8)
            if len(size) < 8:
                return
            yield marshal.loads(handle.read(int.from_bytes(size, "little")))


def _key_function(schema: TableSchema, key: list[str]) -> Callable[[list[str]], str]:
    names = schema.field_names
    indexes = [names.index(name) for name in key if name in names] or list(range(len(names)))
    return lambda row: "\x1f".join(row[index] for index in indexes)


def _merge(schema: TableSchema, options: Options, entries: list[dict[str, Any]],
           cache_dir: str, output_dir: str) -> tuple[str, int, int]:
    """Merge the cached rows of the sources into one new CSV file; (path, rows, duplicates)."""
    key_of = _key_function(schema, options.key)
    total = sum(entry["kept"] for entry in entries)
    count = max(1, min(_MAX_BUCKETS, total // _BUCKET_ROWS + 1))
    # Newest source wins; equal dates are settled by resource id, the same on every run.
    ordered = sorted(entries, key=lambda entry: (entry["last_modified"] or "",
                                                 entry["resource_id"]))
    # Rows wait in memory per bucket up to a bound shared by all buckets: flat memory.
    flush_at = max(50, _PENDING_ROWS // count)
    with tempfile.TemporaryDirectory(dir=output_dir) as buckets_dir:
        buckets = [open(os.path.join(buckets_dir, f"{index}.bin"), "wb")
                   for index in range(count)]
        try:
            pending: list[list[list[str]]] = [[] for _index in range(count)]
            for entry in ordered:
                for chunk in _chunks(os.path.join(cache_dir, entry["cache"])):
                    for row in chunk:
                        bucket = zlib.crc32(key_of(row).encode("utf-8")) % count
                        waiting = pending[bucket]
                        waiting.append(row)
                        if len(waiting) >= flush_at:
                            _dump(waiting, buckets[bucket])
                            pending[bucket] = []
            for bucket, waiting in enumerate(pending):
                if waiting:
                    _dump(waiting, buckets[bucket])
        finally:
            for handle in buckets:
                handle.close()
        descriptor, output = tempfile.mkstemp(prefix="consolidated-", suffix=".csv",
                                              dir=output_dir)
        rows = duplicates = 0
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(schema.field_names + PROVENANCE_COLUMNS)
            for index in range(count):
                winners: dict[str, list[str]] = {}
                for chunk in _chunks(os.path.join(buckets_dir, f"{index}.bin")):
                    for row in chunk:
                        key = key_of(row)
                        if key in winners:
                            duplicates += 1
                        # Later rows come from newer sources (or later in the same file).
                        winners[key] = row
                writer.writerows(winners.values())
                rows += len(winners)
    return output, rows, duplicates


def consolidate(schema: TableSchema, sources: list[Source], workdir: str,
                previous: Optional[dict[str, Any]] = None, options: Optional[Options] = None,
                progress: Optional[Callable[[int, int], None]] = None,
                unreachable: Optional[list[dict[str, Any]]] = None) -> Result:
    """Consolidate the sources into a new CSV file under ``workdir``.

    :param previous: the ``state`` of the previous run's Result, for incremental runs
    :param unreachable: report entries of sources that could not even be listed or opened
    :returns: the run's report and state, and the new file (None when unchanged)
    """
    options = options or Options(key=list(schema.primary_key))
    previous = previous or {}
    # Millions of short-lived lists and no reference cycles: the cyclic collector would
    # only rescan them (about a fifth of the run); reference counting frees them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _consolidate(schema, sources, workdir, previous, options, progress,
                            unreachable)
    finally:
        if collecting:
            gc.enable()


def _consolidate(schema: TableSchema, sources: list[Source], workdir: str,
                 previous: dict[str, Any], options: Options,
                 progress: Optional[Callable[[int, int], None]],
                 unreachable: Optional[list[dict[str, Any]]]) -> Result:
    digest = options.digest(schema)
    same_settings = previous.get("digest") == digest
    known: dict[str, dict[str, Any]] = previous.get("sources", {}) if same_settings else {}
    cache_dir = os.path.join(workdir, "cache")
    os.makedirs(cache_dir, exist_ok=True)
    entries: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = list(unreachable or [])
    changed = not same_settings
    for done, source in enumerate(sources):
        # Named after the fingerprint too: a cache never stands for other content.
        cache_name = hashlib.sha1(
            f"{source.resource_id}|{source.fingerprint}".encode()).hexdigest() + ".bin"
        cache_path = os.path.join(cache_dir, cache_name)
        before = known.get(source.resource_id)
        if before and source.fingerprint and before.get("fingerprint") == source.fingerprint \
                and os.path.exists(cache_path):
            entries.append({**before, "reused": True, "cache": cache_name})
        else:
            changed = True
            try:
                entry = _read_source(source, schema, options, cache_path)
            except Exception as error:  # a broken source is reported, never fatal
                # Its detail (a path, an error's text) is for the server's log only.
                log.warning("source %s could not be read: %s: %s", source.resource_id,
                            error.__class__.__name__, error)
                entry = {"resource_id": source.resource_id, "title": source.title,
                         "package_id": source.package_id,
                         "territory_code": source.territory_code,
                         "dataset_url": source.dataset_url, "verdict": "unreachable",
                         "reason": failures.source_code(error),
                         "rows_in": 0, "kept": 0, "rejected": 0}
                failed.append(entry)
            else:
                entry["cache"] = cache_name
                entries.append(entry)
        if progress:
            progress(done + 1, len(sources))
    if set(known) != {entry["resource_id"] for entry in entries}:
        changed = True  # a source appeared or disappeared
    # Caches of sources gone from the list are removed with them.
    wanted = {entry["cache"] for entry in entries}
    for name in os.listdir(cache_dir):
        if name not in wanted:
            os.unlink(os.path.join(cache_dir, name))
    counts = collections.Counter(entry["verdict"] for entry in entries + failed)
    report: dict[str, Any] = {
        "schema": {"url": schema.url, "name": schema.name, "version": schema.version},
        "key": options.key, "keep_valid_rows": options.keep_valid_rows,
        "sources_found": len(entries) + len(failed),
        "sources_valid": counts["valid"], "sources_partial": counts["partial"],
        "sources_invalid": counts["invalid"], "sources_unreachable": counts["unreachable"],
        "sources_reused": sum(1 for entry in entries if entry.get("reused")),
        "rows_in": sum(entry["rows_in"] for entry in entries),
        "rows_rejected": sum(entry["rejected"] for entry in entries),
        "rows_valid": sum(entry["kept"] for entry in entries),
        "sources": [{key: value for key, value in entry.items() if key != "cache"}
                    for entry in entries + failed],
    }
    state = {"digest": digest,
             "sources": {entry["resource_id"]: entry for entry in entries}}
    if not changed and previous.get("output_rows") is not None:
        report.update(changed=False, rows_out=previous["output_rows"],
                      duplicates=previous.get("duplicates", 0))
        state.update(output_rows=previous["output_rows"],
                     duplicates=previous.get("duplicates", 0))
        return Result(report, state, None)
    output, rows, duplicates = _merge(schema, options, entries, cache_dir, workdir)
    report.update(changed=True, rows_out=rows, duplicates=duplicates)
    state.update(output_rows=rows, duplicates=duplicates)
    return Result(report, state, output)
