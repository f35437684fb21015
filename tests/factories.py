"""Factories and factory fixtures of the suite, beside those CKAN's pytest plugin registers."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from ckan.tests import factories


@pytest.fixture
def api_headers() -> Callable[[dict[str, Any]], dict[str, str]]:
    """Return a function giving the Authorization header for a user dict."""
    def make(user: dict[str, Any]) -> dict[str, str]:
        token = factories.APIToken(user=user["name"])
        return {"Authorization": token["token"]}
    return make
