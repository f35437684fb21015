"""One queued job for a burst of work.

A Redis mark is set while a job waits for the worker, so that the work recorded
meanwhile joins it instead of queueing another (core's worker forks and reloads the
plugins for each job). The job lifts the mark when it starts, before it reads its work,
so that nothing recorded later waits for a job that has already started."""
from __future__ import annotations

from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

__all__ = ["enqueue_unless_waiting", "started"]


def enqueue_unless_waiting(mark: str, seconds: int, job: Callable[..., Any],
                           args: Optional[list[Any]] = None, title: Optional[str] = None) -> bool:
    """Queue ``job(*args)`` unless the mark says one is waiting; True when queued. The
    mark lasts ``seconds`` at most (a worker down must not hold the work back for good)
    and is lifted again if the queue refuses the job. Raises what Redis or the queue
    raise."""
    redis = connect_to_redis()
    if not redis.set(mark, "1", nx=True, ex=seconds):
        return False
    try:
        tk.enqueue_job(job, args or [], title=title)
    except Exception:
        redis.delete(mark)
        raise
    return True


def started(mark: str) -> None:
    """Called by the job first: work recorded from now on queues the next job."""
    connect_to_redis().delete(mark)
