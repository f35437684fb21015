"""Routes CKAN core's Solr connection to the PostgreSQL engine while the plugin is loaded."""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Callable, Optional

import sqlalchemy as sa

import ckan.plugins as p
from ckan import model
from ckan.common import config
from ckan.lib import search
from ckan.lib.search import common as search_common
from ckan.lib.search import index as search_index
from ckan.lib.search import query as search_query

from ckanext.postgres_search import counts, ddl, engine

__all__ = ["PostgresConnection", "count_store", "flush_pending", "install", "is_active"]

log = logging.getLogger(__name__)

PLUGIN = "postgres_search"

# Core resolves these names at call time through the modules below; we keep
# the originals so that a portal without the plugin still talks to Solr.
_ORIGINALS: dict[str, Callable[..., Any]] = {}

#: Documents core added with ``commit=False`` (a rebuild), written in batches.
PENDING_BATCH = 250
_pending = threading.local()
#: Datasets indexed while the current commit is prepared.
_indexed = threading.local()


def _pending_docs() -> list[dict[str, Any]]:
    docs = getattr(_pending, "docs", None)
    if docs is None:
        docs = _pending.docs = []
    return docs


def flush_pending() -> None:
    """Write the documents held back from deferred adds, in this thread's session."""
    docs = _pending_docs()
    if docs:
        batch = docs[:]
        docs.clear()
        engine.index_documents(model.Session, batch)


def _flush_before_commit(session: Any) -> None:
    if getattr(_pending, "docs", None):
        flush_pending()


def _forget_indexed(session: Any) -> None:
    _indexed.ids = set()


def _forget_after_rollback(session: Any) -> None:
    _pending_docs().clear()
    _forget_indexed(session)


def _notify_once(plugin: Any, entity: Any, operation: str) -> None:
    """Core's automatic indexing (CKAN 2.11), each dataset once per commit.

    Core notifies a new dataset as new, then again as changed through its new
    resources and extras: both passes would show and index the same committed
    state. A second notice in the same commit is dropped; deletions pass.
    """
    if (is_active() and isinstance(entity, model.Package)
            and operation != model.DomainObjectOperation.deleted):
        done = getattr(_indexed, "ids", None)
        if done is None:
            done = _indexed.ids = set()
        if entity.id in done:
            return
        done.add(entity.id)
    _ORIGINALS["notify"](plugin, entity, operation)


def _fresh_connections_in_child() -> None:
    # A forked worker (core's `search-index rebuild-fast`, job runners) must
    # not talk over its parent's pooled connections: drop them unclosed.
    model.Session.registry.clear()
    db_engine = getattr(model.meta, "engine", None)
    if db_engine is not None:
        db_engine.dispose(close=False)


def is_active() -> bool:
    """Whether the portal runs on this backend.

    Core reloads plugins by unloading all of them first and re-reading the
    configuration in between, so the configured plugin list counts as well as
    the loaded one: a reload must not fall back to Solr half-way.
    """
    if p.plugin_loaded(PLUGIN):
        return True
    configured = config.get("ckan.plugins") or []
    if isinstance(configured, str):
        configured = configured.split()
    return PLUGIN in configured


class PostgresConnection:
    """The subset of ``pysolr.Solr`` that CKAN core calls, on PostgreSQL.

    Writes go through ``model.Session`` so that the index changes in the
    same transaction as the dataset they describe: a rolled-back dataset
    update never leaves a stale search entry behind.
    """

    url = "postgresql"

    def add(self, docs: list[dict[str, Any]], commit: bool = True,
            **kwargs: Any) -> None:
        pending = _pending_docs()
        pending.extend(docs)
        # A deferred add (core's rebuild) waits for a full batch or the
        # session's commit; an immediate one is written now.
        if commit or len(pending) >= PENDING_BATCH:
            flush_pending()

    def delete(self, id: Optional[str] = None, q: Optional[str] = None,
               commit: bool = True, **kwargs: Any) -> None:
        flush_pending()
        if id is not None:
            q = 'index_id:"{}" OR id:"{}"'.format(
                id.replace('"', ""), id.replace('"', ""))
        if q is not None:
                engine.delete_by_query(model.Session, q)

    def commit(self, **kwargs: Any) -> None:
        # Only explicit index maintenance (clear, end of a rebuild) calls
        # this; per-dataset writes ride on the caller's own commit.
        flush_pending()
        model.Session.commit()

    def search(self, q: str = "*:*", **kwargs: Any) -> engine.SearchResult:
        flush_pending()
        migrated = _generation_ready()
        return engine.search(model.Session, count_store=count_store() if migrated else None,
                             second_revision=migrated, q=q, **kwargs)


#: Whether the generation table exists (its migration ran), and when that was last looked up.
_generation = {"found": False, "checked_at": -1e9}
_GENERATION_RECHECK_SECONDS = 60.0


def _generation_ready() -> bool:
    """Whether the generation table exists: once found, for good; while missing, looked
    up again each minute."""
    if not _generation["found"] and (
            time.monotonic() - _generation["checked_at"] > _GENERATION_RECHECK_SECONDS):
        _generation["checked_at"] = time.monotonic()
        _generation["found"] = bool(model.Session.execute(
            sa.text("SELECT to_regclass(:name) IS NOT NULL"),
            {"name": ddl.GENERATION_TABLE}).scalar())
        if not _generation["found"]:
            log.warning("postgres_search: run `ckan db upgrade -p postgres_search`: until "
                        "then searches count every time and text searches may scan the table")
    return bool(_generation["found"])


def count_store() -> Optional[counts.RedisCountStore]:
    """Where searches keep their hits and facet counts (``ckanext.postgres_search.
    count_cache_seconds``; 0: nowhere), or None."""
    seconds = config.get("ckanext.postgres_search.count_cache_seconds")
    if not seconds:
        return None
    return counts.RedisCountStore(
        f"ckan:{config.get('ckan.site_id')}:postgres_search:counts:", int(seconds))


def _make_connection(decode_dates: bool = True) -> Any:
    if is_active():
        return PostgresConnection()
    return _ORIGINALS["make_connection"](decode_dates)


def _is_available() -> bool:
    if is_active():
        return True
    return _ORIGINALS["is_available"]()


def _check_solr_schema_version(schema_file: Optional[str] = None) -> bool:
    if is_active():
        return True
    return _ORIGINALS["check_solr_schema_version"](schema_file)


def install() -> None:
    """Point core's search modules at this backend; safe to call repeatedly."""
    if _ORIGINALS:
        return
    _ORIGINALS["make_connection"] = search_common.make_connection
    _ORIGINALS["is_available"] = search_common.is_available
    _ORIGINALS["check_solr_schema_version"] = search.check_solr_schema_version
    for module in (search, search_common, search_index, search_query):
        if hasattr(module, "make_connection"):
            setattr(module, "make_connection", _make_connection)
        if hasattr(module, "is_available"):
            setattr(module, "is_available", _is_available)
    search.check_solr_schema_version = _check_solr_schema_version
    synchronous = getattr(search, "SynchronousSearchPlugin", None)  # gone in CKAN 2.12
    if synchronous is not None:
        _ORIGINALS["notify"] = synchronous.notify
        synchronous.notify = _notify_once
    # First, so that core's notices of this commit start from an empty record.
    sa.event.listen(model.Session, "before_commit", _forget_indexed, insert=True)
    sa.event.listen(model.Session, "before_commit", _flush_before_commit)
    sa.event.listen(model.Session, "after_commit", _forget_indexed)
    sa.event.listen(model.Session, "after_rollback", _forget_after_rollback)
    os.register_at_fork(after_in_child=_fresh_connections_in_child)
    log.debug("postgres_search: core search routed to PostgreSQL")
