"""Auth functions of territorial consolidation, one per action: each feature's module,
named here."""
from __future__ import annotations

from typing import Any

from ckanext.suite.registry import public_members
from ckanext.territorial_consolidation.logic import (
    consolidation_auth, harvest_auth, territory_auth)

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Any]:
    return public_members(territory_auth, harvest_auth, consolidation_auth)
