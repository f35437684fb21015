"""Validators of territorial consolidation, registered by name for its schemas."""
from __future__ import annotations

from typing import Any

from ckanext.suite.registry import public_members
from ckanext.territorial_consolidation.logic import consolidation_validators

__all__ = ["get_validators"]


def get_validators() -> dict[str, Any]:
    return public_members(consolidation_validators)
