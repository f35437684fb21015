"""The harvesters' HTTP client: the suite's SSRF-safe fetch with size caps, timeouts and
bounded retries with backoff."""
from __future__ import annotations

import json
import time
from typing import Any, Callable, Iterable, Optional

import ckan.plugins.toolkit as tk

from ckanext.suite import safe_http

__all__ = ["HarvestClient", "HarvestFetchError"]

#: Answers worth retrying: the partner may be briefly overloaded or restarting.
_RETRY_STATUSES = {429, 502, 503, 504}


class HarvestFetchError(Exception):
    """A remote call failed for good (after retries); the message says why, for the job report."""

    def __init__(self, message: str, url: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class HarvestClient:
    """Fetches partner-portal pages; every hop goes through ``safe_http``.

    :param allowlist: hosts, addresses or networks the admin allows even when private
    :param max_bytes: largest body read (a bigger page is an error, never half-parsed)
    :param timeout: seconds per attempt, connection and body included
    :param retries: extra attempts after a connection error or a 429/5xx answer
    :param backoff: seconds before the first retry, doubled at each further one
    """

    def __init__(self, *, allowlist: Iterable[str] = (), max_bytes: int = 20 * 1024 * 1024,
                 timeout: float = 30.0, retries: int = 2, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.allowlist = list(allowlist)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        #: URLs fetched, in order (for job reports and tests).
        self.fetched: list[str] = []

    def get_bytes(self, url: str, *, accept: str = "*/*",
                  headers: Optional[dict[str, str]] = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a 200 answer; raises HarvestFetchError otherwise."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                with safe_http.fetch(url, max_bytes=self.max_bytes, timeout=self.timeout,
                                     allowlist=self.allowlist,
                                     headers={"Accept": accept, **(headers or {})},
                                     user_agent="ckanext-territorial_consolidation") as fetched:
                    status = fetched.status_code
                    if status == 200:
                        body = fetched.read()
                        self.fetched.append(url)
                        return body, dict(fetched.headers)
            except safe_http.FetchError as error:
                # A refused address or an oversized body will not change on a retry.
                if last or not error.retryable:
                    raise HarvestFetchError(str(error), url) from error
            else:
                if last or status not in _RETRY_STATUSES:
                    raise HarvestFetchError(
                        tk._("{url} answered HTTP {status}").format(url=url, status=status),
                        url, status)
            self._sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def get_json(self, url: str, *, headers: Optional[dict[str, str]] = None) -> Any:
        """The decoded JSON of a 200 answer; invalid JSON is a HarvestFetchError."""
        body, _headers = self.get_bytes(url, accept="application/json", headers=headers)
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise HarvestFetchError(
                tk._("{url} did not return valid JSON: {error}").format(url=url, error=error),
                url) from error

