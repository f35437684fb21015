"""The organization's public progress page: published and planned datasets."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance.logic import progress_auth, schema
from ckanext.opendata_governance.logic.settings_action import DEFAULTS
from ckanext.opendata_governance.model import OrganizationSetting
from ckanext.opendata_governance.suggest import progress

#: One action per auth function of progress_auth, of the same name.
__all__ = progress_auth.__all__


@tk.side_effect_free
def organization_progress_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """How far an organization has opened its data: its public datasets and its plans, by
    kind of data and by owner service, its latest publications and its next plans.

    Everyone may read it once the organization's admins made it public
    (``governance_settings_update`` with ``progress_public``); before, its members only.
    It never names a private dataset, and names planned datasets only when the
    organization chose to (``progress_planned_titles``).

    :param organization_id: id or name of the organization
    :returns: ``{"organization_id", "public", "planned_titles", "published", "planned",
        "late", "published_plans", "themes", "services", "recent", "next"}``
    """
    tk.check_access("organization_progress_show", context, data_dict)
    data = schema.validate(data_dict, schema.settings_show(), context)
    setting = model.Session.get(OrganizationSetting, data["organization_id"])
    public = bool(setting.progress_public) if setting else DEFAULTS["progress_public"]
    titles = bool(setting.progress_planned_titles) if setting \
        else DEFAULTS["progress_planned_titles"]
    return {"organization_id": data["organization_id"], "public": public,
            "planned_titles": titles, **progress.figures(data["organization_id"], titles)}
