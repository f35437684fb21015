"""A harvest job's bookkeeping across its imports: the count of objects left, which import
is the last one, the duplicate detection it then runs, and indexing a deferred write."""
from __future__ import annotations

import logging
from typing import Optional

from ckan import logic, model
from ckan.lib.redis import connect_to_redis

from ckanext.harvest.model import HarvestJob, HarvestObject

__all__ = ["start_count_down", "last_of_job", "detect_duplicates", "catch_up_detection",
           "index_with_commit"]

log = logging.getLogger(__name__)

# Datasets per duplicate detection at the end of a job: memory stays flat.
_DETECT_BATCH = 500
# Seconds the count of a job's objects left to import is kept (a job never lasts that long).
_COUNT_DOWN_TTL = 7 * 24 * 3600


def _left_key(harvest_job_id: str) -> str:
    return f"ckanext.territorial_consolidation:harvest_job:{harvest_job_id}:imports_left"


def start_count_down(harvest_job_id: str, objects: int) -> None:
    """Count the job's objects to import, for :func:`last_of_job`."""
    if not objects:
        return
    try:
        connect_to_redis().set(_left_key(harvest_job_id), objects, ex=_COUNT_DOWN_TTL)
    except Exception:  # without a count, each import checks the database instead
        log.exception("could not count the objects of job %s", harvest_job_id)


def _count_down(harvest_job_id: str) -> Optional[int]:
    """Objects of the job still to import after this one (negative or None: unknown)."""
    try:
        return int(connect_to_redis().decr(_left_key(harvest_job_id)))
    except Exception:
        log.exception("could not count down the objects of job %s", harvest_job_id)
        return None


def last_of_job(harvest_object: HarvestObject, result: bool | str) -> bool:
    """Whether this object is the last of its job to finish its import.

    Each import stores its object's final state (the one the queue gives it next),
    then counts down the job's objects in Redis; the import that reaches zero, or finds
    no count, checks the database: no other object of the job is left unfinished.
    O(1) per import, and of import workers ending together exactly one sees zero.
    """
    state = "COMPLETE" if result else "ERROR"
    job_id = harvest_object.harvest_job_id
    try:
        if harvest_object.state != state:
            harvest_object.state = state
            harvest_object.add()
            model.Session.commit()
        left = _count_down(job_id)
        if left is not None and left > 0:
            return False
        return model.Session.query(HarvestObject.id).filter(
            HarvestObject.harvest_job_id == job_id,
            HarvestObject.id != harvest_object.id,
            HarvestObject.state.notin_(("COMPLETE", "ERROR"))).first() is None
    except Exception:  # the import itself is done: never fail it for this
        log.exception("could not tell whether %s ends its job", harvest_object.id)
        model.Session.rollback()
        return False


def detect_duplicates(harvest_job_id: str) -> None:
    """The duplicate detection over the datasets a job imported or withdrew: once per job,
    by batches (per dataset, each detection would look the growing harvest over again).
    Datasets whose mirror status changed are indexed again."""
    try:
        from ckanext.territorial_consolidation import duplicates
    except ImportError:
        return
    detect = getattr(duplicates, "detect", None)
    if detect is None:
        return
    ids = sorted({row[0] for row in model.Session.query(HarvestObject.package_id).filter(
        HarvestObject.harvest_job_id == harvest_job_id,
        HarvestObject.package_id.isnot(None))})
    for start in range(0, len(ids), _DETECT_BATCH):
        batch = ids[start:start + _DETECT_BATCH]
        try:
            detect(batch)
            # The reindex rides on the session: commit it with the batch.
            model.Session.commit()
        except Exception:  # duplicates are a bonus: the imports themselves succeeded
            log.exception("duplicate detection failed for job %s", harvest_job_id)
            model.Session.rollback()


def catch_up_detection(harvest_job: HarvestJob) -> None:
    """Duplicate detection for the source's previous job when it ended with objects
    never imported (a worker stopped): its last import did not run it."""
    previous = (model.Session.query(HarvestJob.id)
                .filter(HarvestJob.source_id == harvest_job.source_id,
                        HarvestJob.id != harvest_job.id,
                        HarvestJob.created <= harvest_job.created)
                .order_by(HarvestJob.created.desc()).first())
    if previous is not None and model.Session.query(HarvestObject.id).filter(
            HarvestObject.harvest_job_id == previous[0],
            HarvestObject.state.notin_(("COMPLETE", "ERROR"))).first() is not None:
        detect_duplicates(previous[0])


def index_with_commit(package_id: str) -> None:
    """Index the dataset written with ``defer_commit`` as the coming commit leaves it.

    CKAN 2.11 indexes at commit whatever changed; CKAN 2.12 leaves a deferred write's
    indexing to its caller (``logic.index_update_package``, which 2.11 lacks).
    """
    index_update_package = getattr(logic, "index_update_package", None)
    if index_update_package is None:
        return
    # After the provenance and harvest object: the index reads both.
    model.Session.flush()
    index_update_package({"ignore_auth": True}, package_id, True)
