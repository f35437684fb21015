"""Behind the nginx of deploy/: the per-address rate limit sees the visitor, not the proxy."""
from __future__ import annotations

import uuid
from typing import Optional
from urllib.parse import urlparse

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.reuse_tracker.model.feedback import Feedback
from tests.shared import csrf_token

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins",
                            "postgres_search reuse_tracker territorial_consolidation"),
    pytest.mark.ckan_config("ckanext.reuse_tracker.feedback_anonymous", True),
    pytest.mark.ckan_config("ckanext.reuse_tracker.feedback_rate_limit", 2),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _address(network: str) -> str:
    # A fresh address per test: the rate-limit counters live in Redis across tests.
    return f"{network}.{uuid.uuid4().int % 250 + 1}"


class _Proxied:
    """A dataset's feedback form, posted to from one proxy's address (as through nginx)."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.proxy = _address("10.0.0")
        self.host = urlparse(tk.config["ckan.site_url"]).netloc
        dataset = factories.Dataset(resources=[{"url": "http://example.org/a.csv"}])
        self.url = f"/dataset/{dataset['name']}/feedback"
        self.token = csrf_token(self.client.get(f"/dataset/{dataset['name']}").body)

    def post(self, visitor: Optional[str], body: str) -> int:
        """The status of an anonymous post whose X-Forwarded-For names ``visitor``."""
        # Behind TLS, Flask-WTF also wants the form's page as Referer, as browsers send it.
        headers = {"X-Forwarded-For": visitor, "X-Forwarded-Proto": "https",
                   "Referer": f"https://{self.host}{self.url}"} if visitor else {}
        response = self.client.post(
            self.url, headers=headers, environ_overrides={"REMOTE_ADDR": self.proxy},
            data={"_csrf_token": self.token, "kind": "question", "body": body,
                  "author_name": "Camille"}, follow_redirects=False)
        return response.status_code


def _stored(prefix: str) -> int:
    return model.Session.query(Feedback).filter(Feedback.body.like(f"{prefix}%")).count()


@pytest.mark.ckan_config("ckanext.suite.proxy_hops", 1)
def test_two_visitors_behind_one_proxy_have_their_own_budget(app):
    """With one trusted proxy, each X-Forwarded-For address gets its own rate limit."""
    portal = _Proxied(app)
    first, second = _address("203.0.113"), _address("198.51.100")
    assert [portal.post(first, f"first {n}") for n in range(3)] == [302, 302, 429]
    assert [portal.post(second, f"second {n}") for n in range(2)] == [302, 302]
    assert (_stored("first"), _stored("second")) == (2, 2)


@pytest.mark.ckan_config("ckanext.suite.proxy_hops", 1)
def test_only_the_address_the_proxy_added_counts(app):
    """A visitor's own forged X-Forwarded-For entry is ignored: nginx appends the real
    address, and only that last entry is trusted."""
    portal = _Proxied(app)
    visitor = _address("203.0.113")
    statuses = [portal.post(f"{_address('192.0.2')}, {visitor}", f"forged {n}")
                for n in range(3)]
    assert statuses == [302, 302, 429]


@pytest.mark.ckan_config("ckanext.suite.proxy_hops", 0)
def test_without_the_proxy_fix_the_header_is_ignored(app):
    """With no trusted proxy, every visitor counts as the proxy: one shared budget."""
    portal = _Proxied(app)
    statuses = [portal.post(_address("203.0.113"), f"shared {n}") for n in range(3)]
    assert statuses == [302, 302, 429]
    assert _stored("shared") == 2
