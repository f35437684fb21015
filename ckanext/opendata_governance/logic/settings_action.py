"""Actions on an organization's governance settings: the gate, the agent count, the
public progress page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import events
from ckanext.opendata_governance.logic import schema
from ckanext.opendata_governance.model import OrganizationSetting
from ckanext.suite.actions import acting_user, commit

__all__ = ["governance_settings_show", "governance_settings_update"]

#: What an organization without a settings row has.
DEFAULTS = {"gate_enabled": True, "agent_count": None, "progress_public": False,
            "progress_planned_titles": False}


@tk.side_effect_free
def governance_settings_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The governance settings of an organization (defaults when never set).

    :param organization_id: id or name of the organization
    :returns: ``{"organization_id", "gate_enabled", "agent_count", "progress_public",
        "progress_planned_titles", "modified_by", "modified"}``
    """
    tk.check_access("governance_settings_show", context, data_dict)
    data = schema.validate(data_dict, schema.settings_show(), context)
    setting = model.Session.get(OrganizationSetting, data["organization_id"])
    if setting is None:
        return {"organization_id": data["organization_id"], **DEFAULTS,
                "modified_by": None, "modified": None}
    return setting.as_dict()


def governance_settings_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change an organization's settings (its admins only); keys left out keep their value.

    :param organization_id: id or name of the organization
    :param gate_enabled: whether a dataset needs an approved sign-off to be public
    :param agent_count: the organization's staff headcount (empty clears it); with its
        territory's population, it decides whether "open by default" applies
    :param progress_public: whether everyone may see the organization's progress page
    :param progress_planned_titles: whether that page names the planned datasets
    :returns: the settings
    """
    tk.check_access("governance_settings_update", context, data_dict)
    data = schema.validate(data_dict, schema.settings_update(), context)
    if not any(key in data for key in DEFAULTS):
        raise tk.ValidationError({"gate_enabled": [tk._("Missing value")]})
    actor = acting_user(context)
    setting = model.Session.get(OrganizationSetting, data["organization_id"])
    before = True if setting is None else bool(setting.gate_enabled)
    if setting is None:
        setting = OrganizationSetting(organization_id=data["organization_id"])
        model.Session.add(setting)
    changes: dict[str, Any] = {}
    if "gate_enabled" in data:
        setting.gate_enabled = data["gate_enabled"]
        changes["gate_enabled"] = [before, setting.gate_enabled]
    else:
        setting.gate_enabled = before
    for key in ("agent_count", "progress_public", "progress_planned_titles"):
        if key in data:
            changes[key] = [getattr(setting, key), data[key]]
            setattr(setting, key, data[key])
    for key in ("progress_public", "progress_planned_titles"):
        if getattr(setting, key) is None:  # a new row, before its defaults apply
            setattr(setting, key, DEFAULTS[key])
    setting.modified_by = actor.id if actor else None
    model.Session.flush()
    events.record(context, "settings_updated", "organization", setting.organization_id,
                   setting.organization_id, details=changes)
    commit(context)
    return setting.as_dict()
