"""The mail outbox: requests only record mails; jobs and flushes send them, once, with retries."""
from __future__ import annotations

import logging
from typing import Any

import pytest
from click.testing import CliRunner

import ckan.lib.jobs as jobs_lib
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis

from ckanext.reuse_tracker.model.feedback import Feedback
from ckanext.suite import mail as outbox
from ckanext.suite.mail_cli import mail_outbox
from tests.shared import csrf_token, login
from tests.reuse_tracker.feedback_setup import MARKS, make_portal
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS

#: Nothing listens there: connections are refused at once, as with a mail server down.
DOWN = "127.0.0.1:1"


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    return smtp_server


@pytest.fixture(autouse=True)
def logs_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox's and core mailer's loggers on: loading test.ini's logging disables the
    loggers of modules imported before it, as this one is, by pytest's collection."""
    for name in ("ckanext.suite.mail", "ckan.lib.mailer"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


def _rows(state: str | None = None) -> list[dict[str, Any]]:
    return outbox.messages(state)


def _post_through_the_form(app: Any, portal: Any, body: str) -> int:
    client = login(app, portal.plain)
    url = f"/dataset/{portal.dataset['name']}"
    page = client.get(url).body
    response = client.post(f"{url}/feedback", data={
        "_csrf_token": csrf_token(page), "kind": "problem", "body": body, "rating": "2",
        "website_confirm": ""}, follow_redirects=False)
    return response.status_code


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.exc_info or record.exc_text]


def test_feedback_posted_while_the_mail_server_is_down_is_stored_and_its_mail_kept(
        app, mail, monkeypatch, caplog):
    """With SMTP down, the form answers as usual, the feedback is stored, nothing is sent,
    nothing is logged, and the routing mail waits in the outbox."""
    portal = make_portal()
    mail.clear()
    monkeypatch.setitem(tk.config, "smtp.server", DOWN)
    caplog.set_level(logging.INFO)
    assert _post_through_the_form(app, portal, "Ligne 3 fausse") == 302
    assert model.Session.query(Feedback).filter_by(body="Ligne 3 fausse").count() == 1
    [row] = _rows("pending")
    assert (row["recipient_email"], row["attempts"]) == (portal.admin["email"], 0)
    assert row["owner"] == "reuse_tracker"
    assert not _tracebacks(caplog)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_failed_attempt_logs_one_warning_line_and_the_mail_arrives_once_smtp_is_back(
        app, mail, monkeypatch, caplog):
    """Each failed attempt is one warning line without traceback; once the server is back,
    a flush delivers the mail exactly once, and neither a second flush nor a second run of
    its job sends it again."""
    portal = make_portal()
    mail.clear()
    monkeypatch.setitem(tk.config, "smtp.server", DOWN)
    assert _post_through_the_form(app, portal, "Colonne vide") == 302
    caplog.set_level(logging.INFO)
    assert outbox.flush() == {"sent": 0, "pending": 1, "failed": 0}
    assert not _tracebacks(caplog)
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.levelno == logging.WARNING and warning.name == "ckanext.suite.mail"
    assert "attempt 1 of 10" in warning.getMessage()
    assert "\n" not in warning.getMessage()
    # Not due yet: the next attempt waits for its delay.
    assert outbox.flush() == {"sent": 0, "pending": 0, "failed": 0}
    [row] = _rows("pending")
    assert outbox.deliver(row["owner"], row["id"]) == "waiting"
    assert _rows("pending")[0]["attempts"] == 1

    monkeypatch.setitem(tk.config, "smtp.server", mail.address)
    assert outbox.flush(retry_now=True) == {"sent": 1, "pending": 0, "failed": 0}
    assert outbox.flush(retry_now=True) == {"sent": 0, "pending": 0, "failed": 0}
    assert outbox.deliver(row["owner"], row["id"], retry_now=True) == "sent"
    [message] = mail.messages
    assert message["To"].addresses[0].addr_spec == portal.admin["email"]
    assert "Colonne vide" in message.get_body(("plain",)).get_content()
    assert row["id"] in message["Message-ID"]


def test_a_mail_that_keeps_failing_ends_failed_after_the_attempt_limit(
        mail, monkeypatch, caplog):
    """After ``mail_max_attempts`` failures the mail stays as failed, counted and listed for
    the sysadmin, until ``retry`` queues it again."""
    monkeypatch.setitem(tk.config, "ckanext.suite.mail_max_attempts", 3)
    monkeypatch.setitem(tk.config, "ckanext.suite.mail_retry_seconds", 0)
    monkeypatch.setitem(tk.config, "smtp.server", DOWN)
    assert outbox.queue("reuse_tracker", [("Service SIG", "sig@example.org")],
                        "Sujet", "Corps") == ["sig@example.org"]
    caplog.set_level(logging.WARNING)
    states = [outbox.flush() for _attempt in range(4)]
    assert states == [{"sent": 0, "pending": 1, "failed": 0}] * 2 + [
        {"sent": 0, "pending": 0, "failed": 1}, {"sent": 0, "pending": 0, "failed": 0}]
    assert len(caplog.records) == 3 and not _tracebacks(caplog)
    assert "given up" in caplog.records[-1].getMessage()
    assert outbox.counts() == {"pending": 0, "sent": 0, "failed": 1}

    listing = CliRunner().invoke(mail_outbox, ["list", "--state", "failed"])
    assert listing.exit_code == 0, listing.output
    assert "failed: 1" in listing.output and "sig@example.org | Sujet" in listing.output

    monkeypatch.setitem(tk.config, "smtp.server", mail.address)
    assert "1 mail(s) queued again" in CliRunner().invoke(
        mail_outbox, ["retry", "--all"]).output
    flushed = CliRunner().invoke(mail_outbox, ["flush"])
    assert "sent: 1, still pending: 0, failed for good: 0" in flushed.output
    assert [m["To"].addresses[0].addr_spec for m in mail.messages] == ["sig@example.org"]


def test_one_address_is_mailed_once_per_message():
    """The same address twice (in any case) among the recipients is queued once."""
    queued = outbox.queue("reuse_tracker", [("A", "a@example.org"), ("A", "A@example.org"),
                                            ("B", None), ("C", "c@example.org")], "S", "B")
    assert queued == ["a@example.org", "c@example.org"]
    assert sorted(row["recipient_email"] for row in _rows("pending")) == queued


@pytest.mark.ckan_config("ckanext.suite.mail_send_by_job", "true")
def test_mails_recorded_while_a_job_waits_are_sent_by_that_job(mail):
    """With jobs on, the first mail queues a sending job and the mails recorded while it
    waits for the worker ride on it (one job, not one per mail); a burst worker sends
    them all, and the job run again sends nothing more."""
    queue = jobs_lib.get_queue()
    queue.empty()
    connect_to_redis().delete(outbox._job_mark("reuse_tracker"))
    outbox.queue("reuse_tracker", [("A", "a@example.org"), ("B", "b@example.org")],
                 "Sujet", "Corps")
    outbox.queue("reuse_tracker", [("C", "c@example.org")], "Sujet 2", "Corps")
    assert len(queue.jobs) == 1
    jobs_lib.Worker().work(burst=True)
    assert sorted(m["To"].addresses[0].addr_spec for m in mail.messages) == [
        "a@example.org", "b@example.org", "c@example.org"]
    tk.enqueue_job(outbox.send_due, ["reuse_tracker"])
    jobs_lib.Worker().work(burst=True)
    assert len(mail.messages) == 3


@pytest.mark.ckan_config("ckanext.suite.mail_send_by_job", "true")
def test_a_mail_recorded_once_the_job_started_gets_a_new_job(mail):
    """The job lifts its mark before it reads the outbox: a mail recorded after that
    queues the next job, and one recorded before is in the job's list."""
    queue = jobs_lib.get_queue()
    queue.empty()
    connect_to_redis().delete(outbox._job_mark("reuse_tracker"))
    outbox.queue("reuse_tracker", [("A", "a@example.org")], "S", "B")
    assert outbox.send_due("reuse_tracker") == {"sent": 1, "pending": 0, "failed": 0}
    queue.empty()
    outbox.queue("reuse_tracker", [("B", "b@example.org")], "S", "B")
    assert len(queue.jobs) == 1
    jobs_lib.Worker().work(burst=True)
    assert [m["To"].addresses[0].addr_spec for m in mail.messages] == [
        "a@example.org", "b@example.org"]


@pytest.mark.ckan_config("ckanext.suite.mail_send_by_job", "true")
def test_a_job_out_of_time_hands_the_rest_to_a_new_job(mail):
    """A sending job stops after its time (here none: one mail) and queues a job for the
    rest, which the worker then sends."""
    queue = jobs_lib.get_queue()
    queue.empty()
    connect_to_redis().delete(outbox._job_mark("reuse_tracker"))
    outbox.queue("reuse_tracker", [(None, f"n{n}@example.org") for n in range(3)], "S", "B")
    queue.empty()
    connect_to_redis().delete(outbox._job_mark("reuse_tracker"))
    assert outbox.send_due("reuse_tracker", seconds=0) == {
        "sent": 1, "pending": 0, "failed": 0}
    assert len(queue.jobs) == 1
    jobs_lib.Worker().work(burst=True)
    assert len(mail.messages) == 3
    assert [row["state"] for row in _rows()] == ["sent"] * 3


@pytest.mark.ckan_config("ckanext.suite.mail_send_by_job", "true")
def test_a_job_that_finds_the_server_down_queues_no_job_until_the_retry_wait(
        monkeypatch):
    """After five refusals in a row a job stops and keeps its mark for the first retry's
    wait: mails recorded meanwhile queue no job (no fork per mail during an outage)."""
    monkeypatch.setitem(tk.config, "smtp.server", DOWN)
    queue = jobs_lib.get_queue()
    queue.empty()
    redis = connect_to_redis()
    redis.delete(outbox._job_mark("reuse_tracker"))
    outbox.queue("reuse_tracker", [(None, f"n{n}@example.org") for n in range(7)], "S", "B")
    queue.empty()
    assert outbox.send_due("reuse_tracker") == {"sent": 0, "pending": 5, "failed": 0}
    assert 0 < redis.ttl(outbox._job_mark("reuse_tracker")) <= 60
    outbox.queue("reuse_tracker", [(None, "late@example.org")], "S", "B")
    assert len(queue.jobs) == 0
    redis.delete(outbox._job_mark("reuse_tracker"))


def test_a_flush_stops_after_five_failures_in_a_row(monkeypatch, caplog):
    """With the server down, a flush tries five mails, not the whole backlog, and says so."""
    monkeypatch.setitem(tk.config, "smtp.server", DOWN)
    outbox.queue("reuse_tracker", [(None, f"n{n}@example.org") for n in range(7)], "S", "B")
    caplog.set_level(logging.WARNING)
    assert outbox.flush() == {"sent": 0, "pending": 5, "failed": 0}
    assert sorted(row["attempts"] for row in _rows("pending")) == [0, 0, 1, 1, 1, 1, 1]
    assert caplog.records[-1].getMessage() == (
        "5 mails failed in a row: the 2 others wait for the next flush")


@pytest.mark.ckan_config("ckanext.suite.mail_send_by_job", "true")
def test_with_redis_down_the_mail_is_kept_for_the_flush(mail, monkeypatch, caplog):
    """When the jobs queue cannot be reached, queueing still records the mail (one warning
    line, no error for the caller) and the flush sends it."""
    import redis

    import ckan.lib.jobs
    import ckan.lib.redis

    # CKAN's cached queues and Redis pool, pointed at a port where nothing listens.
    monkeypatch.setattr(ckan.lib.jobs, "_queues", {})
    # CKAN 2.11 (rq 1.16) also pushes the connection it makes on rq's connection stack,
    # where workers made later without a connection would find the dead one.
    monkeypatch.setattr(ckan.lib.jobs, "push_connection", lambda connection: None,
                        raising=False)
    monkeypatch.setattr(ckan.lib.redis, "_connection_pool",
                        redis.ConnectionPool.from_url("redis://127.0.0.1:1/0"))
    caplog.set_level(logging.WARNING)
    assert outbox.queue("reuse_tracker", [("A", "a@example.org")], "S", "B") == [
        "a@example.org"]
    [warning] = caplog.records
    assert warning.getMessage().startswith("could not queue mail jobs")
    assert not _tracebacks(caplog)
    assert [m["To"].addresses[0].addr_spec for m in mail.messages] == ["a@example.org"]
