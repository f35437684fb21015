"""What every plugin's tests use alike: the test users' password, an action context as a
user, a form's CSRF token and a client logged in through the login form."""
from __future__ import annotations

import re
from typing import Any, Optional

__all__ = ["PASSWORD", "as_user", "csrf_token", "login"]

#: The password of the users the tests create (it passes core's password rules).
PASSWORD = "Correct-horse-battery-1"


def as_user(user: Optional[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """An action context for the user, anonymous when None, auth functions checked."""
    return {"user": user["name"] if user else "", "ignore_auth": False, **extra}


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = re.search(r'name="_csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="_csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(app: Any, user: dict[str, Any], password: str = PASSWORD) -> Any:
    """A test client holding the session of the user, logged in through the login form.

    The ``app`` fixture opens a new client, without cookies, per request; a session
    needs one client kept across requests.
    """
    client = app.test_client()
    page = client.get("/user/login")
    response = client.post("/user/login", data={
        "login": user["name"], "password": password,
        "_csrf_token": csrf_token(page.body)}, follow_redirects=False)
    assert response.status_code == 302, response.body
    return client
