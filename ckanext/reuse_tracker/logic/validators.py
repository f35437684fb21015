"""Validators of the reuse tracker: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.reuse_tracker.logic import feedback_validators, reuse_validators
from ckanext.suite.registry import public_members

__all__ = ["get_validators"]


def get_validators() -> dict[str, Any]:
    return public_members(reuse_validators, feedback_validators)
