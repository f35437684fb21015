"""Actions of planned datasets: what an organization plans to open, and when."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.munge import munge_title_to_name
from ckan.types import Context, DataDict

from ckanext.opendata_governance.logic import planned_auth, schema
from ckanext.opendata_governance.model import PlannedDataset, Service
from ckanext.opendata_governance.suggest.plans import OPEN_STATES
from ckanext.suite.actions import commit

#: One action per auth function of planned_auth, of the same name.
__all__ = planned_auth.__all__

_EDITABLE = ("title", "target_date", "owner_service", "conforms_to", "update_frequency",
             "notes", "state", "package_id", "suggestion_key")


def _get(data_dict: DataDict) -> PlannedDataset:
    planned = model.Session.get(PlannedDataset, str(data_dict.get("id") or "")) \
        if data_dict.get("id") else None
    if planned is None:
        raise tk.ObjectNotFound(tk._("Planned dataset not found"))
    return planned


def _check_references(data: dict[str, Any], organization_id: str, today: dt.date) -> None:
    """What no single field's validator can tell: dates, services and datasets of this
    organization."""
    errors: dict[str, list[str]] = {}
    target = data.get("target_date")
    if target and dt.date.fromisoformat(target) < today:
        errors["target_date"] = [tk._("The target date is in the past")]
    service = data.get("owner_service")
    if service and Service.by_name(organization_id, service) is None:
        errors["owner_service"] = [tk._("Not a service of this organization: {name}").format(
            name=service)]
    if data.get("package_id"):
        package = model.Package.get(data["package_id"])
        if package is None or package.state == "deleted" or \
                package.owner_org != organization_id:
            errors["package_id"] = [tk._("Not a dataset of this organization")]
        else:
            data["package_id"] = package.id
    if errors:
        raise tk.ValidationError(errors)


def _apply(planned: PlannedDataset, data: dict[str, Any]) -> None:
    for key in _EDITABLE:
        if key in data:
            value = data[key]
            if key == "target_date" and value:
                value = dt.date.fromisoformat(value)
            setattr(planned, key, value if value != "" else None)


def _with_packages(plans: list[PlannedDataset]) -> list[dict[str, Any]]:
    """The plans as dicts, with ``package_name``: the name of the dataset each one became
    (None when it has none or its dataset was deleted). Plans are read by the
    organization's members, who may read its datasets."""
    ids = [plan.package_id for plan in plans if plan.package_id]
    names = dict(model.Session.query(model.Package.id, model.Package.name).filter(
        model.Package.id.in_(ids), model.Package.state != "deleted")) if ids else {}
    return [{**plan.as_dict(), "package_name": names.get(plan.package_id)} for plan in plans]


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def planned_dataset_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Plan a dataset to open (the organization's editors and admins).

    :param organization_id: id or name of the organization
    :param title: what will be opened
    :param target_date: when, an ISO date not in the past
    :param owner_service: name of one of the organization's services (optional)
    :param conforms_to: the expected schema, one the reference list knows (optional)
    :param update_frequency: EU frequency code, e.g. ``MONTHLY`` (optional)
    :param notes: free text (optional)
    :param state: ``planned`` (default), ``in_progress``, ``published`` or ``dropped``
    :param package_id: the dataset once started (optional)
    :param suggestion_key: the opening suggestion it answers (optional)
    :returns: the planned dataset, with ``late``
    """
    tk.check_access("planned_dataset_create", context, data_dict)
    data = schema.validate(data_dict, schema.planned_dataset_fields(), context)
    _check_references(data, data["organization_id"], _today())
    user = model.User.get(context.get("user") or "")
    planned = PlannedDataset(organization_id=data["organization_id"], state="planned",
                             created_by=user.id if user else None)
    _apply(planned, data)
    model.Session.add(planned)
    commit(context)
    return planned.as_dict()


def planned_dataset_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change some fields of a planned dataset; keys left out keep their value.

    A target date already past may stay; a new one may not be in the past.

    :param id: the planned dataset's id
    :param title, target_date, owner_service, conforms_to, update_frequency, notes,
        state, package_id, suggestion_key: new values
    :returns: the planned dataset
    """
    tk.check_access("planned_dataset_update", context, data_dict)
    planned = _get(data_dict)
    current = planned.as_dict()
    merged = {**{key: current[key] for key in _EDITABLE if current[key] is not None},
              **{key: data_dict[key] for key in _EDITABLE if key in data_dict},
              "organization_id": planned.organization_id}
    data = schema.validate(merged, schema.planned_dataset_fields(), context)
    changed = {key: value for key, value in data.items()
               if key in _EDITABLE and key in data_dict}
    if changed.get("target_date") == current["target_date"]:
        changed.pop("target_date")
    _check_references(changed, planned.organization_id, _today())
    _apply(planned, changed)
    commit(context)
    return planned.as_dict()


def planned_dataset_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a planned dataset.

    :param id: the planned dataset's id
    """
    tk.check_access("planned_dataset_delete", context, data_dict)
    model.Session.delete(_get(data_dict))
    commit(context)


@tk.side_effect_free
def planned_dataset_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One planned dataset.

    :param id: the planned dataset's id
    :returns: the planned dataset, with ``package_name``
    """
    tk.check_access("planned_dataset_show", context, data_dict)
    return _with_packages([_get(data_dict)])[0]


@tk.side_effect_free
def planned_dataset_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An organization's planned datasets, soonest target first.

    :param organization_id: id or name of the organization
    :param state: only this state (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: (default 0)
    :returns: ``{"count": N, "late": N, "results": [planned dataset, ...]}``, each with
        ``package_name``
    """
    tk.check_access("planned_dataset_list", context, data_dict)
    data = schema.validate(data_dict, schema.planned_dataset_list(), context)
    query = model.Session.query(PlannedDataset).filter_by(
        organization_id=data["organization_id"])
    if data.get("state"):
        query = query.filter_by(state=data["state"])
    late = query.filter(PlannedDataset.target_date < _today(),
                        PlannedDataset.state.in_(("planned", "in_progress"))).count()
    rows = query.order_by(PlannedDataset.target_date.asc().nulls_last(),
                          PlannedDataset.title).offset(data["offset"]).limit(data["limit"])
    return {"count": query.count(), "late": late, "results": _with_packages(list(rows))}


def _free_name(title: str) -> str:
    """A dataset name made from ``title`` that no dataset (draft or deleted) holds yet."""
    base = re.sub("-+", "-", munge_title_to_name(title)).strip("-")
    base = base[:model.PACKAGE_NAME_MAX_LENGTH - 4].strip("-") or "jeu-de-donnees"
    name, number = base, 1
    while model.Session.query(model.Package.id).filter(model.Package.name == name).first():
        number += 1
        name = f"{base}-{number}"
    return name


def planned_dataset_start(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Start a planned dataset: a private draft dataset of the organization, filled from
    the plan (title, owner service, update frequency, notes as description), which the
    plan now follows (``in_progress``). The dataset's edit form goes on with its creation
    (core's "add data" stage); publishing it closes the plan.

    :param id: the planned dataset's id
    :returns: the new dataset, as ``package_show`` gives it
    """
    tk.check_access("planned_dataset_start", context, data_dict)
    planned = _get(data_dict)
    started = model.Package.get(planned.package_id) if planned.package_id else None
    if started is not None and started.state != "deleted":
        raise tk.ValidationError({"id": [tk._(
            "This plan has already been started: dataset {name}").format(name=started.name)]})
    if planned.state not in OPEN_STATES:
        raise tk.ValidationError({"state": [tk._(
            "Only a planned or in-progress entry can be started")]})
    fields = {"name": _free_name(planned.title), "title": planned.title,
              "owner_org": planned.organization_id, "private": True, "state": "draft",
              "notes": planned.notes or "", "owner_service": planned.owner_service or "",
              "update_frequency": planned.update_frequency or ""}
    # As core's own form does for its first stage, which creates a draft.
    create_context: Any = {"user": context.get("user"), "allow_state_change": True}
    package = tk.get_action("package_create")(create_context, fields)
    planned.package_id, planned.state = package["id"], "in_progress"
    commit(context)
    return package
