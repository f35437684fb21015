"""Link health of published reuses against a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import flask_login
import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import jobs as jobs_lib
from ckan.tests import helpers

from ckanext.reuse_tracker import link_health
from tests.reuse_tracker.link_setup import (LINK_MARKS, broken_since, link_server,  # noqa: F401
                                            reuse_at, row)
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import make_portal, submit
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = LINK_MARKS


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    """CKAN's mailer pointed at the test SMTP server."""
    smtp_server.ckan_config(monkeypatch)
    monkeypatch.setitem(tk.config, "ckan.site_title", "Portail de test")
    return smtp_server


def test_a_working_link_is_recorded_ok(link_server):
    """A link answering 200 to HEAD is ok, checked now, with no failure and no GET."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/ok"))
    result = link_health.check_reuse(reuse["id"])
    assert result["outcome"] == "ok"
    stored = row(reuse)
    assert (stored.link_status, stored.link_failures) == ("ok", 0)
    assert stored.link_checked is not None and stored.link_broken_since is None
    assert link_server.requests == [("HEAD", "/ok")]


def test_a_404_is_a_failure_with_its_status(link_server):
    """A link answering 404 counts one failure, recorded as "HTTP 404"."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    result = link_health.check_reuse(reuse["id"])
    assert (result["outcome"], result["status"], result["failures"]) == (
        "failed", "HTTP 404", 1)
    assert (row(reuse).link_status, row(reuse).link_failures) == ("HTTP 404", 1)


def test_a_500_is_a_failure_after_a_get_retry(link_server):
    """A server error to HEAD is retried with GET, then recorded as "HTTP 500"."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/error"))
    assert link_health.check_reuse(reuse["id"])["status"] == "HTTP 500"
    assert link_server.requests == [("HEAD", "/error"), ("GET", "/error")]


def test_a_server_refusing_head_is_checked_with_get(link_server):
    """A 405 to HEAD falls back to GET, whose 200 makes the link ok."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/no-head"))
    assert link_health.check_reuse(reuse["id"])["outcome"] == "ok"
    assert link_server.requests == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_a_redirect_to_a_working_page_is_ok(link_server):
    """A redirect within the allowed host is followed to its final 200."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/to-ok"))
    assert link_health.check_reuse(reuse["id"])["outcome"] == "ok"
    assert link_server.requests == [("HEAD", "/to-ok"), ("HEAD", "/ok")]


def test_a_slow_server_times_out_as_a_failure(link_server):
    """A server that does not answer within the timeout is a failure, not a hang."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/slow"))
    result = link_health.check_reuse(reuse["id"])
    assert result["outcome"] == "failed"
    assert "Timeout" in result["status"] or "time limit" in result["status"]


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private"])
def test_a_redirect_to_a_private_address_is_refused(link_server, path):
    """A redirect to the metadata service or a private network is refused, not followed."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url(path))
    result = link_health.check_reuse(reuse["id"])
    assert result["outcome"] == "failed"
    assert "private, local or reserved" in result["status"]
    # The redirect was refused before any request to its target: both HEAD and GET
    # stopped at the test server's redirect.
    assert link_server.requests == [("HEAD", path)]


def test_a_loopback_link_is_refused_without_the_allow_list(link_server, monkeypatch):
    """Without the allow-list, a link on 127.0.0.1 fails without any request."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/ok"))
    monkeypatch.setitem(tk.config, "ckanext.reuse_tracker.link_check_allowlist", [])
    result = link_health.check_reuse(reuse["id"])
    assert "private, local or reserved" in result["status"]
    assert link_server.requests == []


def test_a_success_clears_earlier_failures(link_server):
    """After failures and a broken state, a working check resets the link's health."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/ok"))
    broken_since(reuse, days=2)
    assert link_health.check_reuse(reuse["id"], force=True)["outcome"] == "ok"
    stored = row(reuse)
    assert (stored.link_failures, stored.link_broken_since, stored.link_status) == (
        0, None, "ok")


def test_three_failures_break_the_link_and_mail_the_submitter_once(link_server, mail):
    """The third consecutive failure marks the link broken and mails the submitter; the
    fourth mails nobody."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"), title="Carte des arbres")
    mail.clear()  # the publication's own mail
    outcomes = [link_health.check_reuse(reuse["id"], force=True)["outcome"]
                for _ in range(4)]
    assert outcomes == ["failed", "failed", "broken", "broken"]
    assert row(reuse).link_broken_since is not None
    assert row(reuse).state == "published"
    (message,) = mail.messages
    assert message["To"].endswith("<submitter@example.org>") or \
        "submitter@example.org" in message["To"]
    assert "Carte des arbres" in message["Subject"]
    body = message.get_content()
    assert link_server.url("/missing") in body and "HTTP 404" in body
    assert "/reuses/{}".format(reuse["name"]) in body


def test_the_broken_link_shows_to_the_submitter_in_the_reuse(link_server):
    """Once broken, the reuse's ``link`` tells its submitter since when and why."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    for _ in range(3):
        link_health.check_reuse(reuse["id"], force=True)
    shown = helpers.call_action("reuse_show", as_user(portal.submitter), id=reuse["id"])
    assert shown["link"]["broken_since"] and shown["link"]["failures"] == 3
    assert shown["link"]["status"] == "HTTP 404"


@pytest.mark.ckan_config("ckanext.reuse_tracker.link_failures_before_broken", 1)
@pytest.mark.ckan_config("ckan.locale_default", "fr")
def test_the_threshold_is_configurable_and_the_mail_is_french(link_server, mail):
    """With a threshold of one, the first failure breaks the link; the mail is in French."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/error"), title="Budget en clair")
    mail.clear()
    assert link_health.check_reuse(reuse["id"])["outcome"] == "broken"
    (message,) = mail.messages
    assert message["Subject"] == (
        "[Portail de test] Le lien de votre réutilisation « Budget en clair » semble cassé")
    assert "Dernière erreur : HTTP 500" in message.get_content()


def test_a_link_broken_past_the_grace_period_is_archived(link_server, mail):
    """A link broken for more than 30 days is archived at its next failure, and the
    submitter is told."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"), title="Vieille carte")
    broken_since(reuse, days=31)
    mail.clear()
    assert link_health.check_reuse(reuse["id"])["outcome"] == "archived"
    stored = row(reuse)
    assert stored.state == "archived"
    assert stored.extras["archived_reason"] == "broken_link"
    (message,) = mail.messages
    assert "archived" in message["Subject"] and "Vieille carte" in message["Subject"]
    listed = helpers.call_action("reuse_list", as_user(None))
    assert reuse["id"] not in [item["id"] for item in listed["results"]]


def test_a_link_broken_within_the_grace_period_stays_published(link_server, mail):
    """A link broken for fewer than 30 days keeps the reuse published, without a new mail."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    broken_since(reuse, days=29)
    mail.clear()
    assert link_health.check_reuse(reuse["id"])["outcome"] == "broken"
    assert row(reuse).state == "published"
    assert mail.messages == []


def test_a_new_address_starts_its_failure_count_afresh(link_server):
    """Failures of the old address do not count once a moderator changes the link."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    for _ in range(2):
        link_health.check_reuse(reuse["id"], force=True)
    helpers.call_action("reuse_update", as_user(portal.sysadmin), id=reuse["id"],
                        url=link_server.url("/error"))
    result = link_health.check_reuse(reuse["id"], force=True)
    assert (result["outcome"], result["failures"]) == ("failed", 1)


def test_a_reuse_published_again_after_archiving_is_not_archived_at_once(link_server, mail):
    """Published again by a moderator, an archived reuse gets a fresh failure count."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    broken_since(reuse, days=40)
    assert link_health.check_reuse(reuse["id"])["outcome"] == "archived"
    helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=reuse["id"],
                        decision="publish")
    result = link_health.check_reuse(reuse["id"], force=True)
    assert (result["outcome"], result["failures"]) == ("failed", 1)
    assert row(reuse).state == "published"


def test_a_recent_check_is_not_repeated_unless_forced(link_server):
    """A second run within link_check_min_hours counts no second failure; force does."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    link_health.check_reuse(reuse["id"])
    assert link_health.check_reuse(reuse["id"])["outcome"] == "skipped"
    assert row(reuse).link_failures == 1
    link_health.check_reuse(reuse["id"], force=True)
    assert row(reuse).link_failures == 2


def test_a_pending_reuse_is_not_checked(link_server):
    """Only published reuses are checked: a pending one is skipped without a request."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public], url=link_server.url("/ok"))
    assert reuse["state"] == "pending"
    assert link_health.check_reuse(reuse["id"], force=True)["outcome"] == "skipped"
    assert link_server.requests == [] and row(reuse).link_checked is None


@pytest.mark.usefixtures("clean_queues")
def test_enqueue_all_queues_one_job_per_published_reuse_and_the_worker_runs_them(
        link_server):
    """Each published reuse gets a job; a burst worker runs them and records the results."""
    portal = make_portal()
    good = reuse_at(portal, link_server.url("/ok"))
    bad = reuse_at(portal, link_server.url("/missing"))
    refused = reuse_at(portal, link_server.url("/to-private"))
    submit(portal.submitter, [portal.public], url=link_server.url("/ok?pending"))
    job_ids = link_health.enqueue_all()
    assert len(job_ids) == 3
    jobs_lib.Worker().work(burst=True)
    assert row(good).link_status == "ok"
    assert row(bad).link_status == "HTTP 404"
    assert "private, local or reserved" in row(refused).link_status


def test_a_moderator_checks_the_link_from_the_reuse_page(app, api_headers, link_server):
    """The check-link button of an organization admin checks now and returns to the reuse."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/missing"))
    response = app.post("/reuses/{}/check-link".format(reuse["name"]),
                        headers=api_headers(portal.admin), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reuses/{}".format(reuse["name"]))
    assert row(reuse).link_status == "HTTP 404"


def test_the_check_link_button_is_forbidden_to_others(app, api_headers, link_server):
    """A user who does not moderate the reuse gets a 403 and nothing is checked."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/ok"))
    app.post("/reuses/{}/check-link".format(reuse["name"]),
             headers=api_headers(portal.submitter), status=403)
    assert link_server.requests == [] and row(reuse).link_checked is None


def test_the_check_link_button_shows_to_moderators_only(app, link_server):
    """The button snippet renders the check form for an admin, nothing for the submitter."""
    portal = make_portal()
    reuse = reuse_at(portal, link_server.url("/ok"))
    shown = helpers.call_action("reuse_show", as_user(portal.admin), id=reuse["id"])
    rendered = {}
    for key, user in (("admin", portal.admin), ("submitter", portal.submitter)):
        with app.flask_app.test_request_context():
            flask_login.login_user(model.User.get(user["name"]))
            rendered[key] = tk.render_snippet("reuse_tracker/stats/link_check_form.html",
                                              {"reuse": shown})
    assert 'action="/reuses/{}/check-link"'.format(reuse["name"]) in rendered["admin"]
    assert "<form" not in rendered["submitter"]
