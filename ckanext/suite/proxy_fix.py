"""The visitor's address behind a trusted reverse proxy (werkzeug's ProxyFix, once)."""
from __future__ import annotations

from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

import ckan.plugins.toolkit as tk

__all__ = ["OPTION", "apply"]

OPTION = "ckanext.suite.proxy_hops"
# Set on the Flask app once wrapped: several suite plugins apply the fix, only
# the first one loaded wraps.
_MARK = "SUITE_PROXY_FIX"


def apply(app: Any) -> Any:
    """Trust ``ckanext.suite.proxy_hops`` proxies' X-Forwarded-For and -Proto headers
    for the request's address and scheme (``request.remote_addr``, the rate limits,
    ``url_for(_external=True)``, the WSGI server's access log), or leave the app alone
    when it is 0. The Flask app keeps its identity; only its WSGI callable is wrapped."""
    hops = tk.config.get(OPTION) or 0
    if hops <= 0 or app.config.get(_MARK):
        return app
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config[_MARK] = True
    return app
