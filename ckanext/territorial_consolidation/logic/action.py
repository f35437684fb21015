"""Actions of territorial consolidation: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.suite.registry import public_members
from ckanext.territorial_consolidation.logic import (
    consolidation_action, harvest_action, territory_action)

__all__ = ["get_actions"]


def get_actions() -> dict[str, Any]:
    return public_members(territory_action, harvest_action, consolidation_action)
