"""Background job of a consolidation run (idempotent: an unchanged re-run publishes nothing)."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

__all__ = ["enqueue", "run_consolidation"]

#: A national consolidation reads many files: give the job room.
JOB_TIMEOUT = 6 * 3600


def enqueue(consolidation_id: str, run_id: Optional[str] = None) -> Any:
    """Queue a run of the consolidation."""
    # ``timeout``: the name core's enqueue_job passes on, which Queue.enqueue_call takes
    # in rq 1.16 (CKAN 2.11) and rq 2 (CKAN 2.12) alike; ``job_timeout`` is only known
    # to Queue.enqueue.
    return tk.enqueue_job(run_consolidation, [consolidation_id, run_id],
                          title=f"consolidation {consolidation_id}",
                          rq_kwargs={"timeout": JOB_TIMEOUT})


def run_consolidation(consolidation_id: str, run_id: Optional[str] = None) -> dict[str, Any]:
    """Run a consolidation now (the job's body); returns the run."""
    from ckanext.territorial_consolidation.consolidation import run as runner

    return runner.execute(consolidation_id, run_id)
