"""Update cadence of datasets: next due date, status, and which reminders to send."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import AbstractSet, Any, Iterable, Literal, Mapping

from dateutil import parser as date_parser

from ckanext.opendata_governance import frequencies, mail

__all__ = [
    "DUE_SOON",
    "NOT_APPLICABLE",
    "ON_TIME",
    "OVERDUE",
    "STATUSES",
    "STEPS",
    "Reminder",
    "next_update_due",
    "parse_date",
    "plan_reminders",
    "reminder_step",
    "render_reminder",
    "update_status",
]

log = logging.getLogger(__name__)

ON_TIME = "on_time"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
NOT_APPLICABLE = "not_applicable"
STATUSES = (ON_TIME, DUE_SOON, OVERDUE, NOT_APPLICABLE)

Step = Literal["before", "due", "escalation"]
#: Reminder steps in the order they happen for one due date.
STEPS: tuple[Step, ...] = ("before", "due", "escalation")



def parse_date(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    """A date from a date, a datetime or an ISO 8601 string; None for None or "".

    A datetime keeps its own calendar date, whatever its time zone: CKAN
    stores naive UTC timestamps and a day's shift does not matter at the
    scale of an update cadence.

    :raises ValueError: for a string that is not an ISO 8601 date
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    return date_parser.isoparse(text).date()


def next_update_due(
    frequency_code: str | None,
    last_data_update: dt.date | dt.datetime | str | None,
    *,
    metadata_created: dt.date | dt.datetime | str | None = None,
) -> dt.date | None:
    """The date by which the data should next be updated.

    The reference is the last data update, else the dataset's creation
    (its data is as old as the dataset). Month arithmetic clamps to the end
    of the month: MONTHLY from 31 January is due on 28 (or 29) February.

    :param frequency_code: an authority code or URI (``MONTHLY``)
    :param last_data_update: when the data last changed
    :param metadata_created: fallback reference when there is no data update
    :returns: the due date, or None for a non-periodic or unknown frequency
        or when there is no reference date
    """
    frequency = frequencies.get(frequency_code)
    if frequency is None or frequency.period is None:
        return None
    reference = parse_date(last_data_update) or parse_date(metadata_created)
    if reference is None:
        return None
    return reference + frequency.period


def update_status(
    frequency_code: str | None,
    last_data_update: dt.date | dt.datetime | str | None,
    today: dt.date,
    *,
    due_soon_days: int = 7,
    metadata_created: dt.date | dt.datetime | str | None = None,
) -> str:
    """``on_time``, ``due_soon``, ``overdue`` or ``not_applicable``.

    The due date itself is the last day on time (``due_soon``); the dataset
    is ``overdue`` from the day after. ``due_soon`` starts ``due_soon_days``
    before the due date. ``not_applicable`` covers missing, unknown and
    non-periodic frequencies, and a dataset with neither a last data update
    nor a creation date: with nothing to count from, calling it late would
    be a guess.
    """
    due = next_update_due(frequency_code, last_data_update,
                          metadata_created=metadata_created)
    if due is None:
        return NOT_APPLICABLE
    if today > due:
        return OVERDUE
    if (due - today).days <= due_soon_days:
        return DUE_SOON
    return ON_TIME


def reminder_step(
    due: dt.date,
    today: dt.date,
    *,
    before_days: int = 7,
    escalate_after_days: int = 14,
) -> Step | None:
    """The reminder step whose window contains ``today``, if any.

    ``before`` from D-``before_days`` to D-1, ``due`` from D to the day
    before escalation, ``escalation`` from D+``escalate_after_days`` on.
    ``before_days=0`` means no ``before`` step.
    """
    delta = (today - due).days
    if delta >= escalate_after_days:
        return "escalation"
    if delta >= 0:
        return "due"
    if before_days > 0 and -delta <= before_days:
        return "before"
    return None


@dataclasses.dataclass(frozen=True)
class Reminder:
    """One reminder mail to send about one dataset.

    ``recipients`` names a role, resolved to addresses by the caller:
    ``service`` (the owner service's mailbox and referent) for ``before``
    and ``due``, ``org_admins`` for ``escalation``.
    """

    dataset_id: str
    dataset_name: str
    dataset_title: str
    organization: str | None
    owner_service: str | None
    update_frequency: str
    last_data_update: dt.date | None
    due: dt.date
    step: Step
    recipients: Literal["service", "org_admins"]
    planned_on: dt.date
    escalation_on: dt.date

    @property
    def key(self) -> tuple[str, str, str]:
        """What records the reminder as sent: (dataset id, due date ISO, step)."""
        return (self.dataset_id, self.due.isoformat(), self.step)

    @property
    def days_late(self) -> int:
        """Days past the due date on the planning day; 0 when not late."""
        return max(0, (self.planned_on - self.due).days)


def _organization_id(dataset: Mapping[str, Any]) -> str | None:
    org = dataset.get("organization")
    if isinstance(org, Mapping):
        return org.get("id") or org.get("name")
    return org or dataset.get("owner_org")


def plan_reminders(
    datasets: Iterable[Mapping[str, Any]],
    today: dt.date,
    already_sent: AbstractSet[tuple[str, str, str]],
    *,
    before_days: int = 7,
    escalate_after_days: int = 14,
) -> list[Reminder]:
    """The reminders due today, at most one per dataset.

    Only the step whose window contains ``today`` is considered, and only if
    neither it nor a later step was already sent for the same due date. So a
    ``before`` reminder missed in its window is dropped once the due date
    arrives (the ``due`` mail says the same thing, later), and a cron that
    did not run for 20 days after D sends the escalation alone. A new data
    update moves the due date, which starts a fresh cycle.

    Datasets updated more often than every ``before_days`` days get no
    ``before`` step: its window would open right after their last update.
    Datasets with a one-day period get their ``due`` mail the day after the
    due date, because the cron cannot know if today's update is still to come.
    A dataset whose dates cannot be parsed is skipped and logged, so that
    one bad record does not stop the run.

    :param datasets: dicts with ``id``, ``name``, ``title``,
        ``organization`` (id, or a dict as in ``package_show``),
        ``owner_service``, ``update_frequency``, ``last_data_update`` and
        optionally ``metadata_created``
    :param already_sent: keys (dataset id, due date ISO, step) already sent
    """
    sent = set(already_sent)
    planned: list[Reminder] = []
    for dataset in datasets:
        frequency = frequencies.get(dataset.get("update_frequency"))
        if frequency is None or frequency.period is None:
            continue
        try:
            last = parse_date(dataset.get("last_data_update"))
            due = next_update_due(frequency.code, last,
                                  metadata_created=dataset.get("metadata_created"))
        except (ValueError, OverflowError):
            log.warning("Skipping reminders for dataset %s: unreadable date",
                        dataset.get("id"))
            continue
        if due is None:
            continue
        one_period_later = today + frequency.period
        period_days = (one_period_later - today).days
        effective_before = before_days if period_days > before_days else 0
        # Shifting "today" back by a day delays only the start of the "due"
        # window: escalation stays at D+escalate_after_days.
        check_day = today
        if period_days <= 1 and today == due:
            check_day = today - dt.timedelta(days=1)
        step = reminder_step(due, check_day, before_days=effective_before,
                             escalate_after_days=escalate_after_days)
        if step is None:
            continue
        dataset_id = str(dataset["id"])
        later_or_same = STEPS[STEPS.index(step):]
        if any((dataset_id, due.isoformat(), s) in sent for s in later_or_same):
            continue
        reminder = Reminder(
            dataset_id=dataset_id,
            dataset_name=str(dataset.get("name") or dataset_id),
            dataset_title=str(dataset.get("title") or dataset.get("name") or dataset_id),
            organization=_organization_id(dataset),
            owner_service=dataset.get("owner_service") or None,
            update_frequency=frequency.code,
            last_data_update=last,
            due=due,
            step=step,
            recipients="org_admins" if step == "escalation" else "service",
            planned_on=today,
            escalation_on=due + dt.timedelta(days=escalate_after_days),
        )
        sent.add(reminder.key)
        planned.append(reminder)
    return planned


_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet",
           "août", "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"),
}


def _format_date(value: dt.date | None, lang: str) -> str:
    if value is None:
        return ""
    month = _MONTHS[lang][value.month - 1]
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"


def render_reminder(
    reminder: Reminder,
    lang: str | None,
    *,
    site_title: str,
    dataset_url: str,
    service_title: str | None,
    organization_title: str | None = None,
) -> tuple[str, str]:
    """The subject and plain-text body of a reminder, in French or English.

    The templates are ``mail_templates/reminder_<step>.<lang>.txt``: their
    first line is the subject, the body starts after the blank line that
    follows. Any ``lang`` other than French (``fr``, ``fr_FR``...) gets English.
    """
    mail_lang = mail.mail_lang(lang or "en")
    frequency = frequencies.get(reminder.update_frequency)
    context = {
        "site_title": mail.one_line(site_title),
        "dataset_title": mail.one_line(reminder.dataset_title),
        "dataset_url": mail.one_line(dataset_url),
        "service_title": mail.one_line(service_title),
        "organization_title": mail.one_line(organization_title),
        "frequency_label": frequency.label(mail_lang) if frequency else reminder.update_frequency,
        "last_update": _format_date(reminder.last_data_update, mail_lang),
        "due": _format_date(reminder.due, mail_lang),
        "escalation_on": _format_date(reminder.escalation_on, mail_lang),
        "days_left": max(0, (reminder.due - reminder.planned_on).days),
        "days_late": reminder.days_late,
    }
    template = mail.environment().get_template(f"reminder_{reminder.step}.{mail_lang}.txt")
    text = template.render(context)
    subject, _, body = text.partition("\n")
    return mail.one_line(subject), body.lstrip("\n")
