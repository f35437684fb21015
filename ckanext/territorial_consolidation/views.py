"""Blueprints of territorial consolidation: each feature's module, named here."""
from __future__ import annotations

from flask import Blueprint

from ckanext.suite.registry import public_members
from ckanext.territorial_consolidation import (
    consolidation_views, harvest_views, territory_views)

__all__ = ["get_blueprints"]


def get_blueprints() -> list[Blueprint]:
    return list(public_members(territory_views, harvest_views, consolidation_views).values())
