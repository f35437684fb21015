"""Blueprints of the governance plugin: each feature's module, named here."""
from __future__ import annotations

from flask import Blueprint

from ckanext.opendata_governance import (
    views_check, views_dashboard, views_extract, views_guide, views_review, views_service,
    views_suggest)
from ckanext.opendata_governance.datastore import xlsx_dump
from ckanext.suite.registry import public_members

__all__ = ["get_blueprints"]


def get_blueprints() -> list[Blueprint]:
    return list(public_members(views_service, views_review, views_dashboard, views_check,
                               views_extract, xlsx_dump, views_suggest,
                               views_guide).values())
