"""Shared set-up of the link health tests: a real HTTP server on 127.0.0.1 and its reuses."""
from __future__ import annotations

import datetime as dt
import http.server
import threading
from typing import Any, Iterator

import pytest

from ckan import model

from ckanext.reuse_tracker.model import Reuse
from tests.reuse_tracker.reuse_setup import MARKS, Portal, published

#: The reuse tests' marks, with the test server allowed and a short timeout.
LINK_MARKS = MARKS + [
    pytest.mark.ckan_config("ckanext.reuse_tracker.link_check_allowlist", "127.0.0.1"),
    pytest.mark.ckan_config("ckanext.reuse_tracker.link_check_timeout", 1),
]


class LinkServer(http.server.ThreadingHTTPServer):
    """Answers by path: /ok, /missing (404), /error (500), /slow (never in time),
    /no-head (405 to HEAD, 200 to GET), /to-metadata and /to-private (redirects to
    169.254.169.254 and 10.0.0.1), /to-ok (redirect to /ok). Records each request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []
        self.release = threading.Event()

    @property
    def base(self) -> str:
        return "http://127.0.0.1:{}".format(self.server_address[1])

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(http.server.BaseHTTPRequestHandler):
    server: LinkServer

    def _answer(self, method: str) -> None:
        self.server.requests.append((method, self.path.split("?")[0]))
        path = self.path.split("?")[0]
        if path == "/slow":
            # Held until the test ends, well past the check's one-second timeout.
            self.server.release.wait(10)
            return self._status(200)
        if path == "/missing":
            return self._status(404)
        if path == "/error":
            return self._status(500)
        if path == "/no-head" and method == "HEAD":
            return self._status(405)
        if path == "/to-metadata":
            return self._redirect("http://169.254.169.254/latest/meta-data/")
        if path == "/to-private":
            return self._redirect("http://10.0.0.1/admin")
        if path == "/to-ok":
            return self._redirect("/ok")
        return self._status(200, b"<html><body>" + b"x" * 50_000 + b"</body></html>")

    def _status(self, code: int, body: bytes = b"") -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the checker reads only the first bytes

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def link_server() -> Iterator[LinkServer]:
    """A real HTTP server on 127.0.0.1 and a free port, stopped after the test."""
    server = LinkServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def reuse_at(portal: Portal, url: str, **kwargs: Any) -> dict[str, Any]:
    """A published reuse, submitted by the portal's submitter, whose link is ``url``."""
    return published(portal, url=url, **kwargs)


def row(reuse: dict[str, Any]) -> Reuse:
    """The reuse's row as stored now."""
    model.Session.remove()
    stored = Reuse.get(reuse["id"])
    assert stored is not None
    return stored


def broken_since(reuse: dict[str, Any], days: int) -> None:
    """Make the reuse's link broken for that many days, as if checked back then (and
    published the day before)."""
    stored = row(reuse)
    then = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=days)
    stored.published = then - dt.timedelta(days=1)
    stored.link_broken_since = then
    stored.link_checked = then
    stored.link_failures = 3
    stored.extras = {**(stored.extras or {}), "link_checked_url": stored.url}
    model.Session.commit()


__all__ = ["LINK_MARKS", "LinkServer", "broken_since", "link_server", "reuse_at", "row"]
