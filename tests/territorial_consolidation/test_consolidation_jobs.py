"""Consolidations run in the background through the real jobs queue, and by ``run-due``."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.lib import jobs as jobs_lib
from ckan.tests import helpers

from ckanext.territorial_consolidation.consolidation import jobs as consolidation_jobs
from ckanext.territorial_consolidation.cli import territorial_consolidation
from tests.territorial_consolidation.consolidation_setup import (
    MARKS, RENNES, as_user, make_consolidation, make_portal, output_rows, publish,
    subventions_rows)

pytestmark = MARKS + [pytest.mark.usefixtures("clean_queues")]


def test_a_background_run_is_queued_and_completed_by_a_worker():
    """consolidation_run's default mode queues a job that an RQ worker runs to the end."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(3).encode())
    consolidation = make_consolidation(portal)

    queued = helpers.call_action("consolidation_run", as_user(portal.admin),
                                 id=consolidation["id"])

    assert queued["state"] == "pending"
    (job,) = jobs_lib.get_queue().jobs
    assert job.timeout == consolidation_jobs.JOB_TIMEOUT
    jobs_lib.Worker().work(burst=True)
    model.Session.remove()
    shown = helpers.call_action("consolidation_show", id=consolidation["id"])
    assert shown["last_run"]["id"] == queued["id"]
    assert shown["last_run"]["state"] == "succeeded", shown["last_run"]["error"]
    assert len(output_rows(shown["last_run"])) == 3


def test_run_due_completes_the_scheduled_runs(cli):
    """``run-due`` runs a due consolidation to the end and publishes its file."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(2).encode())
    consolidation = make_consolidation(portal, schedule="daily")

    result = cli.invoke(territorial_consolidation, ["run-due"])

    assert result.exit_code == 0, result.output
    model.Session.remove()
    last = helpers.call_action("consolidation_show", id=consolidation["id"])["last_run"]
    assert last["state"] == "succeeded", last["error"]
    assert len(output_rows(last)) == 2
