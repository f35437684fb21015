"""Actions of the reuse tracker: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.reuse_tracker.logic import (
    datarequest_action, feedback_action, reuse_action, stats_action)
from ckanext.suite.registry import public_members

__all__ = ["get_actions"]


def get_actions() -> dict[str, Any]:
    return public_members(reuse_action, stats_action, feedback_action, datarequest_action)
