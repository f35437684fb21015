"""CSRF checks on the suite's own blueprints that no earlier API-token request can switch off."""
from __future__ import annotations

import flask

import ckan.plugins.toolkit as tk

__all__ = ["protect"]


def protect(blueprint: flask.Blueprint) -> flask.Blueprint:
    """Check the CSRF token of every state-changing request to the blueprint's views.

    CKAN 2.12 exempts a view from Flask-WTF's check for the rest of the process once a
    request authenticated by API token reached it (``csrf.exempt(view)``), so a cookie
    session posting to that view later is no longer checked. This check runs after
    CKAN's and decides per request: only a request that CKAN authenticated by the API
    token header it carries goes without a token (a browser never sends that header
    cross-site); cookie sessions and anonymous visitors need the form's token.
    """
    blueprint.before_request(_check_token)
    return blueprint


def _authenticated_by_token() -> bool:
    header = tk.config["apitoken_header_name"]
    return bool(tk.request.headers.get(header)) and bool(
        tk.g.get("login_via_auth_header")) and tk.current_user.is_authenticated


def _check_token() -> None:
    app = flask.current_app
    if not app.config.get("WTF_CSRF_ENABLED"):
        return
    if tk.request.method not in app.config["WTF_CSRF_METHODS"] or _authenticated_by_token():
        return
    app.extensions["csrf"].protect()
