"""Actions of "What to open next": ranked opening suggestions and their dismissal."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance.logic import schema, suggest_auth
from ckanext.opendata_governance.model import (
    OpeningDismissal, OrganizationSetting, PlannedDataset)
from ckanext.opendata_governance.suggest import obligation, plans, ranking, territory

#: One action per auth function of suggest_auth, of the same name.
__all__ = suggest_auth.__all__


def _is_admin(context: Context, organization_id: str) -> bool:
    return authz.has_user_permission_for_group_or_org(
        organization_id, context.get("user"), "admin")


def _message(place: Optional[territory.Place]) -> str:
    if place is None:
        return tk._("Set the organization's territory (the commune, EPCI, département or "
                    "région it stands for) to get suggestions for its level and from its "
                    "peers; until then only data requests are taken into account.")
    return ""


def _with_plans(organization_id: str, suggestions: list[dict[str, Any]]
                ) -> list[dict[str, Any]]:
    """Each suggestion with the open plan that answers it, so that it shows as planned."""
    open_plans = {row.suggestion_key: row.as_dict() for row in model.Session.query(
        PlannedDataset).filter(PlannedDataset.organization_id == organization_id,
                               PlannedDataset.suggestion_key.isnot(None),
                               PlannedDataset.state.in_(plans.OPEN_STATES))}
    return [{**item, "planned": open_plans.get(item["key"])} for item in suggestions]


@tk.side_effect_free
def opening_suggestion_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the organization could open next, ranked by score (see the README's weights).

    :param organization_id: id or name of the organization
    :returns: ``{"organization_id", "territory": {"id", "level", "name", "population"}
        or None, "obligation": {"applies", "population", "agent_count", "text"},
        "suggestions": [{"key", "title", "schema_url", "why", "frequency", "levels",
        "score", "reasons": [{"kind", "points", "text", "evidence"}], "planned": the open
        plan answering it or None}], "message",
        "dismissed": [...] (to the organization's admins only)}``
    """
    tk.check_access("opening_suggestion_list", context, data_dict)
    data = schema.validate(data_dict, schema.opening_suggestion_list(), context)
    organization_id = data["organization_id"]
    place = territory.place_of(organization_id)
    setting = model.Session.get(OrganizationSetting, organization_id)
    dismissals = model.Session.query(OpeningDismissal).filter_by(
        organization_id=organization_id).order_by(OpeningDismissal.created).all()
    result: dict[str, Any] = {
        "organization_id": organization_id,
        "territory": ({"id": place.id, "level": place.level, "name": place.name,
                       "population": place.population} if place else None),
        "obligation": obligation.obligation(
            place.level if place else None, place.population if place else None,
            setting.agent_count if setting else None),
        "suggestions": _with_plans(organization_id, ranking.suggestions(
            organization_id, place, {row.key for row in dismissals})),
        "message": _message(place),
    }
    if _is_admin(context, organization_id):
        result["dismissed"] = [row.as_dict() for row in dismissals]
    return result


def opening_suggestion_dismiss(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take a suggestion out of the organization's list for good, saying why.

    Dismissing it again only replaces the reason.

    :param organization_id: id or name of the organization
    :param key: the suggestion's key (an entry of the reference list)
    :param reason: why the organization will not open it (shown to its admins)
    :returns: the dismissal ``{"organization_id", "key", "reason", "dismissed_by",
        "created"}``
    """
    tk.check_access("opening_suggestion_dismiss", context, data_dict)
    data = schema.validate(data_dict, schema.opening_suggestion_dismiss(), context)
    user = model.User.get(context.get("user") or "")
    row = model.Session.query(OpeningDismissal).filter_by(
        organization_id=data["organization_id"], key=data["key"]).one_or_none()
    if row is None:
        row = OpeningDismissal(organization_id=data["organization_id"], key=data["key"])
        model.Session.add(row)
    row.reason = data["reason"]
    row.dismissed_by = user.id if user else None
    if context.get("defer_commit"):
        model.Session.flush()
    else:
        model.Session.commit()
    return row.as_dict()
