"""Blueprints of the governance plugin: each feature's module, named here."""
from __future__ import annotations

from flask import Blueprint

from ckanext.opendata_governance import (
    check_views, dashboard_views, extract_views, guide_views, review_views, service_views,
    suggest_views)
from ckanext.opendata_governance.datastore import xlsx_dump
from ckanext.suite.registry import public_members

__all__ = ["get_blueprints"]


def get_blueprints() -> list[Blueprint]:
    return list(public_members(service_views, review_views, dashboard_views, check_views,
                               extract_views, xlsx_dump, suggest_views,
                               guide_views).values())
