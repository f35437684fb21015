"""`ckan reuse-tracker check-links`: synchronous checks with a summary, or queued jobs."""
from __future__ import annotations

import pytest

from ckan.lib import jobs as jobs_lib

from ckanext.reuse_tracker.cli import reuse_tracker
from tests.reuse_tracker.link_setup import LINK_MARKS, link_server, reuse_at, row  # noqa: F401
from tests.reuse_tracker.reuse_setup import make_portal

pytestmark = LINK_MARKS


def test_checking_prints_progress_a_line_per_reuse_and_the_totals(cli, link_server):
    """Every published reuse is checked now; the output has the bar, each result, totals."""
    portal = make_portal()
    good = reuse_at(portal, link_server.url("/ok"))
    bad = reuse_at(portal, link_server.url("/missing"))
    result = cli.invoke(reuse_tracker, ["check-links"])
    assert result.exit_code == 0, result.output
    assert "Link checks" in result.output
    lines = result.output.splitlines()
    assert any(line.startswith(good["name"]) and " ok " in line + " " for line in lines)
    assert any(line.startswith(bad["name"]) and "HTTP 404" in line for line in lines)
    assert lines[-1] == "1 ok, 1 failed, 0 broken, 0 archived, 0 skipped"
    assert row(bad).link_failures == 1


def test_a_second_run_skips_recent_checks_unless_forced(cli, link_server):
    """Run again at once, the command skips the reuse; with --force it checks it again."""
    portal = make_portal()
    bad = reuse_at(portal, link_server.url("/missing"))
    cli.invoke(reuse_tracker, ["check-links"])
    again = cli.invoke(reuse_tracker, ["check-links"])
    assert again.output.splitlines()[-1].endswith("1 skipped")
    forced = cli.invoke(reuse_tracker, ["check-links", "--force"])
    assert forced.exit_code == 0, forced.output
    assert row(bad).link_failures == 2


def test_naming_reuses_checks_only_those(cli, link_server):
    """Reuses named on the command line are the only ones checked."""
    portal = make_portal()
    named = reuse_at(portal, link_server.url("/ok"))
    other = reuse_at(portal, link_server.url("/missing"))
    result = cli.invoke(reuse_tracker, ["check-links", named["name"]])
    assert result.exit_code == 0, result.output
    assert row(named).link_status == "ok" and row(other).link_checked is None


def test_an_unknown_reuse_fails_with_a_message(cli):
    """A reuse name that does not exist is reported and the command exits non-zero."""
    make_portal()
    result = cli.invoke(reuse_tracker, ["check-links", "nope"])
    assert result.exit_code == 1
    assert "Reuse not found: nope" in result.output


@pytest.mark.usefixtures("clean_queues")
def test_enqueue_queues_jobs_that_a_worker_runs(cli, link_server):
    """--enqueue checks nothing itself; the queued jobs do, run by a worker."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/ok"))
    result = cli.invoke(reuse_tracker, ["check-links", "--enqueue"])
    assert result.exit_code == 0, result.output
    assert "1 link check job(s) queued" in result.output
    assert row(reuse).link_checked is None and link_server.requests == []
    jobs_lib.Worker().work(burst=True)
    assert row(reuse).link_status == "ok"
