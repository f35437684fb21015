"""``ckan search-index rebuild-fast`` on this backend: resumable, in committed batches."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import multiprocessing as mp
import queue
import time
from typing import Any, Callable, Iterator, Optional

import sqlalchemy as sa

from ckan import logic, model
from ckan.common import config
from ckan.lib.search import index_for

from . import bulk_show, ddl

__all__ = ["Outcome", "Plan", "plan", "run"]

log = logging.getLogger(__name__)

# Core's command splits the datasets between one process per core, writes each document
# on its own and commits once at the end: an interruption loses everything. Here each
# process takes batches from a shared queue, indexes a batch through core's own path (so
# plugins shape the documents as usual), writes it in one statement and commits it. A run
# is recorded when it starts; while it is unfinished, the next run only indexes the
# datasets that no batch of it has indexed yet.

#: Datasets per committed batch: enough for one INSERT to carry many documents, few
#: enough that an interruption loses little.
BATCH = 100

#: How CKAN 2.11's rebuild shows a dataset to index it.
_CONTEXT = {"ignore_auth": True, "validate": False, "use_cache": False}


@dataclasses.dataclass
class Outcome:
    """What a run did: datasets indexed, failed (id and reason), seconds taken."""

    indexed: int = 0
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    resumed: bool = False
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


def _dataset_ids_query() -> str:
    # Which datasets core's full rebuild indexes: all but the deleted ones when the
    # portal removes those from the index (the default), else all.
    deleted = "p.state <> 'deleted'" if config.get("ckan.search.remove_deleted_packages") else "TRUE"
    return f"""
        SELECT p.id FROM package AS p
        WHERE {deleted} AND NOT EXISTS (
            SELECT 1 FROM {ddl.TABLE} AS d
            WHERE d.id = p.id AND d.site_id = :site AND d.indexed_ts >= :started)
        ORDER BY p.id"""


def _start_run(restart: bool) -> tuple[dt.datetime, bool]:
    """The start of the unfinished run to resume, or of a new one; and whether resumed."""
    with model.meta.engine.begin() as conn:
        if restart:
            conn.execute(sa.text(f"DELETE FROM {ddl.REBUILD_TABLE} WHERE finished IS NULL"))
        row = conn.execute(sa.text(
            f"SELECT started FROM {ddl.REBUILD_TABLE} WHERE finished IS NULL"
            " ORDER BY started DESC LIMIT 1")).first()
        if row is not None:
            return row[0], True
        started = conn.execute(sa.text(
            f"INSERT INTO {ddl.REBUILD_TABLE} (started) VALUES (clock_timestamp())"
            " RETURNING started")).scalar()
        return started, False


def _finish_run(started: dt.datetime, outcome: Outcome) -> None:
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text(
            f"UPDATE {ddl.REBUILD_TABLE} SET finished = clock_timestamp(), indexed = :indexed,"
            " failed = :failed WHERE started = :started"),
            {"started": started, "indexed": outcome.indexed, "failed": len(outcome.failed)})


def _index_one(package_id: str) -> None:
    """Core's own indexing of one dataset, its document held back until the commit."""
    update = getattr(logic, "index_update_package", None)
    if update is not None:
        # CKAN 2.12: the document carries the dataset shown with the default schema and
        # with the dataset type's own.
        update({"ignore_auth": True}, package_id, True)
    else:
        shown = logic.get_action("package_show")(dict(_CONTEXT), {"id": package_id})
        index_for(model.Package).update_dict(shown, defer_commit=True)


def _index_shown(shown: bulk_show.Shown) -> None:
    """Index a dataset shown by ``bulk_show`` as core indexes its ``package_show``."""
    if bulk_show.TWO_SCHEMAS:
        logic.index_update_package_dicts(shown, True)
    else:
        index_for(model.Package).update_dict(shown, defer_commit=True)


def _index_each(ids: list[str], bulk: bool) -> Iterator[tuple[str, Optional[Exception]]]:
    """Index each dataset of ``ids``: ``(id, None)``, or ``(id, error)`` when it failed."""
    if bulk:
        for package_id, shown in bulk_show.show_batch(ids):
            if isinstance(shown, Exception):
                yield package_id, shown
                continue
            try:
                _index_shown(shown)
            except Exception as error:
                yield package_id, error
            else:
                yield package_id, None
        return
    for package_id in ids:
        try:
            _index_one(package_id)
        except Exception as error:
            yield package_id, error
        else:
            yield package_id, None


def _index_batch(ids: list[str], bulk: Optional[bool] = None) -> tuple[int, list[tuple[str, str]]]:
    """Index these datasets and commit them together; return how many, and the failures.
    ``bulk``: read them with ``bulk_show`` (by default, when it is usable)."""
    if bulk is None:
        bulk = bulk_show.usable()
    failed: list[tuple[str, str]] = []
    for package_id, error in _index_each(ids, bulk):
        if error is not None:  # one broken dataset must not stop the rebuild
            log.error("could not index dataset %s: %r", package_id, error)
            failed.append((package_id, f"{type(error).__name__}: {error}"))
    # The documents held back by the deferred adds are written by the commit.
    model.Session.commit()
    return len(ids) - len(failed), failed


def _worker(batches: Any, results: Any, bulk: bool) -> None:
    """A forked process: index batches until the queue gives ``None``."""
    while True:
        ids = batches.get()
        if ids is None:
            break
        try:
            results.put(_index_batch(ids, bulk))
        except Exception as error:  # the batch is lost, not the run: it stays pending
            log.error("a batch of %d datasets could not be committed: %r", len(ids), error)
            model.Session.rollback()
            reason = f"{type(error).__name__}: {error}"
            results.put((0, [(package_id, reason) for package_id in ids]))
    results.put(None)
    model.Session.remove()


def _batches(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


@dataclasses.dataclass
class Plan:
    """A run: when it started, whether an unfinished one is resumed, the datasets left."""

    started: dt.datetime
    resumed: bool
    ids: list[str]


def plan(restart: bool = False) -> Plan:
    """The run to go on with (or a new one: always with ``restart``) and its datasets left."""
    started, resumed = _start_run(restart)
    ids = [row[0] for row in model.Session.execute(
        sa.text(_dataset_ids_query()),
        {"site": config.get("ckan.site_id"), "started": started})]
    model.Session.remove()
    return Plan(started, resumed, ids)


def run(work: Plan, processes: Optional[int] = None, batch: int = BATCH,
        progress: Optional[Callable[[int], None]] = None, one_by_one: bool = False) -> Outcome:
    """Index the plan's datasets with ``processes`` processes (one per core by default);
    ``progress`` is told the size of each batch done. The run is recorded as finished
    once every dataset is indexed. ``one_by_one``: show each dataset through the
    ``package_show`` action rather than read batches with ``bulk_show``."""
    # Decided once for the run: whether a plugin replaces package_show cannot change.
    bulk = not one_by_one and bulk_show.usable()
    begun = time.perf_counter()
    outcome = Outcome(resumed=work.resumed)

    def record(done: int, failed: list[tuple[str, str]]) -> None:
        outcome.indexed += done
        outcome.failed.extend(failed)
        if progress:
            progress(done + len(failed))

    chunks = list(_batches(work.ids, batch))
    workers = max(1, min(processes or mp.cpu_count(), len(chunks)))
    if workers == 1:
        for chunk in chunks:
            record(*_index_batch(chunk, bulk))
    else:
        _run_forked(chunks, workers, record, bulk)
    outcome.seconds = time.perf_counter() - begun
    if not outcome.failed and outcome.indexed == len(work.ids):
        _finish_run(work.started, outcome)
    return outcome


def _run_forked(chunks: list[list[str]], workers: int,
                record: Callable[[int, list[tuple[str, str]]], None], bulk: bool) -> None:
    # Forked, as core's command does: the children inherit the loaded portal, and the
    # backend gives each of them fresh database connections.
    forked = mp.get_context("fork")
    batches, results = forked.Queue(), forked.Queue()
    for chunk in chunks:
        batches.put(chunk)
    for _ in range(workers):
        batches.put(None)
    children = [forked.Process(target=_worker, args=(batches, results, bulk), daemon=True)
                for _ in range(workers)]
    for child in children:
        child.start()
    running = workers
    while running:
        try:
            result = results.get(timeout=5)
        except queue.Empty:
            if not any(child.is_alive() for child in children):
                break  # the children died without a word: their batches stay pending
            continue
        if result is None:
            running -= 1
        else:
            record(*result)
    for child in children:
        child.join()
