"""The daily reminder run: refresh indexed statuses, plan, mail and record cadence reminders."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any, Iterator, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search as search_lib

from ckanext.opendata_governance import cadence, freshness, frequencies
from ckanext.opendata_governance.model import Event, ReminderSent
from ckanext.suite import mail as outbox
from ckanext.suite.site import service_contacts, site_context, user_contact

__all__ = ["Outcome", "RunReport", "run"]

log = logging.getLogger(__name__)

_PAGE = 500


@dataclasses.dataclass
class Outcome:
    """What became of one planned reminder."""

    reminder: cadence.Reminder
    recipients: list[tuple[str, str]]
    sent: bool = False
    error: Optional[str] = None


@dataclasses.dataclass
class RunReport:
    """The outcome of one run: reminders and the datasets re-indexed."""

    today: dt.date
    dry_run: bool
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)
    reindexed: list[str] = dataclasses.field(default_factory=list)

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sent]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]


def _periodic_query() -> str:
    codes = [f.code for f in frequencies.all_frequencies() if f.periodic]
    return "update_frequency:({})".format(" OR ".join(codes))


def _search(fq: str, **params: Any) -> Iterator[dict[str, Any]]:
    start = 0
    while True:
        page = tk.get_action("package_search")(site_context(), {
            "fq": fq, "include_private": True, "rows": _PAGE, "start": start,
            "sort": "name asc", **params})["results"]
        yield from page
        if len(page) < _PAGE:
            return
        start += _PAGE


def _stale(datasets: list[dict[str, Any]]) -> list[str]:
    """Ids of datasets whose indexed status is not today's."""
    indexed: dict[str, str] = {}
    for status in cadence.STATUSES:
        for item in _search(f"update_status:{status}", fl="id"):
            indexed[item["id"]] = status
    return [d["id"] for d in datasets
            if indexed.get(d["id"]) != freshness.dataset_cadence(d)["update_status"]]


def _service(reminder: cadence.Reminder) -> Optional[dict[str, Any]]:
    if not reminder.owner_service or not reminder.organization:
        return None
    try:
        return tk.get_action("governance_service_show")(site_context(), {
            "id": reminder.owner_service, "organization_id": reminder.organization})
    except tk.ObjectNotFound:
        return None


def _recipients(reminder: cadence.Reminder) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if reminder.recipients == "service":
        found = service_contacts(reminder.owner_service, reminder.organization,
                                 ("mailbox", "referent"))
    elif reminder.organization:
        members = tk.get_action("member_list")(site_context(), {
            "id": reminder.organization, "object_type": "user", "capacity": "admin"})
        for user_id, _type, _capacity in members:
            admin = user_contact(user_id)
            if admin:
                found.append(admin)
    unique: dict[str, tuple[str, str]] = {}
    for name, email in found:
        unique.setdefault(email.lower(), (name, email))
    return list(unique.values())


def _send(outcome: Outcome, service: Optional[dict[str, Any]], lang: str) -> None:
    reminder = outcome.reminder
    organization = model.Group.get(reminder.organization) if reminder.organization else None
    subject, body = cadence.render_reminder(
        reminder, lang,
        site_title=tk.config.get("ckan.site_title") or "CKAN",
        dataset_url="{}/dataset/{}".format(
            (tk.config.get("ckan.site_url") or "").rstrip("/"), reminder.dataset_name),
        service_title=service["title"] if service else None,
        organization_title=organization.display_name if organization else None)
    # Queued in the outbox, which retries while the mail server is down: the reminder
    # counts as sent once queued, so that the next run does not queue it twice.
    outbox.queue("opendata_governance", outcome.recipients, subject, body)
    model.Session.add(ReminderSent(
        package_id=reminder.dataset_id, due_date=reminder.due, step=reminder.step,
        recipients=[email for _name, email in outcome.recipients]))
    model.Session.add(Event(
        actor_id=None,
        organization_id=organization.id if organization else None,
        package_id=reminder.dataset_id,
        object_type="dataset",
        object_id=reminder.dataset_id,
        event_type="reminder_sent",
        details={"step": reminder.step, "due": reminder.due.isoformat(),
                 "recipients": [email for _name, email in outcome.recipients]},
    ))
    # One commit per reminder: a crash later in the run must not make
    # tomorrow's run send this one again.
    model.Session.commit()
    outcome.sent = True


def run(today: Optional[dt.date] = None, dry_run: bool = False) -> RunReport:
    """Re-index datasets whose status changed, then send today's reminders.

    :param today: the planning day (default: today)
    :param dry_run: plan and resolve recipients only: no mail, no record,
        no re-indexing
    """
    today = today or dt.date.today()
    report = RunReport(today=today, dry_run=dry_run)
    datasets = list(_search(_periodic_query()))

    stale = _stale(datasets)
    if stale and not dry_run:
        search_lib.rebuild(package_ids=stale, defer_commit=False)
    report.reindexed = stale

    already_sent = ReminderSent.keys_for([d["id"] for d in datasets])
    planned = cadence.plan_reminders(
        datasets, today, already_sent,
        before_days=tk.config["ckanext.opendata_governance.reminder_days_before"],
        escalate_after_days=tk.config["ckanext.opendata_governance.escalation_days_after"])
    lang = tk.config.get("ckan.locale_default") or "en"
    for reminder in planned:
        service = _service(reminder)
        outcome = Outcome(reminder, _recipients(reminder))
        report.outcomes.append(outcome)
        if not outcome.recipients:
            outcome.error = "no recipient with an e-mail address"
            continue
        if not dry_run:
            _send(outcome, service, lang)
    return report
