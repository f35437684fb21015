"""Fragments written when datasets change: a background job writes the Turtle fragment
of each created or updated public dataset, so that the catalogue page listing it is
warm for the first harvester that walks it, not only after the next daily ``warm``.

A burst of changes (a harvest, a bulk edit) queues one job: the changed ids gather in
a Redis set, and a job is queued only while none is waiting (``suite.waiting_job``)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from ckanext.suite import waiting_job
from ckanext.suite_dcat import page_cache

__all__ = ["note", "write_changed", "CHANGED_KEY", "QUEUED_KEY"]

log = logging.getLogger(__name__)

#: The ids of datasets changed since the job last took them.
CHANGED_KEY = "ckanext-suite_dcat:changed"
#: Set while a job is queued and has not started: later changes join it.
QUEUED_KEY = "ckanext-suite_dcat:queued"
#: How long a queued job is waited for before a change queues another (a worker down).
QUEUED_SECONDS = 3600
#: Datasets read and written together by the job.
BATCH = 100


def note(dataset: dict[str, Any]) -> None:
    """Remember that this dataset changed, and queue the job unless one is waiting.
    A private dataset is in no page; the cache off or Redis down: nothing to do (the
    page writes what it lacks)."""
    if tk.asbool(dataset.get("private")) or not dataset.get("id"):
        return
    if not page_cache.applies({"format": "ttl"}):
        return
    try:
        connect_to_redis().sadd(CHANGED_KEY, dataset["id"])
        waiting_job.enqueue_unless_waiting(QUEUED_KEY, QUEUED_SECONDS, write_changed,
                                           title="DCAT fragments of changed datasets")
    except (RedisError, OSError) as error:
        log.warning("DCAT fragment of dataset %s not queued: %s", dataset["id"], error)


def write_changed() -> int:
    """The job: write the fragments of the datasets changed since the last run, a batch
    at a time; return how many were written."""
    waiting_job.started(QUEUED_KEY)
    redis = connect_to_redis()
    written = 0
    while True:
        ids = [value.decode("utf-8") if isinstance(value, bytes) else value
               for value in redis.spop(CHANGED_KEY, BATCH) or []]
        if not ids:
            return written
        written += page_cache.write_for(sorted(ids))
