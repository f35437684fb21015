"""Actions of the governance dashboard: its figures and the data inventory."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import dashboard
from ckanext.opendata_governance.logic import dashboard_auth
from ckanext.opendata_governance.suggest import plans

#: One action per auth function of dashboard_auth, of the same name.
__all__ = dashboard_auth.__all__

#: Largest page of ``governance_inventory``.
MAX_INVENTORY_PAGE = 1000


@tk.side_effect_free
def governance_dashboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Governance figures per organization and per owner service within it.

    Datasets are the active ones of type ``dataset``, private included.
    Datasets without an owner service are counted in a service bucket whose
    ``name`` is null. "Complete metadata" means every field listed in
    ``complete_metadata_fields`` is filled in (see
    ``ckanext.opendata_governance.dashboard.COMPLETE_METADATA``).

    :param organization_id: id or name of one organization (optional; without
        it, every organization the user administers, or all for sysadmins)
    :returns: ``{"generated", "complete_metadata_fields", "totals",
        "organizations": [{"id", "name", "title", <figures>, "services":
        [{"name", "title", "declared", "active", <figures>}, ...]}, ...]}``
        where the figures are ``datasets``, ``public``, ``private``,
        ``overdue``, ``complete_metadata``, ``complete_metadata_share``
        (0 to 1, null without datasets), ``pending_reviews``,
        ``pending_review_age_days`` (``oldest``, ``median``, ``buckets``),
        ``decided_reviews`` and ``median_decision_hours`` (request to decision);
        each organization also has ``plans``: its planned datasets by state
        (``planned``, ``in_progress``, ``published``, ``dropped``), ``late`` and
        ``late_plans`` (``id``, ``title``, ``target_date``), and the totals their sum
    """
    tk.check_access("governance_dashboard", context, data_dict)
    organizations, everything = _scope(context, data_dict)
    return dashboard.figures(organizations, everything)


@tk.side_effect_free
def governance_inventory(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The data inventory: every dataset, private included, of the organizations in view,
    then the planned datasets no dataset stands for yet.

    :param organization_id: id or name of one organization (optional; without
        it, every organization the user administers, or all for sysadmins)
    :param limit: page size (default 100, at most 1000)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [row, ...]}``, each row with the keys
        ``id``, ``name``, ``title``, ``organization``, ``organization_title``,
        ``owner_service``, ``owner_service_title``, ``private``,
        ``update_frequency``, ``last_data_update``, ``next_update_due``,
        ``update_status``, ``contains_personal_data``, ``license_id``,
        ``last_review_state``, ``last_review_decided``,
        ``last_review_decided_by`` (user name), ``num_resources``,
        ``metadata_modified``, and the plan's ``planned_state``,
        ``planned_target_date`` and ``planned_late`` (empty for a dataset no plan
        became; a plan's own row has its id and no name)
    """
    tk.check_access("governance_inventory", context, data_dict)
    data, errors = tk.navl_validate(data_dict, _inventory_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    organizations, everything = _scope(context, data)
    ids = None if everything else [org["id"] for org in organizations]
    datasets = dashboard.count_datasets(ids)
    limit, offset = data["limit"], data["offset"]
    rows = dashboard.inventory_rows(ids, limit, offset) if offset < datasets else []
    if len(rows) < limit:
        rows += plans.unstarted_rows(ids, limit - len(rows), max(offset - datasets, 0),
                                     dashboard.INVENTORY_COLUMNS)
    return {"count": datasets + plans.count_unstarted(ids), "results": rows}


def _inventory_schema() -> dict[str, Any]:
    v = tk.get_validator
    return {
        "organization_id": [v("ignore_missing"), v("unicode_safe")],
        "limit": [v("default")(100), v("natural_number_validator"), _at_most_page],
        "offset": [v("default")(0), v("natural_number_validator")],
    }


def _at_most_page(value: Any) -> int:
    if int(value) > MAX_INVENTORY_PAGE:
        raise tk.Invalid(tk._("At most {n}").format(n=MAX_INVENTORY_PAGE))
    return int(value)


def _scope(context: Context, data_dict: DataDict) -> tuple[list[dict[str, Any]], bool]:
    """The organizations in view and whether they are all of them."""
    wanted = data_dict.get("organization_id")
    if wanted:
        group = model.Group.get(str(wanted))
        if group is None or not group.is_organization or group.state != "active":
            raise tk.ValidationError(
                {"organization_id": [tk._("Organization not found")]})
        return [_organization(group)], False
    if authz.is_sysadmin(context.get("user")):
        groups = model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active")
        return [_organization(group) for group in groups], True
    organizations = tk.get_action("organization_list_for_user")(
        {"user": context.get("user", "")}, {"permission": "admin"})
    return [{"id": org["id"], "name": org["name"], "title": org.get("title")}
            for org in organizations], False


def _organization(group: model.Group) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "title": group.title}
