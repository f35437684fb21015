"""Owner services by their titles, through the governance plugin's actions when it is loaded
(the reuse tracker works without it: then a service is shown by its name)."""
from __future__ import annotations

from typing import Iterable

import ckan.plugins as p
import ckan.plugins.toolkit as tk

__all__ = ["service_titles"]


def service_titles(organization_ids: Iterable[str]) -> dict[tuple[str, str], str]:
    """Titles of the organizations' services, by (organization id, service name).

    The service names are public (each dataset shows its own); titles come from
    ``governance_service_list`` as the site, since services are listed to members only.
    """
    wanted = {organization_id for organization_id in organization_ids if organization_id}
    if not wanted or not p.plugin_loaded("opendata_governance"):
        return {}
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    titles: dict[tuple[str, str], str] = {}
    for organization_id in sorted(wanted):
        listed = tk.get_action("governance_service_list")(
            {"user": site_user}, {"organization_id": organization_id,
                                  "include_dataset_count": False, "limit": 1000})
        for service in listed["results"]:
            titles[(organization_id, service["name"])] = service["title"]
    return titles
