"""Auth functions of the reuse tracker, one per action: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.reuse_tracker.logic import datarequest_auth, feedback_auth, reuse_auth, stats_auth
from ckanext.suite.registry import public_members

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Any]:
    return public_members(reuse_auth, stats_auth, feedback_auth, datarequest_auth)
