"""Link health of published reuses: periodic checks, broken links, mails and archiving."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any, Iterable, Optional

import click

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.reuse_tracker import mail
from ckanext.reuse_tracker.model.reuse import Reuse
from ckanext.suite import safe_http
from ckanext.suite.rows import utcnow
from ckanext.suite.site import user_contact

__all__ = ["COMMANDS", "LinkCheck", "check_links", "check_reuse", "enqueue_all", "probe",
           "published_reuse_ids"]

log = logging.getLogger(__name__)

ALLOWLIST_OPTION = "ckanext.reuse_tracker.link_check_allowlist"
USER_AGENT = "ckanext-reuse-tracker link check"
#: Bytes read at most: the status code is what matters, not the page.
MAX_BYTES = 1024
OK = "ok"
#: Key of the reuse's extras: the address the recorded failures are about.
CHECKED_URL = "link_checked_url"


@dataclasses.dataclass
class LinkCheck:
    """What one check of one reuse did.

    ``outcome`` is ``ok``, ``failed`` (not yet broken), ``broken`` (broken by this check or
    before), ``archived`` (archived by this check) or ``skipped`` (not published, gone, or
    checked too recently).
    """

    reuse_id: str
    name: str
    outcome: str
    status: Optional[str] = None
    failures: int = 0
    mails: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def probe(url: str) -> tuple[bool, str]:
    """Whether the URL answers with a 2xx or 3xx status, and ``ok`` or why not.

    HEAD first; servers that refuse or mishandle HEAD (405, 501, and the many that answer
    404 or 403 to it) get a GET, of which at most ``MAX_BYTES`` are read.
    """
    allowlist = safe_http.allowlist_from_config(ALLOWLIST_OPTION)
    timeout = tk.config["ckanext.reuse_tracker.link_check_timeout"]
    status = 0
    try:
        for method in ("HEAD", "GET"):
            with safe_http.fetch(url, method=method, max_bytes=MAX_BYTES, timeout=timeout,
                                 allowlist=allowlist, truncate=True,
                                 user_agent=USER_AGENT) as fetched:
                status = fetched.status_code
            if status < 400:
                break
    except safe_http.FetchError as error:
        return False, str(error)
    if 200 <= status < 400:
        return True, OK
    return False, "HTTP {}".format(status)


def published_reuse_ids() -> list[str]:
    """Ids of every published reuse, oldest first."""
    rows = model.Session.query(Reuse.id).filter(Reuse.state == "published").order_by(
        Reuse.created, Reuse.id)
    return [row.id for row in rows]


def check_reuse(reuse_id: str, force: bool = False) -> dict[str, Any]:
    """Check a published reuse's link and record the result (a background job).

    A success clears the failures; a failure adds one. After
    ``link_failures_before_broken`` consecutive failures the link is broken (the
    submitter is mailed once); broken for ``link_grace_days``, the reuse is archived.
    Safe to run twice: a reuse checked less than ``link_check_min_hours`` ago is skipped
    unless ``force``, and the row is locked while the result is recorded.

    :returns: a :class:`LinkCheck` as a dict
    """
    reuse = Reuse.get(reuse_id)
    if reuse is None or reuse.state != "published":
        return LinkCheck(reuse_id, reuse.name if reuse else "", "skipped").as_dict()
    min_hours = tk.config["ckanext.reuse_tracker.link_check_min_hours"]
    if (not force and reuse.link_checked is not None
            and utcnow() - reuse.link_checked < dt.timedelta(hours=min_hours)):
        return LinkCheck(reuse.id, reuse.name, "skipped", reuse.link_status,
                         reuse.link_failures or 0).as_dict()
    url = reuse.url
    # No transaction stays open during the request, which may take the whole timeout.
    model.Session.commit()
    ok, status = probe(url)
    return _record(reuse_id, url, ok, status).as_dict()


def _record(reuse_id: str, url: str, ok: bool, status: str) -> LinkCheck:
    reuse = model.Session.query(Reuse).filter(Reuse.id == reuse_id).populate_existing() \
        .with_for_update().one_or_none()
    if reuse is None or reuse.state != "published" or reuse.url != url:
        # Changed meanwhile: this result is about another state of the reuse.
        model.Session.rollback()
        return LinkCheck(reuse_id, reuse.name if reuse else "", "skipped")
    now = utcnow()
    _forget_stale_failures(reuse, url)
    reuse.link_checked = now
    reuse.link_status = status
    if ok:
        reuse.link_failures = 0
        reuse.link_broken_since = None
        model.Session.commit()
        return LinkCheck(reuse.id, reuse.name, "ok", status, 0)

    reuse.link_failures = (reuse.link_failures or 0) + 1
    threshold = tk.config["ckanext.reuse_tracker.link_failures_before_broken"]
    newly_broken = reuse.link_broken_since is None and reuse.link_failures >= threshold
    if newly_broken:
        reuse.link_broken_since = now
    outcome = "broken" if reuse.link_broken_since else "failed"
    grace = dt.timedelta(days=tk.config["ckanext.reuse_tracker.link_grace_days"])
    if reuse.link_broken_since is not None and now - reuse.link_broken_since >= grace:
        reuse.state = "archived"
        reuse.extras = {**(reuse.extras or {}), "archived_reason": "broken_link",
                        "archived": now.isoformat()}
        outcome = "archived"
    result = LinkCheck(reuse.id, reuse.name, outcome, status, reuse.link_failures)
    mail_vars = _mail_variables(reuse)
    submitter_id, contact = reuse.submitter_id, reuse.contact_email
    model.Session.commit()
    log.info("reuse %s: link check failed (%s), %s", result.name, status, outcome)

    # Mails go out after the commit: a mail server that is down must not lose the state.
    if newly_broken:
        result.mails += _mail(submitter_id, contact, "link_broken", mail_vars)
    if outcome == "archived":
        result.mails += _mail(submitter_id, contact, "link_archived", mail_vars)
    return result


def _forget_stale_failures(reuse: Reuse, url: str) -> None:
    """Start counting afresh when the failures were about another address, or when a
    moderator published the reuse again after its link broke (else the next failure
    would archive it at once)."""
    extras = dict(reuse.extras or {})
    republished = (reuse.link_broken_since is not None and reuse.published is not None
                   and reuse.published > reuse.link_broken_since)
    if extras.get(CHECKED_URL) != url or republished:
        reuse.link_failures = 0
        reuse.link_broken_since = None
    if extras.get(CHECKED_URL) != url:
        reuse.extras = {**extras, CHECKED_URL: url}


def enqueue_all(force: bool = False) -> list[str]:
    """Queue one check job per published reuse; returns the job ids."""
    return [
        tk.enqueue_job(check_reuse, [reuse_id], {"force": force},
                       title="reuse-tracker link check of {}".format(reuse_id)).id
        for reuse_id in published_reuse_ids()
    ]


# Mails ----------------------------------------------------------------------------------

def _mail_variables(reuse: Reuse) -> dict[str, Any]:
    return {
        "reuse_title": reuse.title,
        "reuse_url": reuse.url,
        "reuse_page": mail.reuse_url(reuse.name),
        "status": mail.one_line(reuse.link_status),
        "failures": reuse.link_failures,
        "grace_days": tk.config["ckanext.reuse_tracker.link_grace_days"],
    }


def _recipient(submitter_id: Optional[str], contact: Optional[str]) -> Optional[tuple[str, str]]:
    """The submitter's account address, else the contact address they gave."""
    account = user_contact(submitter_id)
    if account:
        return account
    if contact:
        return ("", contact)
    return None


def _mail(submitter_id: Optional[str], contact: Optional[str], template: str,
          variables: dict[str, Any]) -> list[str]:
    """Mail the submitter (through the outbox); returns the address queued."""
    recipient = _recipient(submitter_id, contact)
    if recipient is None:
        return []
    subject, body = mail.render(template, **variables, recipient_name=recipient[0])
    return mail.send([recipient], subject, body)


# Command line -------------------------------------------------------------------------

def _ids(names: Iterable[str]) -> list[str]:
    ids = []
    for name in names:
        reuse = Reuse.get(name)
        if reuse is None:
            raise click.ClickException("Reuse not found: {}".format(name))
        ids.append(reuse.id)
    return ids


@click.command("check-links", short_help="Check the links of published reuses.")
@click.argument("reuses", nargs=-1)
@click.option("--enqueue", is_flag=True,
              help="Queue one background job per reuse instead of checking now.")
@click.option("--force", is_flag=True,
              help="Check even the links checked less than link_check_min_hours ago.")
def check_links(reuses: tuple[str, ...], enqueue: bool, force: bool) -> None:
    """Check the link of every published reuse (or of the REUSES named), then summarise."""
    if enqueue:
        if reuses:
            jobs = [tk.enqueue_job(check_reuse, [reuse_id], {"force": force},
                                   title="reuse-tracker link check of {}".format(reuse_id)).id
                    for reuse_id in _ids(reuses)]
        else:
            jobs = enqueue_all(force)
        click.echo("{} link check job(s) queued".format(len(jobs)))
        return
    ids = _ids(reuses) if reuses else published_reuse_ids()
    results = []
    with click.progressbar(ids, label="Link checks") as items:
        for reuse_id in items:
            results.append(check_reuse(reuse_id, force=force))
    for result in results:
        if result["outcome"] != "skipped":
            click.echo("{:<40} {:<9} {}".format(result["name"], result["outcome"],
                                                 result["status"] or ""))
    counts = {outcome: sum(1 for r in results if r["outcome"] == outcome)
              for outcome in ("ok", "failed", "broken", "archived", "skipped")}
    click.echo(", ".join("{} {}".format(n, outcome) for outcome, n in counts.items()))


COMMANDS = [check_links]
