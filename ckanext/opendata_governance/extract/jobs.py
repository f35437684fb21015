"""Extraction of big documents in a background job: queue it, report its progress, read it."""
from __future__ import annotations

import logging
import re
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk
import rq
from ckan.lib import jobs as jobs_lib

from . import ExtractLimits

__all__ = ["IN_JOB", "PROGRESS", "limits", "must_queue", "enqueue", "run", "progress", "status",
           "resource_of"]

log = logging.getLogger(__name__)

# RQ's ids are uuid4 strings; anything else is not looked up.
_JOB_ID = re.compile(r"^[0-9a-f-]{1,64}$")

#: Context key set by the job: the action then reads the document itself.
IN_JOB = "governance_extract_in_job"
#: Context key of a progress callback given by the caller (the CLI's bar).
PROGRESS = "governance_extract_progress"
#: Seconds a finished job's outcome (preview or new resource) stays readable.
KEEP_SECONDS = 24 * 3600
#: Seconds a job may run: the reading itself is bounded by ExtractLimits.max_seconds.
JOB_TIMEOUT = 600


def limits(context: Any) -> ExtractLimits:
    """The bounds of one reading: in a job (or the CLI) nearly the job's whole time,
    since a 100,000-row sheet takes openpyxl minutes on a loaded machine; in a request
    the default ones."""
    if context.get(IN_JOB):
        return ExtractLimits(max_seconds=JOB_TIMEOUT - 60)
    return ExtractLimits()


def must_queue(context: Any, resource: dict[str, Any]) -> bool:
    """Whether reading this resource is left to a job: larger than the configured bound,
    or of unknown size (a link), unless the action already runs in the job."""
    if context.get(IN_JOB):
        return False
    size = resource.get("size")
    limit = tk.config["ckanext.opendata_governance.extract_sync_max_bytes"]
    return not isinstance(size, int) or size > limit


def enqueue(action: str, data: dict[str, Any], user: str) -> dict[str, Any]:
    """Queue ``action`` on ``data`` as ``user``; what the caller is told."""
    job = tk.enqueue_job(
        run, [action, data, user],
        title="opendata-governance {} of {}".format(action, data["id"]),
        rq_kwargs={"result_ttl": KEEP_SECONDS, "failure_ttl": KEEP_SECONDS,
                   "timeout": JOB_TIMEOUT,
                   "meta": {"resource_id": data["id"], "action": action,
                            "pages": data.get("pages") or "",
                            "state": "queued", "done": 0, "total": 0}})
    return {"queued": True, "job_id": job.id, "state": "queued"}


def _save(**meta: Any) -> None:
    job = rq.get_current_job()
    if job is not None:
        job.meta.update(meta)
        job.save_meta()


def progress(context: Any) -> Optional[Callable[[int, int], None]]:
    """The callback told of the pages (or sheets) read: the caller's own (a CLI's
    progress bar, under the context key ``PROGRESS``), in a job one that records them
    in the job, else None."""
    if context.get(PROGRESS):
        return context[PROGRESS]
    if rq.get_current_job() is None:
        return None

    def report(done: int, total: int) -> None:
        _save(state="running", done=done, total=total)
    return report


def run(action: str, data: dict[str, Any], user: str) -> dict[str, Any]:
    """The job: ``action`` run in the worker as the user who asked (whose rights are
    checked again), its outcome kept in the job's meta for the status page.

    Safe to run twice: a preview changes nothing, an extraction into a target
    replaces the same resource, a new extraction adds one more resource.
    """
    _save(state="running")
    try:
        result = tk.get_action(action)({"user": user, IN_JOB: True}, dict(data))
    except tk.ValidationError as error:
        _save(state="failed", errors=error.error_dict)
        return {"errors": error.error_dict}
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        _save(state="failed", errors={"id": [str(error) or tk._("Resource not found")]})
        return {"errors": {"id": [str(error)]}}
    _save(state="finished", result=result)
    return result


def status(job_id: str) -> dict[str, Any]:
    """What a job is at: ``state`` (queued, running, finished, failed), ``done`` and
    ``total`` pages or sheets, and its ``result`` or ``errors`` once over; ``pages``,
    the PDF pages it was asked to read.

    :raises tk.ObjectNotFound: no such job (or it ended more than a day ago)
    """
    try:
        job = jobs_lib.job_from_id(job_id)
    except KeyError:
        raise tk.ObjectNotFound(tk._("Extraction job not found"))
    meta = dict(job.meta or {})
    state = meta.get("state", "queued")
    if job.is_failed and state != "failed":
        # Killed (time out, memory) before it could say so itself.
        state = "failed"
        meta["errors"] = {"id": [tk._("The extraction stopped before its end: the "
                                      "document may be too large or too complex.")]}
    return {"job_id": job.id, "resource_id": meta.get("resource_id"),
            "action": meta.get("action"), "pages": meta.get("pages", ""),
            "state": state, "done": meta.get("done", 0),
            "total": meta.get("total", 0), "result": meta.get("result"),
            "errors": meta.get("errors")}


def resource_of(job_id: Any) -> Optional[str]:
    """The id of the resource a job reads, or None when there is no such job."""
    if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
        return None
    try:
        return (jobs_lib.job_from_id(job_id).meta or {}).get("resource_id")
    except KeyError:
        return None
