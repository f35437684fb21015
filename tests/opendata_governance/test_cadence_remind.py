"""The ``ckan opendata-governance remind`` command: who gets which reminder, once."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.opendata_governance import freshness
from ckanext.opendata_governance.cli import opendata_governance
from ckanext.opendata_governance.model import ReminderSent
from ckanext.suite import mail as outbox
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS

LAST_UPDATE = "2026-01-10"  # MONTHLY: due on 2026-02-10
BEFORE, DUE, ESCALATION = "2026-02-03", "2026-02-10", "2026-02-24"


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    return smtp_server


def _portal_with_late_dataset(**kwargs: Any):
    portal = make_portal()
    helpers.call_action("governance_service_update", id=portal.service["id"],
                        referent_id=portal.editor["id"])
    created = dataset(portal, update_frequency="MONTHLY",
                      last_data_update=LAST_UPDATE, **kwargs)
    return portal, created


def _remind(*args: str) -> Any:
    result = CliRunner().invoke(opendata_governance, ["remind", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def _recipients(server: SMTPTestServer) -> set[str]:
    return {rcpt for envelope in server.envelopes for rcpt in envelope.rcpt_tos}


def test_before_the_due_date_the_service_and_referent_are_mailed(mail):
    """At D-7 the service mailbox and the referent each get a reminder."""
    portal, _created = _portal_with_late_dataset()
    _remind("--date", BEFORE)
    assert _recipients(mail) == {"finances@example.org", portal.editor["email"]}
    subjects = [str(m["Subject"]) for m in mail.messages]
    # Every subject, should one ever lack the prefix (seen once in CI, not reproduced).
    assert all(subject.startswith("[Portail de test]") for subject in subjects), subjects


def test_on_the_due_date_the_service_is_mailed_again(mail):
    """On D, after the D-7 reminder, the service gets the due-date reminder."""
    portal, _created = _portal_with_late_dataset()
    _remind("--date", BEFORE)
    mail.clear()
    _remind("--date", DUE)
    assert _recipients(mail) == {"finances@example.org", portal.editor["email"]}
    assert len(mail.messages) == 2


def test_escalation_goes_to_the_organization_admins(mail):
    """At D+14 the organization's admins, and only they, are mailed."""
    portal, _created = _portal_with_late_dataset()
    _remind("--date", ESCALATION)
    assert _recipients(mail) == {portal.admin["email"]}


def test_no_escalation_before_its_day(mail):
    """At D+13 the admins hear nothing yet."""
    portal, _created = _portal_with_late_dataset()
    _remind("--date", DUE)
    mail.clear()
    _remind("--date", "2026-02-23")
    assert mail.messages == []


def test_repeated_runs_send_nothing_twice(mail):
    """Running the command again on the same day sends no second mail."""
    _portal_with_late_dataset()
    _remind("--date", BEFORE)
    _remind("--date", BEFORE)
    _remind("--date", "2026-02-05")
    assert len(mail.messages) == 2


def test_sent_reminders_are_recorded(mail):
    """Each sent reminder is recorded with its dataset, due date and step."""
    _portal, created = _portal_with_late_dataset()
    _remind("--date", BEFORE)
    assert ReminderSent.keys_for([created["id"]]) == {(created["id"], DUE, "before")}


def test_a_reminder_sent_event_is_recorded(mail):
    """Sending a reminder appends a reminder_sent governance event."""
    portal, created = _portal_with_late_dataset()
    _remind("--date", ESCALATION)
    [event] = helpers.call_action("governance_event_list", package_id=created["id"],
                                  event_type="reminder_sent")["results"]
    assert event["organization_id"] == portal.org["id"]
    assert event["details"]["step"] == "escalation"
    assert event["details"]["due"] == DUE
    assert event["details"]["recipients"] == [portal.admin["email"]]


def test_dry_run_lists_and_sends_nothing(mail):
    """--dry-run prints the planned reminder and neither sends nor records it."""
    _portal, created = _portal_with_late_dataset()
    result = _remind("--dry-run", "--date", BEFORE)
    assert created["name"] in result.output
    assert "finances@example.org" in result.output
    assert mail.messages == []
    assert ReminderSent.keys_for([created["id"]]) == set()
    assert helpers.call_action("governance_event_list", package_id=created["id"],
                               event_type="reminder_sent")["count"] == 0


def test_summary_is_printed(mail):
    """The command ends with how many reminders were sent and failed."""
    _portal_with_late_dataset()
    result = _remind("--date", BEFORE)
    assert "1 reminder(s) sent, 0 failed" in result.output


def test_french_portal_sends_french_mail(mail, monkeypatch):
    """With French as the default locale, the subject is in French."""
    monkeypatch.setitem(tk.config, "ckan.locale_default", "fr")
    _portal_with_late_dataset()
    _remind("--date", DUE)
    assert "Mise à jour attendue aujourd'hui" in mail.messages[0]["Subject"]


def test_a_mail_server_that_is_down_delays_the_reminder_without_repeating_it(mail, monkeypatch):
    """With the mail server down the reminder is recorded and its mails wait in the outbox;
    the next run queues nothing more, and the mails arrive once the server is back."""
    _portal, created = _portal_with_late_dataset()
    monkeypatch.setitem(tk.config, "smtp.server", "127.0.0.1:1")
    result = CliRunner().invoke(opendata_governance, ["remind", "--date", BEFORE])
    assert "1 reminder(s) sent, 0 failed" in result.output
    assert outbox.flush() == {"sent": 0, "pending": 2, "failed": 0}
    assert len(ReminderSent.keys_for([created["id"]])) == 1
    _remind("--date", BEFORE)
    monkeypatch.setitem(tk.config, "smtp.server", mail.address)
    assert outbox.flush(retry_now=True) == {"sent": 2, "pending": 0, "failed": 0}
    assert len(mail.messages) == 2


def test_private_datasets_get_reminders(mail):
    """A private dataset is reminded like a public one."""
    _portal_with_late_dataset(private=True)
    _remind("--date", BEFORE)
    assert len(mail.messages) == 2


def test_non_periodic_datasets_get_no_reminder(mail):
    """A dataset updated irregularly never gets a reminder."""
    portal = make_portal()
    dataset(portal, update_frequency="IRREG", last_data_update="2020-01-01")
    _remind("--date", ESCALATION)
    assert mail.messages == []


def test_stale_index_status_is_refreshed(mail, monkeypatch):
    """A dataset indexed when it was on time is re-indexed as overdue by the run."""
    portal = make_portal()
    with monkeypatch.context() as patch:
        patch.setattr(freshness, "_today", lambda: dt.date(2020, 1, 20))
        created = dataset(portal, update_frequency="MONTHLY", last_data_update="2020-01-15")
    assert _names("update_status:on_time") == {created["name"]}
    result = _remind("--dry-run")
    assert "1 dataset(s) would be re-indexed" in result.output
    _remind()
    assert _names("update_status:overdue") == {created["name"]}


def _names(fq: str) -> set[str]:
    found = helpers.call_action("package_search", fq=fq, include_private=True)
    return {item["name"] for item in found["results"]}
