"""Template helpers of territorial consolidation: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.suite.registry import public_members
from ckanext.territorial_consolidation import harvest_helpers, territory_helpers
from ckanext.territorial_consolidation.consolidation import helpers as consolidation_helpers

__all__ = ["get_helpers"]


def get_helpers() -> dict[str, Any]:
    return public_members(territory_helpers, harvest_helpers, consolidation_helpers)
