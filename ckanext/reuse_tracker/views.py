"""Blueprints of the reuse tracker: each feature's module, named here."""
from __future__ import annotations

from flask import Blueprint

from ckanext.reuse_tracker import (
    dashboard_views, datarequest_views, feedback_views, picker_views, reuse_views,
    stats_views)
from ckanext.suite.registry import public_members

__all__ = ["get_blueprints"]


def get_blueprints() -> list[Blueprint]:
    return list(public_members(reuse_views, stats_views, feedback_views,
                               datarequest_views, dashboard_views, picker_views).values())
