"""Blueprints of territorial consolidation: each feature's module, named here."""
from __future__ import annotations

from flask import Blueprint

from ckanext.suite.registry import public_members
from ckanext.territorial_consolidation import (
    views_consolidation, views_harvest, views_territory)

__all__ = ["get_blueprints"]


def get_blueprints() -> list[Blueprint]:
    return list(public_members(views_territory, views_harvest, views_consolidation).values())
