"""Streaming reader of JSON arrays of records, bounded in depth, width and value size."""
from __future__ import annotations

from typing import IO, Any, Iterator, Optional

import ijson

from ckanext.suite import file_limits

from . import N_, ScanError, ScanLimitError, ScanLimits
from .formats import render_value

__all__ = ["read_json", "JSON_HEADER_SAMPLE"]

# JSON objects whose keys make the header: later new keys are not read (see read_json).
JSON_HEADER_SAMPLE = 1000
_OPENING = ("start_map", "start_array")


class _BoundedReader:
    """Byte stream cut at a limit: JSON past it is not read, and `cut` says so.

    Every chunk goes through a TokenGuard before the parser sees it, so that
    an oversized value is refused before it is held in memory.
    """

    def __init__(self, stream: IO[bytes], limit: Optional[int], head: bytes,
                 guard: file_limits.TokenGuard) -> None:
        self._stream = stream
        self._left = limit
        self._head = head
        self._guard = guard
        self.cut = False

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson probes the stream type with read(0)
        if self._head:
            cut = len(self._head) if size is None or size < 0 else size
            chunk, self._head = self._head[:cut], self._head[cut:]
        else:
            want = 65536 if size is None or size < 0 else size
            if self._left is not None:
                if self._left <= 0:
                    self.cut = True
                    return b""
                want = min(want, self._left)
            chunk = self._stream.read(want)
        if self._left is not None:
            self._left -= len(chunk)
        self._guard.feed(chunk)
        return chunk


class _Builder:
    """Builds records from ijson's basic events, refusing depth and width past the limits.

    ijson.items tracks a path string per nesting level, so 100,000 nested
    brackets cost gigabytes before the first item; basic events carry no
    path and every level is counted here before it is built.
    """

    def __init__(self, events: Iterator[tuple[str, Any]], max_depth: int,
                 max_columns: int) -> None:
        self.events = events
        self.max_depth = max_depth
        self.max_columns = max_columns

    def records(self) -> Iterator[Any]:
        """The elements of the top-level array (the caller checked it starts with "[")."""
        events = self.events
        next(events)  # start_array
        for event, value in events:
            if event == "end_array":
                return
            if event == "start_map":
                yield self._flat_map(events)
            elif event == "start_array":
                yield self._value(event, 2)
            else:
                yield value

    def _flat_map(self, events: Iterator[tuple[str, Any]]) -> dict[str, Any]:
        # The common case, a record of scalars, without a call per cell.
        record: dict[str, Any] = {}
        for event, key in events:
            if event == "end_map":
                return record
            event, value = next(events)
            if event in _OPENING:
                value = self._value(event, 3)
            record[key] = value
            if len(record) > self.max_columns:
                file_limits.check_width(len(record), self.max_columns, ScanLimitError)
        return record

    def _value(self, event: str, depth: int) -> Any:
        file_limits.refuse_depth(depth, self.max_depth, ScanLimitError)
        events = self.events
        if event == "start_map":
            mapping: dict[str, Any] = {}
            for event, key in events:
                if event == "end_map":
                    return mapping
                event, value = next(events)
                mapping[key] = self._value(event, depth + 1) if event in _OPENING else value
                if len(mapping) > self.max_columns:
                    file_limits.check_width(len(mapping), self.max_columns, ScanLimitError)
            return mapping
        items: list[Any] = []
        for event, value in events:
            if event == "end_array":
                return items
            items.append(self._value(event, depth + 1) if event in _OPENING else value)
            if len(items) > self.max_columns:
                file_limits.check_width(len(items), self.max_columns, ScanLimitError)
        return items


def _start(stream: IO[bytes]) -> bytes:
    """The first bytes of the document, checked to open an array; BOM removed."""
    head = stream.read(4096) or b""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScanError(N_("The JSON file is in UTF-16: save it in UTF-8."))
    start = head.lstrip()
    while not start:
        more = stream.read(4096)
        if not more:
            raise ScanError(N_("The JSON file is empty."))
        head += more
        start = head.lstrip()
    if not start.startswith(b"["):
        raise ScanError(
            N_("The JSON file is not an array of records: a table must be a JSON array "
               "of objects ({example})."),
            example="[{...}, {...}]")
    return head


def read_json(stream: IO[bytes], limits: Optional[ScanLimits] = None
              ) -> tuple[list[str], Iterator[list[str]]]:
    """Stream a top-level JSON array of objects with ijson.

    The header is the union of the keys of the first JSON_HEADER_SAMPLE
    objects, in order of appearance; keys first seen later are not read.
    Reading stops quietly at limits.max_bytes, like the CSV reader; nesting
    past limits.max_depth, records wider than limits.max_columns and values
    longer than limits.max_cell_bytes raise ScanLimitError.
    """
    limits = limits if limits is not None else ScanLimits()
    head = _start(stream)
    reader = _BoundedReader(stream, limits.max_bytes, head,
                            file_limits.TokenGuard(limits.max_cell_bytes, ScanLimitError))
    builder = _Builder(iter(ijson.basic_parse(reader)), limits.max_depth, limits.max_columns)

    def objects() -> Iterator[dict[str, Any]]:
        index = 0
        try:
            for item in builder.records():
                index += 1
                if not isinstance(item, dict):
                    raise ScanError(
                        N_("The JSON array holds a {type} at position {position}: "
                           "every element must be an object."),
                        type=type(item).__name__, position=index)
                yield item
        except (ijson.IncompleteJSONError, StopIteration) as exc:
            if reader.cut:
                return  # the size limit cut the document, not the producer
            raise ScanError(N_("The JSON file is malformed or truncated ({error})."),
                            error=str(exc) or type(exc).__name__)
        except ijson.JSONError as exc:
            raise ScanError(N_("The JSON file is malformed ({error})."), error=str(exc))
        except UnicodeDecodeError:
            raise ScanError(N_("The JSON file is not valid UTF-8."))

    return _header_and_rows(objects())


def _header_and_rows(source: Iterator[dict[str, Any]]
                     ) -> tuple[list[str], Iterator[list[str]]]:
    first: list[dict[str, Any]] = []
    keys: dict[str, None] = {}
    for obj in source:
        first.append(obj)
        for key in obj:
            if len(keys) < file_limits.MAX_COLUMNS:
                keys.setdefault(key, None)
        if len(first) >= JSON_HEADER_SAMPLE:
            break
    if not keys:
        raise ScanError(N_("The JSON array holds no records with fields."))
    header = list(keys)

    def rows() -> Iterator[list[str]]:
        # Hand the buffered objects over one by one so they can be freed.
        first.reverse()
        while first:
            obj = first.pop()
            yield [render_value(obj.get(key)) for key in header]
        for obj in source:
            yield [render_value(obj.get(key)) for key in header]

    return header, rows()

