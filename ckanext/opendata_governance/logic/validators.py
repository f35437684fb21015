"""Validators of the governance plugin's schemas and of its dataset fields."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.opendata_governance import cadence, frequencies
from ckanext.opendata_governance.model import Service

__all__ = [
    "governance_organization_id",
    "governance_user_id",
    "governance_owner_service",
    "governance_update_frequency",
    "governance_iso_date",
]


def governance_organization_id(value: Any, context: Context) -> Any:
    """Turn an organization id or name into the id of an active organization."""
    group = model.Group.get(value) if value else None
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(tk._("Organization not found"))
    return group.id


def governance_user_id(value: Any, context: Context) -> Any:
    """Turn a user id or name into the id of an active user; empty stays empty."""
    if value in (None, ""):
        return None
    user = model.User.get(value)
    if user is None or user.state != "active":
        raise tk.Invalid(tk._("User not found"))
    return user.id


def governance_update_frequency(value: Any, context: Context) -> Any:
    """An EU frequency authority code (or its URI), stored as the code: ``MONTHLY``."""
    if value in (None, ""):
        return value
    frequency = frequencies.get(value)
    if frequency is None:
        raise tk.Invalid(
            tk._("Unknown update frequency: {code}").format(code=value))
    return frequency.code


def governance_iso_date(value: Any, context: Context) -> Any:
    """An ISO 8601 date, stored as ``YYYY-MM-DD``; empty stays empty."""
    if value in (None, ""):
        return value
    try:
        date = cadence.parse_date(value)
    except (ValueError, OverflowError):
        date = None
    if date is None:
        raise tk.Invalid(tk._("Not a date in the YYYY-MM-DD form: {value}").format(
            value=value))
    return date.isoformat()


def governance_owner_service(key: FlattenKey, data: FlattenDataDict,
                             errors: FlattenErrorDict, context: Context) -> None:
    """The owner service must be an active service of the dataset's organization.

    A dataset may keep the service it already has once that service is
    deactivated, so that unrelated edits are not refused.
    """
    value = data.get(key)
    if value in (None, "", tk.missing):
        return
    owner_org = data.get(("owner_org",))
    if owner_org in (None, "", tk.missing):
        package = context.get("package")
        owner_org = package.owner_org if package else None
    group = model.Group.get(owner_org) if owner_org else None
    service = Service.by_name(group.id, value) if group else None
    if service is None:
        errors[key].append(
            tk._("Not a service of the dataset's organization: {name}").format(name=value))
        return
    if not service.active and not _kept(context, value):
        errors[key].append(
            tk._("This service is deactivated: {name}").format(name=value))


def _kept(context: Context, value: str) -> bool:
    package = context.get("package")
    if package is None:
        return False
    return package.extras.get("owner_service") == value
