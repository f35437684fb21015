"""Hits and facet counts of a search, kept per index generation (see the README)."""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Optional, Protocol

import sqlalchemy as sa

from . import ddl

__all__ = ["CountStore", "Counts", "RedisCountStore", "DictCountStore", "cache_key",
           "current_generation", "GENERATION_SQL"]

log = logging.getLogger(__name__)

# Counting and faceting read every matched document, and the landing page matches the
# whole catalogue. The document table carries a generation token that every writing
# transaction changes (a trigger, see ``ddl``); the counts of a search are kept under
# that token and a digest of what determines them (the compiled conditions, permission
# labels included, and the facet parameters). A transaction that has written to the
# index itself never reads nor keeps counts: what it sees is not yet what others see.

#: The token, and whether the current transaction wrote it (own uncommitted writes).
GENERATION_SQL = (
    f"SELECT g.token, g.token = coalesce(txid_current_if_assigned()::text, '')"
    f" FROM {ddl.GENERATION_TABLE} AS g")

#: ``(hits, {facet field: [value, count, value, count, ...]})``, as a search returns them.
Counts = tuple[int, dict[str, list[Any]]]


class CountStore(Protocol):
    """Where counts are kept between requests."""

    def get(self, key: str) -> Optional[Counts]:
        ...

    def put(self, key: str, counts: Counts) -> None:
        ...


def current_generation(conn: Any) -> Optional[str]:
    """The current token, or None when the current transaction wrote to the index: its
    counts are not yet anyone else's."""
    row = conn.execute(sa.text(GENERATION_SQL)).first()
    if row is None or row[1]:
        return None
    return str(row[0])


def cache_key(token: str, conditions: list[str], params: list[Any], facets: Any) -> str:
    """A key naming the token and a digest of the conditions, their bound values and the
    facet parameters (``None`` without facets)."""
    material = json.dumps([conditions, params, facets], default=str, sort_keys=True,
                          separators=(",", ":"))
    return f"{token}:{hashlib.sha256(material.encode()).hexdigest()}"


def _encode(counts: Counts) -> str:
    return json.dumps([counts[0], counts[1]], separators=(",", ":"))


def _decode(raw: Any) -> Optional[Counts]:
    try:
        hits, facets = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(hits, int) or not isinstance(facets, dict):
        return None
    return hits, facets


class RedisCountStore:
    """Counts in CKAN's Redis, shared by every web process, each entry kept ``seconds``.

    Entries of an old token are never read again and expire on their own. Redis being
    down costs the counts' reuse, never the search: the store then reads and keeps
    nothing until it answers again.
    """

    def __init__(self, prefix: str, seconds: int, redis: Any = None) -> None:
        self.prefix = prefix
        self.seconds = seconds
        self._redis = redis

    def _client(self) -> Any:
        if self._redis is None:
            from ckan.lib.redis import connect_to_redis

            self._redis = connect_to_redis()
        return self._redis

    def get(self, key: str) -> Optional[Counts]:
        try:
            raw = self._client().get(self.prefix + key)
        except Exception as error:  # the search goes on without the store
            log.warning("search counts not read from Redis: %s", error)
            return None
        return None if raw is None else _decode(raw)

    def put(self, key: str, counts: Counts) -> None:
        try:
            self._client().set(self.prefix + key, _encode(counts), ex=self.seconds)
        except Exception as error:
            log.warning("search counts not kept in Redis: %s", error)

    def clear(self) -> int:
        """Forget every kept count (a benchmark's fresh start); return how many."""
        client = self._client()
        names = list(client.scan_iter(match=self.prefix + "*", count=1000))
        for start in range(0, len(names), 1000):
            client.delete(*names[start:start + 1000])
        return len(names)

    def memory(self) -> tuple[int, int]:
        """How many entries the store holds and their size in Redis, in bytes."""
        client = self._client()
        entries = size = 0
        for name in client.scan_iter(match=self.prefix + "*", count=1000):
            entries += 1
            size += int(client.memory_usage(name) or 0)
        return entries, size


class DictCountStore:
    """Counts in a dictionary: one process, no expiry (tests and tools)."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, key: str) -> Optional[Counts]:
        raw = self.entries.get(key)
        return None if raw is None else _decode(raw)

    def put(self, key: str, counts: Counts) -> None:
        self.entries[key] = _encode(counts)
