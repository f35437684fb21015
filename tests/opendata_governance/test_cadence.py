"""Update cadence: due dates, statuses, reminder planning and reminder mails."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ckanext.opendata_governance import cadence

D = dt.date(2025, 3, 15)
LAST = dt.date(2025, 2, 15)  # MONTHLY from here is due on D


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def dataset(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "ds-1",
        "name": "budget-primitif",
        "title": "Budget primitif",
        "organization": {"id": "org-1", "name": "ville"},
        "owner_service": "svc-finances",
        "update_frequency": "MONTHLY",
        "last_data_update": LAST.isoformat(),
    }
    base.update(overrides)
    return base


# --- next_update_due ---------------------------------------------------------

def test_monthly_due_date_is_one_month_after_the_last_update() -> None:
    """MONTHLY from 15 February is due on 15 March."""
    assert cadence.next_update_due("MONTHLY", LAST) == D


@pytest.mark.parametrize("last, due", [
    (dt.date(2025, 1, 31), dt.date(2025, 2, 28)),
    (dt.date(2024, 1, 31), dt.date(2024, 2, 29)),
    (dt.date(2025, 3, 31), dt.date(2025, 4, 30)),
    (dt.date(2025, 12, 31), dt.date(2026, 1, 31)),
])
def test_monthly_clamps_to_the_end_of_shorter_months(last: dt.date, due: dt.date) -> None:
    """Month arithmetic ends on the last day of a shorter month, leap years included."""
    assert cadence.next_update_due("MONTHLY", last) == due


@pytest.mark.parametrize("code, due", [
    ("DAILY", dt.date(2024, 3, 1)),
    ("CONT", dt.date(2024, 3, 1)),
    ("WEEKLY", dt.date(2024, 3, 7)),
    ("BIWEEKLY", dt.date(2024, 3, 14)),
    ("QUARTERLY", dt.date(2024, 5, 29)),
    ("ANNUAL", dt.date(2025, 2, 28)),
    ("QUINQUENNIAL", dt.date(2029, 2, 28)),
])
def test_due_dates_from_a_leap_day(code: str, due: dt.date) -> None:
    """Each period is added to 29 February 2024 as a calendar would."""
    assert cadence.next_update_due(code, dt.date(2024, 2, 29)) == due


@pytest.mark.parametrize("value", [
    "2025-02-15", "2025-02-15T09:30:00", "2025-02-15T09:30:00.123456",
    "2025-02-15T23:59:59Z", "2025-02-15T00:10:00+01:00",
    dt.datetime(2025, 2, 15, 18, 0), " 2025-02-15 ",
])
def test_strings_and_datetimes_are_read_as_dates(value: Any) -> None:
    """ISO strings (date, datetime, with zone) and datetimes count by their calendar date."""
    assert cadence.next_update_due("MONTHLY", value) == D


def test_an_unreadable_date_string_is_an_error() -> None:
    """Garbage in a date field raises rather than passing for "no date"."""
    with pytest.raises(ValueError):
        cadence.next_update_due("MONTHLY", "15/02/2025")


@pytest.mark.parametrize("code", ["IRREG", "NEVER", "UNKNOWN", "OTHER", "OP_DATPRO"])
def test_non_periodic_codes_have_no_due_date(code: str) -> None:
    """Non-periodic frequencies never have a due date."""
    assert cadence.next_update_due(code, LAST) is None


@pytest.mark.parametrize("code", [None, "", "AS_NEEDED", "FORTNIGHTLY"])
def test_missing_or_unknown_frequencies_have_no_due_date(code: str | None) -> None:
    """A missing or unknown frequency gives no due date."""
    assert cadence.next_update_due(code, LAST) is None


@pytest.mark.parametrize("last", [None, ""])
def test_no_reference_date_gives_no_due_date(last: str | None) -> None:
    """Without a last update nor a creation date there is no due date."""
    assert cadence.next_update_due("MONTHLY", last) is None


def test_creation_date_stands_in_for_a_missing_last_update() -> None:
    """A dataset never updated is counted from its creation."""
    assert cadence.next_update_due(
        "MONTHLY", None, metadata_created="2025-02-15T10:00:00.000000") == D


def test_last_update_wins_over_creation_date() -> None:
    """The creation date is only a fallback."""
    assert cadence.next_update_due("MONTHLY", LAST, metadata_created="2020-01-01") == D


def test_frequency_uri_is_accepted() -> None:
    """The full authority URI works like the code."""
    uri = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    assert cadence.next_update_due(uri, LAST) == D


# --- update_status -----------------------------------------------------------

@pytest.mark.parametrize("offset, status", [
    (-30, "on_time"),
    (-8, "on_time"),
    (-7, "due_soon"),
    (-1, "due_soon"),
    (0, "due_soon"),
    (1, "overdue"),
    (13, "overdue"),
    (14, "overdue"),
    (400, "overdue"),
])
def test_status_around_the_due_date(offset: int, status: str) -> None:
    """on_time until D-8, due_soon from D-7 to D inclusive, overdue from D+1."""
    assert cadence.update_status("MONTHLY", LAST, D + days(offset)) == status


def test_due_soon_window_is_configurable() -> None:
    """due_soon_days widens or narrows the due_soon window."""
    assert cadence.update_status("MONTHLY", LAST, D - days(10), due_soon_days=10) == "due_soon"
    assert cadence.update_status("MONTHLY", LAST, D - days(1), due_soon_days=0) == "on_time"
    assert cadence.update_status("MONTHLY", LAST, D, due_soon_days=0) == "due_soon"


@pytest.mark.parametrize("code", ["IRREG", "NEVER", "UNKNOWN", "OTHER", "OP_DATPRO", None, "", "BOGUS"])
def test_non_periodic_missing_or_unknown_frequency_is_not_applicable(code: str | None) -> None:
    """No periodic frequency, no status."""
    assert cadence.update_status(code, LAST, D + days(100)) == "not_applicable"


def test_no_reference_date_is_not_applicable() -> None:
    """With neither a last update nor a creation date the status is not_applicable."""
    assert cadence.update_status("MONTHLY", None, D) == "not_applicable"


def test_creation_date_gives_a_status_to_a_never_updated_dataset() -> None:
    """A never-updated dataset created long ago is overdue."""
    assert cadence.update_status(
        "MONTHLY", None, D, metadata_created="2024-01-01") == "overdue"


def test_string_last_update_gives_a_status() -> None:
    """An ISO datetime string as stored by CKAN works."""
    assert cadence.update_status("WEEKLY", "2025-03-10T08:00:00", dt.date(2025, 3, 20)) == "overdue"


def test_statuses_constant_lists_the_four_values() -> None:
    """STATUSES is the closed set a facet or badge can rely on."""
    assert set(cadence.STATUSES) == {"on_time", "due_soon", "overdue", "not_applicable"}


# --- reminder_step -----------------------------------------------------------

@pytest.mark.parametrize("offset, step", [
    (-30, None),
    (-8, None),
    (-7, "before"),
    (-1, "before"),
    (0, "due"),
    (1, "due"),
    (13, "due"),
    (14, "escalation"),
    (60, "escalation"),
])
def test_reminder_step_around_the_due_date(offset: int, step: str | None) -> None:
    """before from D-7 to D-1, due from D to D+13, escalation from D+14."""
    assert cadence.reminder_step(D, D + days(offset)) == step


def test_reminder_windows_are_configurable() -> None:
    """before_days=0 removes the before step; escalate_after_days moves escalation."""
    assert cadence.reminder_step(D, D - days(1), before_days=0) is None
    assert cadence.reminder_step(D, D + days(3), escalate_after_days=3) == "escalation"
    assert cadence.reminder_step(D, D - days(10), before_days=10) == "before"


# --- plan_reminders ----------------------------------------------------------

def test_plans_the_before_reminder_for_the_service() -> None:
    """At D-7 a MONTHLY dataset gets one before reminder addressed to its service."""
    [reminder] = cadence.plan_reminders([dataset()], D - days(7), set())
    assert reminder.step == "before"
    assert reminder.recipients == "service"
    assert reminder.due == D
    assert reminder.key == ("ds-1", "2025-03-15", "before")
    assert (reminder.dataset_id, reminder.dataset_name, reminder.dataset_title) == (
        "ds-1", "budget-primitif", "Budget primitif")
    assert reminder.organization == "org-1"
    assert reminder.owner_service == "svc-finances"
    assert reminder.last_data_update == LAST
    assert reminder.escalation_on == D + days(14)


def test_nothing_is_planned_before_the_window() -> None:
    """At D-8 there is nothing to send."""
    assert cadence.plan_reminders([dataset()], D - days(8), set()) == []


def test_due_reminder_goes_to_the_service_on_the_due_date() -> None:
    """On D the due reminder goes to the service."""
    [reminder] = cadence.plan_reminders([dataset()], D, set())
    assert (reminder.step, reminder.recipients, reminder.days_late) == ("due", "service", 0)


def test_escalation_goes_to_the_organization_admins() -> None:
    """At D+14 the escalation is addressed to the organization's admins."""
    [reminder] = cadence.plan_reminders([dataset()], D + days(14), set())
    assert (reminder.step, reminder.recipients, reminder.days_late) == ("escalation", "org_admins", 14)


def test_planning_is_idempotent_with_the_sent_record() -> None:
    """Running every day from D-10 to D+20, recording what was sent, sends each step once."""
    sent: set[tuple[str, str, str]] = set()
    mails = []
    for offset in range(-10, 21):
        today = D + days(offset)
        for _ in range(2):  # the cron runs twice the same day
            planned = cadence.plan_reminders([dataset()], today, sent)
            mails += [(offset, r.step) for r in planned]
            sent |= {r.key for r in planned}
    assert mails == [(-7, "before"), (0, "due"), (14, "escalation")]


def test_a_sent_step_is_not_planned_again() -> None:
    """The same (dataset, due date, step) is never planned twice."""
    sent = {("ds-1", D.isoformat(), "due")}
    assert cadence.plan_reminders([dataset()], D + days(3), sent) == []


def test_a_cron_down_for_20_days_sends_only_the_escalation() -> None:
    """After a long outage only the current step goes out, not the missed ones."""
    planned = cadence.plan_reminders([dataset()], D + days(20), set())
    assert [r.step for r in planned] == ["escalation"]


def test_a_late_before_reminder_is_dropped_once_due_has_come() -> None:
    """If the before window was missed, D brings the due reminder alone."""
    planned = cadence.plan_reminders([dataset()], D, set())
    assert [r.step for r in planned] == ["due"]


def test_a_missed_start_of_the_before_window_still_sends_before() -> None:
    """A cron resuming at D-3 still sends the before reminder."""
    planned = cadence.plan_reminders([dataset()], D - days(3), set())
    assert [r.step for r in planned] == ["before"]


def test_no_earlier_step_after_a_later_one() -> None:
    """Once the escalation is recorded, an earlier step is never planned for that due date."""
    sent = {("ds-1", D.isoformat(), "escalation")}
    # A clock going backwards, or a re-run for a past day, must not send "due".
    assert cadence.plan_reminders([dataset()], D + days(2), sent) == []
    sent = {("ds-1", D.isoformat(), "due")}
    assert cadence.plan_reminders([dataset()], D - days(2), sent) == []


def test_a_new_data_update_starts_a_new_cycle() -> None:
    """Steps sent for an old due date do not block those of the next one."""
    sent = {("ds-1", D.isoformat(), s) for s in cadence.STEPS}
    updated = dataset(last_data_update=D.isoformat())
    [reminder] = cadence.plan_reminders([updated], dt.date(2025, 4, 15), sent)
    assert (reminder.due, reminder.step) == (dt.date(2025, 4, 15), "due")


def test_duplicate_datasets_in_one_run_are_planned_once() -> None:
    """The same dataset listed twice yields one reminder."""
    assert len(cadence.plan_reminders([dataset(), dataset()], D, set())) == 1


@pytest.mark.parametrize("overrides", [
    {"update_frequency": "IRREG"},
    {"update_frequency": "NEVER"},
    {"update_frequency": None},
    {"update_frequency": "BOGUS"},
    {"last_data_update": None},
    {"last_data_update": "not a date"},
])
def test_datasets_without_a_due_date_are_skipped(overrides: dict[str, Any]) -> None:
    """Non-periodic, unknown, undated and unreadable datasets get no reminder."""
    assert cadence.plan_reminders([dataset(**overrides)], D + days(20), set()) == []


def test_one_bad_dataset_does_not_stop_the_others() -> None:
    """An unreadable date is skipped and the rest is planned."""
    datasets = [dataset(id="bad", last_data_update="31/12/2024"), dataset()]
    assert [r.dataset_id for r in cadence.plan_reminders(datasets, D, set())] == ["ds-1"]


def test_creation_date_is_the_reference_for_never_updated_datasets() -> None:
    """A dataset without last_data_update is reminded from its creation date."""
    never = dataset(last_data_update=None, metadata_created="2025-02-15T08:00:00")
    [reminder] = cadence.plan_reminders([never], D, set())
    assert (reminder.due, reminder.step, reminder.last_data_update) == (D, "due", None)


def test_weekly_datasets_get_no_before_reminder() -> None:
    """A before window as long as the period would open on the update day itself."""
    weekly = dataset(update_frequency="WEEKLY", last_data_update="2025-03-08")
    assert cadence.plan_reminders([weekly], dt.date(2025, 3, 8), set()) == []
    assert cadence.plan_reminders([weekly], dt.date(2025, 3, 14), set()) == []
    [reminder] = cadence.plan_reminders([weekly], D, set())
    assert reminder.step == "due"


def test_biweekly_datasets_get_a_before_reminder() -> None:
    """Every two weeks leaves room for a before reminder at D-7."""
    biweekly = dataset(update_frequency="BIWEEKLY", last_data_update="2025-03-01")
    [reminder] = cadence.plan_reminders([biweekly], D - days(7), set())
    assert reminder.step == "before"


def test_daily_datasets_are_reminded_the_day_after_their_due_date() -> None:
    """A daily feed is not nagged on its due day, when its update may still come."""
    daily = dataset(update_frequency="DAILY", last_data_update=(D - days(1)).isoformat())
    assert cadence.plan_reminders([daily], D - days(1), set()) == []
    assert cadence.plan_reminders([daily], D, set()) == []
    [reminder] = cadence.plan_reminders([daily], D + days(1), set())
    assert (reminder.due, reminder.step, reminder.days_late) == (D, "due", 1)
    [late] = cadence.plan_reminders([daily], D + days(14), {reminder.key})
    assert late.step == "escalation"


def test_organization_as_an_id_or_from_owner_org() -> None:
    """organization may be an id string; owner_org is the fallback."""
    [a] = cadence.plan_reminders([dataset(organization="org-2")], D, set())
    [b] = cadence.plan_reminders([dataset(organization=None, owner_org="org-3")], D, set())
    assert (a.organization, b.organization) == ("org-2", "org-3")


def test_already_sent_is_not_modified() -> None:
    """The caller's record is only read."""
    sent: set[tuple[str, str, str]] = set()
    cadence.plan_reminders([dataset()], D, sent)
    assert sent == set()


# --- render_reminder ---------------------------------------------------------

def render(step_day: dt.date, lang: str, **overrides: Any) -> tuple[str, str]:
    [reminder] = cadence.plan_reminders([dataset(**overrides)], step_day, set())
    return cadence.render_reminder(
        reminder, lang, site_title="Données de Rennes",
        dataset_url="https://data.example.org/dataset/budget-primitif",
        service_title="Direction des finances", organization_title="Ville de Rennes")


def test_before_mail_in_french() -> None:
    """The French before mail gives the deadline in natural French."""
    subject, body = render(D - days(7), "fr")
    assert subject == "[Données de Rennes] Mise à jour à prévoir\u00a0: «\u00a0Budget primitif\u00a0», au plus tard le 15 mars 2025"
    assert ("Le jeu de données «\u00a0Budget primitif\u00a0» doit être mis à jour "
            "au plus tard le 15 mars 2025, dans 7 jours.") in body
    assert "Service responsable\u00a0: Direction des finances" in body
    assert "Rythme de mise à jour\u00a0: mensuel" in body
    assert "Dernière mise à jour des données\u00a0: 15 février 2025" in body
    assert "https://data.example.org/dataset/budget-primitif" in body
    assert body.rstrip().endswith("responsable de ce jeu de données.")
    assert "{{" not in body and "{%" not in body


def test_before_mail_in_english() -> None:
    """The English before mail gives the deadline in English."""
    subject, body = render(D - days(1), "en")
    assert subject == '[Données de Rennes] Update coming up: "Budget primitif", due by March 15, 2025'
    assert 'The dataset "Budget primitif" must be updated by March 15, 2025, that is tomorrow.' in body
    assert "Update frequency: monthly" in body


def test_french_uses_1er_for_the_first_of_the_month() -> None:
    """French dates say "1er" on the first day of a month."""
    subject, _ = render(dt.date(2025, 2, 22), "fr_FR", last_data_update="2025-02-01")
    assert subject.endswith("au plus tard le 1er mars 2025")


def test_due_mail_on_the_day_and_late() -> None:
    """The due mail says "today" on D and counts the days when sent late."""
    subject, body = render(D, "fr")
    assert subject == "[Données de Rennes] Mise à jour attendue aujourd'hui\u00a0: «\u00a0Budget primitif\u00a0»"
    assert "doit être mis à jour au plus tard aujourd'hui, 15 mars 2025." in body
    assert "Sans mise à jour d'ici le 29 mars 2025, les administrateurs de l'organisation en seront informés." in body
    subject, body = render(D + days(1), "fr")
    assert "Mise à jour en retard" in subject
    assert "devait être mis à jour au plus tard le 15 mars 2025\u00a0: il a 1 jour de retard." in body
    _, body = render(D + days(3), "en")
    assert "was due for an update by March 15, 2025: it is 3 days late." in body


def test_escalation_mail_for_admins() -> None:
    """The escalation mail names the organization and the delay."""
    subject, body = render(D + days(14), "fr")
    assert subject == "[Données de Rennes] Jeu de données en retard de mise à jour\u00a0: «\u00a0Budget primitif\u00a0»"
    assert ("Le jeu de données «\u00a0Budget primitif\u00a0» de l'organisation Ville de Rennes "
            "devait être mis à jour au plus tard le 15 mars 2025\u00a0: il a maintenant 14 jours de retard.") in body
    assert "vous administrez l'organisation" in body
    subject, body = render(D + days(14), "en")
    assert subject == '[Données de Rennes] Dataset overdue for an update: "Budget primitif"'
    assert "of the organization Ville de Rennes was due for an update by March 15, 2025: it is now 14 days late." in body


def test_unknown_language_falls_back_to_english() -> None:
    """A language without templates gets the English mail."""
    assert render(D, "de")[0] == render(D, "en")[0]


def test_line_breaks_in_a_title_cannot_inject_headers() -> None:
    """A title with line breaks is flattened to one line in the subject and body."""
    subject, body = render(D, "en", title="Budget\r\nBcc: victim@example.org")
    assert "\n" not in subject and "\r" not in subject
    assert subject.endswith('"Budget Bcc: victim@example.org"')
    assert "\nBcc:" not in body


def test_no_html_escaping_in_plain_text() -> None:
    """Ampersands and quotes in titles stay as typed: the mail is plain text."""
    _, body = render(D, "fr", title="Eau & assainissement <2024> l'été")
    assert "«\u00a0Eau & assainissement <2024> l'été\u00a0»" in body


def test_missing_service_and_last_update_read_naturally() -> None:
    """No service and no last update date give explicit wording, not blanks."""
    [reminder] = cadence.plan_reminders(
        [dataset(last_data_update=None, metadata_created="2025-02-15")], D, set())
    _, body = cadence.render_reminder(
        reminder, "fr", site_title="Portail", dataset_url="https://x/y", service_title=None)
    assert "Service responsable\u00a0: non renseigné" in body
    assert "Dernière mise à jour des données\u00a0: inconnue" in body
    _, body = cadence.render_reminder(
        reminder, "en", site_title="Portail", dataset_url="https://x/y", service_title=None)
    assert "Owner service: not set" in body
    assert "Data last updated: unknown" in body
