"""The suite's mail outbox: a request records its mails; a job or ``ckan mail-outbox flush`` sends them."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
import smtplib
import socket
import threading
import time
import uuid
from typing import Any, Iterable, Iterator, Optional

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer
from ckan.lib.redis import connect_to_redis

from ckanext.suite import waiting_job
from ckanext.suite.rows import utcnow

__all__ = ["OWNERS", "STATES", "outbox_table", "queue", "deliver", "send_due", "flush",
           "counts", "messages", "retry"]

log = logging.getLogger(__name__)

#: The plugins that send mail; each owns its outbox table ``<plugin>_mail_outbox``
#: (created by its own migration), so that each plugin can be enabled alone.
OWNERS = ("opendata_governance", "reuse_tracker", "territorial_consolidation")
STATES = ("pending", "sent", "failed")

#: How long one delivery may hold a mail before another run may try it again (a worker
#: killed while talking to the mail server).
_LEASE = dt.timedelta(minutes=10)
#: Seconds one SMTP conversation may wait for the server.
_SMTP_TIMEOUT = 60
#: Failed mails in a row after which a flush stops: the server is down.
_FAILURES_PER_RUN = 5
#: The longest wait between two attempts.
_MAX_DELAY = dt.timedelta(hours=6)
#: How long one sending job sends before it hands over to a new job (core's jobs time
#: out after ``ckan.jobs.timeout``, 180 s by default).
_JOB_SECONDS = 60
#: How long the mark of a queued sending job lasts if its job never runs (a worker
#: down, Redis emptied): then the next mail queues a job again.
_JOB_MARK_SECONDS = 600

Recipient = tuple[Optional[str], Optional[str]]


def _one_line(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


@functools.lru_cache(maxsize=None)
def outbox_table(owner: str) -> sa.Table:
    """The outbox table of a plugin, declared on CKAN's metadata (its migration creates it)."""
    if owner not in OWNERS:
        raise ValueError(f"no mail outbox for {owner!r}")
    return sa.Table(
        f"{owner}_mail_outbox", model.meta.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("recipient_name", sa.UnicodeText, nullable=False, default=""),
        sa.Column("recipient_email", sa.UnicodeText, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("claimed_until", sa.DateTime),
        sa.Column("last_error", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        extend_existing=True,
    )


def _engine() -> sa.engine.Engine:
    # CKAN's own pool, so that the pool size the site sets bounds the connections; each
    # write is a short transaction of its own, independent of the caller's session.
    return model.meta.engine


# Recording ----------------------------------------------------------------------------

def queue(owner: str, recipients: Iterable[Recipient], subject: str, body: str) -> list[str]:
    """Record one mail per distinct address and return the addresses queued.

    Written in a transaction of its own, so that the mail is kept whatever the
    caller's session does next; never talks to the mail server, so a server that
    is down costs the request nothing. With ``ckanext.suite.mail_send_by_job``, a
    background job sends it at once (one job sends every mail recorded while it
    waited for the worker); ``ckan mail-outbox flush`` sends what is left.
    """
    table = outbox_table(owner)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, address in recipients:
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        rows.append({"id": str(uuid.uuid4()), "recipient_name": name or "",
                     "recipient_email": address, "subject": subject, "body": body,
                     "state": "pending", "attempts": 0, "next_attempt_at": now,
                     "created": now})
    if not rows:
        return []
    with _engine().begin() as conn:
        conn.execute(table.insert(), rows)
    if tk.config["ckanext.suite.mail_send_by_job"]:
        _enqueue(owner)
    return [row["recipient_email"] for row in rows]


def _job_mark(owner: str) -> str:
    """The Redis key present while a sending job of the outbox waits for the worker."""
    return f"ckan:{tk.config['ckan.site_id']}:suite:mail-job:{owner}"


def _enqueue(owner: str) -> None:
    """Queue a job that sends the outbox's due mails, unless one is already waiting.

    A job per mail would cost the worker a process (core's worker forks and reloads
    the plugins for each job) per mail; a job that waits will send the mails recorded
    meanwhile, so a burst of mails is one job, and a mail never waits for a job that
    has already started (the job lifts the mark before it reads the outbox).
    """
    try:
        waiting_job.enqueue_unless_waiting(_job_mark(owner), _JOB_MARK_SECONDS, send_due,
                                           [owner], title=f"mail outbox {owner}")
    except Exception as error:  # Redis down: the mails wait in the table for the flush
        log.warning("could not queue mail jobs (%s); ckan mail-outbox flush will send them",
                    _one_line(error))


def send_due(owner: str, seconds: float = _JOB_SECONDS) -> dict[str, int]:
    """Job: send the outbox's due mails, oldest first (as ``flush`` does, for one outbox);
    after ``seconds`` it queues a new job for the rest and stops. Return the counts."""
    waiting_job.started(_job_mark(owner))
    result, left = _send(owner, _due_ids(owner, retry_now=False),
                         deadline=time.monotonic() + seconds)
    if left > 0:
        _enqueue(owner)
    elif left < 0:
        # The server is down: no new job (a fork for five refused attempts) for each
        # mail recorded meanwhile; the first retry's wait, then the next mail queues one.
        connect_to_redis().set(_job_mark(owner), "1",
                  ex=max(int(tk.config["ckanext.suite.mail_retry_seconds"]), 1))
    return result


# Sending ------------------------------------------------------------------------------

_quiet = threading.local()


class _NoMailerTraceback(logging.Filter):
    """Core's mailer logs a traceback when the server cannot be reached; a delivery
    of ours logs one warning line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (getattr(_quiet, "on", False) and record.exc_info)


_FILTER = _NoMailerTraceback()


@contextlib.contextmanager
def _quiet_mailer() -> Iterator[None]:
    """Core's mailer without its traceback, and with a timeout: it opens its connection
    without one, so a server that accepts and never answers would hold the job forever.
    Deliveries run in jobs and the command line, never in a web request's threads."""
    logger = logging.getLogger(mailer.__name__)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    _quiet.on = True
    timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(_SMTP_TIMEOUT)
    try:
        yield
    finally:
        socket.setdefaulttimeout(timeout)
        _quiet.on = False


def _claim(owner: str, message_id: str, retry_now: bool) -> Optional[Any]:
    """Take the mail for one attempt, or None when it is sent, failed, not due or taken."""
    table = outbox_table(owner)
    now = utcnow()
    due = sa.true() if retry_now else table.c.next_attempt_at <= now
    with _engine().begin() as conn:
        return conn.execute(
            table.update()
            .where(table.c.id == message_id, table.c.state == "pending", due,
                   sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < now))
            .values(attempts=table.c.attempts + 1, claimed_until=now + _LEASE)
            .returning(*table.c)).first()


def _delay(attempts: int) -> dt.timedelta:
    first = max(int(tk.config["ckanext.suite.mail_retry_seconds"]), 0)
    return min(dt.timedelta(seconds=first * 2 ** max(attempts - 1, 0)), _MAX_DELAY)


def _message_id(message_id: str) -> str:
    domain = (tk.config.get("smtp.mail_from") or "").rpartition("@")[2] or "localhost"
    return f"<{message_id}@{_one_line(domain).strip('<>')}>"


def deliver(owner: str, message_id: str, retry_now: bool = False) -> str:
    """Job: make one attempt at sending a queued mail; return its state afterwards
    (``sent``, ``pending``, ``failed``; ``waiting`` when no attempt was made).

    Safe to run twice: a mail already sent, failed for good, waiting for its next
    attempt or being sent by another run is left alone. A failure logs one
    warning line and schedules the next attempt, with a doubling delay, until
    ``ckanext.suite.mail_max_attempts`` attempts; then the mail stays as failed.
    """
    row = _claim(owner, message_id, retry_now)
    table = outbox_table(owner)
    if row is None:
        with _engine().connect() as conn:
            state = conn.execute(sa.select(table.c.state).where(table.c.id == message_id)
                                 ).scalar()
        # Pending but not taken: not due yet, or another run is sending it right now.
        if state is None:
            return "missing"
        return "waiting" if state == "pending" else str(state)
    try:
        with _quiet_mailer():
            mailer.mail_recipient(row.recipient_name, row.recipient_email, row.subject,
                                  row.body, headers={"Message-ID": _message_id(row.id)})
    except (mailer.MailerException, smtplib.SMTPException, OSError) as error:
        return _failed(owner, row, error)
    with _engine().begin() as conn:
        conn.execute(table.update().where(table.c.id == row.id).values(
            state="sent", sent_at=utcnow(), claimed_until=None, last_error=None))
    return "sent"


def _failed(owner: str, row: Any, error: BaseException) -> str:
    table = outbox_table(owner)
    limit = max(int(tk.config["ckanext.suite.mail_max_attempts"]), 1)
    state = "failed" if row.attempts >= limit else "pending"
    message = _one_line(error)[:1000] or type(error).__name__
    log.warning("mail %s to %s failed (attempt %d of %d%s): %s", row.id, row.recipient_email,
                row.attempts, limit, ", given up" if state == "failed" else "", message)
    with _engine().begin() as conn:
        conn.execute(table.update().where(table.c.id == row.id).values(
            state=state, claimed_until=None, last_error=message,
            next_attempt_at=utcnow() + _delay(row.attempts)))
    return state


def _owners(owner: Optional[str] = None) -> list[str]:
    """The outboxes of the loaded plugins whose table exists (their migration ran)."""
    inspector = sa.inspect(_engine())
    return [name for name in OWNERS
            if (owner is None or name == owner) and p.plugin_loaded(name)
            and inspector.has_table(f"{name}_mail_outbox")]


def flush(retry_now: bool = False, limit: Optional[int] = None) -> dict[str, int]:
    """Send every mail that is due (with ``retry_now``, also those waiting for their next
    attempt), oldest first; return how many ended ``sent``, ``pending`` and ``failed``.

    After five failures in a row the run stops: the rest is tried by the next one.
    """
    result = {"sent": 0, "pending": 0, "failed": 0}
    for owner in _owners():
        sent, left = _send(owner, _due_ids(owner, retry_now, limit), retry_now=retry_now)
        for state, number in sent.items():
            result[state] += number
        if left:
            return result
    return result


def _due_ids(owner: str, retry_now: bool, limit: Optional[int] = None) -> list[str]:
    table = outbox_table(owner)
    query = sa.select(table.c.id).where(table.c.state == "pending")
    if not retry_now:
        query = query.where(table.c.next_attempt_at <= utcnow())
    query = query.order_by(table.c.created, table.c.id)
    if limit:
        query = query.limit(limit)
    with _engine().connect() as conn:
        return list(conn.execute(query).scalars())


def _send(owner: str, ids: list[str], retry_now: bool = False,
          deadline: Optional[float] = None) -> tuple[dict[str, int], int]:
    """Try each mail once; stop after five failures in a row (the server is down: the
    rest waits for the next flush) or at ``deadline`` (``time.monotonic``). Return the
    counts by state and how many were left at the deadline (-1: stopped by failures)."""
    result = {"sent": 0, "pending": 0, "failed": 0}
    failures = 0
    for number, message_id in enumerate(ids):
        state = deliver(owner, message_id, retry_now=retry_now)
        if state in result:
            result[state] += 1
        failures = 0 if state == "sent" else failures + (state in ("pending", "failed"))
        left = len(ids) - number - 1
        if failures >= _FAILURES_PER_RUN and left:
            # The server is down: trying the rest would only add attempts and warnings.
            log.warning("%d mails failed in a row: the %d others wait for the next flush",
                        failures, left)
            return result, -1
        if deadline is not None and left and time.monotonic() > deadline:
            return result, left
    return result, 0


# Watching -----------------------------------------------------------------------------

def counts() -> dict[str, int]:
    """How many mails of the loaded plugins' outboxes are pending, sent and failed."""
    result = dict.fromkeys(STATES, 0)
    for owner in _owners():
        table = outbox_table(owner)
        with _engine().connect() as conn:
            for state, number in conn.execute(
                    sa.select(table.c.state, sa.func.count()).group_by(table.c.state)):
                result[state] = result.get(state, 0) + number
    return result


def messages(state: Optional[str] = None, limit: int = 100) -> list[dict[str, Any]]:
    """The latest mails of the outboxes (one state, or all), newest first, without bodies."""
    found: list[dict[str, Any]] = []
    for owner in _owners():
        table = outbox_table(owner)
        query = sa.select(*(c for c in table.c if c.name != "body"))
        if state:
            query = query.where(table.c.state == state)
        with _engine().connect() as conn:
            found += [{"owner": owner, **row._asdict()} for row in
                      conn.execute(query.order_by(table.c.created.desc()).limit(limit))]
    found.sort(key=lambda row: row["created"], reverse=True)
    return found[:limit]


def retry(message_ids: Optional[list[str]] = None) -> int:
    """Put failed mails (these, or all) back in the queue with a fresh count of attempts."""
    changed = 0
    for owner in _owners():
        table = outbox_table(owner)
        query = table.update().where(table.c.state == "failed")
        if message_ids is not None:
            query = query.where(table.c.id.in_(message_ids))
        with _engine().begin() as conn:
            changed += conn.execute(query.values(
                state="pending", attempts=0, next_attempt_at=utcnow())).rowcount
    return changed
