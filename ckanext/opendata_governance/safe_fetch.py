"""The governance checks' outbound fetches: the suite's SSRF-safe client with this plugin's allow-list."""
from __future__ import annotations

from typing import Any

from ckanext.suite import safe_http
from ckanext.suite.safe_http import (FetchError, Fetched, MAX_REDIRECTS, address_allowed,
                                     check_url)

__all__ = ["FetchError", "Fetched", "fetch", "check_url", "address_allowed",
           "MAX_REDIRECTS"]

ALLOWLIST_OPTION = "ckanext.opendata_governance.fetch_allowlist"


def fetch(url: str, **kwargs: Any) -> Fetched:
    """``safe_http.fetch`` allowing, unless told otherwise, the hosts of ``fetch_allowlist``."""
    if kwargs.get("allowlist") is None:
        kwargs["allowlist"] = safe_http.allowlist_from_config(ALLOWLIST_OPTION)
    kwargs.setdefault("user_agent", "ckanext-opendata_governance")
    return safe_http.fetch(url, **kwargs)
