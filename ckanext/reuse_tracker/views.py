"""Blueprints of the reuse tracker: each feature's module, named here."""
from __future__ import annotations

from flask import Blueprint

from ckanext.reuse_tracker import (
    views_dashboard, views_datarequest, views_feedback, views_picker, views_reuse,
    views_stats)
from ckanext.suite.registry import public_members

__all__ = ["get_blueprints"]


def get_blueprints() -> list[Blueprint]:
    return list(public_members(views_reuse, views_stats, views_feedback,
                               views_datarequest, views_dashboard, views_picker).values())
