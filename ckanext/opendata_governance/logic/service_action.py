"""Actions of the governance plugin on owner services, the event log and overdue datasets."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import cadence, freshness
from ckanext.opendata_governance.logic import schema, service_auth
from ckanext.opendata_governance.model import Event, Service
from ckanext.suite.actions import commit
from ckanext.suite.site import user_contact

#: One action per auth function of service_auth, of the same name.
__all__ = service_auth.__all__

#: Rows fetched per package_search page when collecting a service's datasets.
_PAGE = 500


def governance_service_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create an owner service in an organization (its admins only).

    :param organization_id: id or name of the organization
    :param name: slug, unique within the organization
    :param title: display name, e.g. "Direction des finances"
    :param email: the service's mailbox (optional)
    :param referent_id: id or name of the referent user, a member of the organization (optional)
    :param backup_referent_id: id or name of the backup referent (optional)
    :param active: whether datasets may be given this service (default true)
    :returns: the service
    """
    tk.check_access("governance_service_create", context, data_dict)
    data = schema.validate(data_dict, schema.service_create(), context)
    if Service.by_name(data["organization_id"], data["name"]) is not None:
        raise tk.ValidationError(
            {"name": [tk._("A service of this organization already has this name")]})
    _check_referents(data, data["organization_id"])

    service = Service(**{key: data.get(key) for key in (
        "organization_id", "name", "title", "email", "referent_id",
        "backup_referent_id", "active")})
    model.Session.add(service)
    model.Session.flush()
    _record(context, "service_created", service, details={"service": service.as_dict()})
    commit(context)
    return _service_dict(service)


def governance_service_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change some fields of a service; keys left out keep their value.

    A service that datasets refer to cannot be renamed: reassign them first.

    :param id: service id (or name, with ``organization_id``)
    :param name, title, email, referent_id, backup_referent_id, active: new values
    :returns: the service
    """
    tk.check_access("governance_service_update", context, data_dict)
    service = _get_service(data_dict)
    data = schema.validate({**data_dict, "id": service.id}, schema.service_update(), context)

    if "name" in data and data["name"] != service.name:
        if Service.by_name(service.organization_id, data["name"]) is not None:
            raise tk.ValidationError(
                {"name": [tk._("A service of this organization already has this name")]})
        count = _count_datasets(service)
        if count:
            raise tk.ValidationError({"name": [tk.ungettext(
                "{n} dataset refers to this service by its name: reassign it "
                "to another service before renaming this one",
                "{n} datasets refer to this service by its name: reassign them "
                "to another service before renaming this one", count).format(n=count)]})
    _check_referents(data, service.organization_id)

    changes: dict[str, list[Any]] = {}
    for key in ("name", "title", "email", "referent_id", "backup_referent_id", "active"):
        if key in data and data[key] != getattr(service, key):
            changes[key] = [getattr(service, key), data[key]]
            setattr(service, key, data[key])
    if changes:
        model.Session.flush()
        _record(context, "service_updated", service, details={"changes": changes})
        commit(context)
    return _service_dict(service)


def governance_service_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a service that no dataset refers to (its organization's admins only).

    :param id: service id (or name, with ``organization_id``)
    """
    tk.check_access("governance_service_delete", context, data_dict)
    service = _get_service(data_dict)
    count = _count_datasets(service)
    if count:
        raise tk.ValidationError({"id": [tk.ungettext(
            "{n} dataset belongs to this service: reassign it to another "
            "service before deleting this one",
            "{n} datasets belong to this service: reassign them to another "
            "service before deleting this one", count).format(n=count)]})
    _record(context, "service_deleted", service, details={"service": service.as_dict()})
    model.Session.delete(service)
    commit(context)


@tk.side_effect_free
def governance_service_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One service, with the number of datasets that belong to it.

    :param id: service id (or name, with ``organization_id``)
    :returns: the service, with ``dataset_count``
    """
    tk.check_access("governance_service_show", context, data_dict)
    service = _get_service(data_dict)
    return {**_service_dict(service), "dataset_count": _count_datasets(service)}


@tk.side_effect_free
def governance_service_contacts(context: Context, data_dict: DataDict) -> list[dict[str, str]]:
    """Whom to write to about a service's datasets: its mailbox, its referent and its
    backup referent (active accounts with an address), each address once. The other
    plugins ask this rather than reading a service's fields themselves.

    :param id: service id (or name, with ``organization_id``)
    :param organization_id: id of the service's organization, when ``id`` is a name
    :param roles: which of ``mailbox``, ``referent`` and ``backup_referent`` (a list, or
        names separated by commas; default all three)
    :returns: ``[{"role": ..., "name": ..., "email": ...}, ...]`` in that order
    """
    tk.check_access("governance_service_contacts", context, data_dict)
    data = schema.validate(data_dict, schema.service_contacts(), context)
    service = _get_service(data)
    found: list[tuple[str, Optional[tuple[str, str]]]] = [
        ("mailbox", (service.title or service.name, service.email) if service.email else None),
        ("referent", user_contact(service.referent_id)),
        ("backup_referent", user_contact(service.backup_referent_id))]
    contacts: dict[str, dict[str, str]] = {}
    for role, contact in found:
        if contact and role in data["roles"]:
            contacts.setdefault(contact[1].lower(),
                                {"role": role, "name": contact[0], "email": contact[1]})
    return list(contacts.values())


@tk.side_effect_free
def governance_service_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The services of an organization, by title, with their dataset counts.

    :param organization_id: id or name of the organization
    :param active_only: only the active services (default false)
    :param include_dataset_count: add each service's ``dataset_count`` (default true)
    :param limit: page size (default 100)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [service, ...]}``
    """
    tk.check_access("governance_service_list", context, data_dict)
    data = schema.validate(data_dict, schema.service_list(), context)
    query = Service.for_organization(data["organization_id"], data["active_only"])
    services = query.offset(data["offset"]).limit(data["limit"]).all()
    results = [_service_dict(service) for service in services]
    if data["include_dataset_count"]:
        counts = _dataset_counts(data["organization_id"])
        for result in results:
            result["dataset_count"] = counts.get(result["name"], 0)
    return {"count": query.count(), "results": results}


def governance_service_reassign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move every dataset of a service to another active service of the same organization.

    Each dataset is changed through ``package_patch``, so the change shows in
    its activity and the search index; each move is recorded as an event.

    :param id: the service the datasets leave (id, or name with ``organization_id``)
    :param target: the service they join (id or name, same organization)
    :returns: ``{"moved": [dataset names], "failed": {dataset name: errors}}``
    """
    tk.check_access("governance_service_reassign", context, data_dict)
    source = _get_service(data_dict)
    data = schema.validate(data_dict, schema.service_reassign(), context)
    target = Service.lookup(data["target"], source.organization_id)
    if target is None or target.organization_id != source.organization_id:
        raise tk.ValidationError(
            {"target": [tk._("Not a service of the same organization")]})
    if target.id == source.id:
        raise tk.ValidationError(
            {"target": [tk._("The datasets already belong to this service")]})
    if not target.active:
        raise tk.ValidationError({"target": [tk._("This service is deactivated")]})

    moved: list[str] = []
    failed: dict[str, Any] = {}
    for package in _datasets(source):
        try:
            # The caller may edit every dataset of the organization: the
            # auth check above made sure of it.
            tk.get_action("package_patch")(
                {"user": context.get("user", ""),
                 "ignore_auth": context.get("ignore_auth", False)},
                {"id": package["id"], "owner_service": target.name})
        except tk.ValidationError as error:
            failed[package["name"]] = error.error_dict
            continue
        moved.append(package["name"])
        _record(context, "service_reassigned", source, package_id=package["id"],
                details={"from": source.name, "to": target.name})
    commit(context)
    return {"moved": moved, "failed": failed}


@tk.side_effect_free
def governance_event_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Governance events, newest first, of an organization or a dataset.

    :param organization_id: id or name of an organization (optional for sysadmins)
    :param package_id: id of a dataset (optional)
    :param event_type: only events of this type (optional)
    :param limit: page size (default 50)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [event, ...]}``
    """
    tk.check_access("governance_event_list", context, data_dict)
    data = schema.validate(data_dict, schema.event_list(), context)
    query = model.Session.query(Event)
    if data.get("organization_id"):
        query = query.filter(Event.organization_id == data["organization_id"])
    if data.get("package_id"):
        package = model.Package.get(data["package_id"])
        query = query.filter(Event.package_id == (package.id if package else None))
    if data.get("event_type"):
        query = query.filter(Event.event_type == data["event_type"])
    page = (query.order_by(Event.timestamp.desc(), Event.id)
            .offset(data["offset"]).limit(data["limit"]).all())
    return {"count": query.count(), "results": [event.as_dict() for event in page]}


@tk.side_effect_free
def governance_overdue_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Datasets late for their data update, the longest overdue first.

    The status is the one indexed, which the daily ``remind`` command keeps
    current; days overdue are counted to today. Private datasets are listed
    to those who may see them.

    :param organization: id or name of an organization (optional; without
        it, every organization the user edits, or all for sysadmins)
    :param owner_service: name of an owner service (optional)
    :param include_due_soon: also list datasets due soon (default false)
    :param limit: page size (default 50)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [{"name", "title", "organization",
        "owner_service", "update_frequency", "last_data_update",
        "next_update_due", "update_status", "days_overdue"}, ...]}``
    """
    tk.check_access("governance_overdue_list", context, data_dict)
    data = schema.validate(data_dict, schema.overdue_list(), context)
    statuses = [cadence.OVERDUE] + ([cadence.DUE_SOON] if data["include_due_soon"] else [])
    fq = ["update_status:({})".format(" OR ".join(statuses))]
    if data.get("organization"):
        fq.append('owner_org:"{}"'.format(data["organization"]))
    elif not authz.is_sysadmin(context.get("user")):
        organizations = tk.get_action("organization_list_for_user")(
            {"user": context.get("user", "")}, {"permission": "update_dataset"})
        ids = [org["id"] for org in organizations] or ["-"]
        fq.append("owner_org:({})".format(" OR ".join('"{}"'.format(i) for i in ids)))
    if data.get("owner_service"):
        fq.append('owner_service:"{}"'.format(data["owner_service"].replace('"', "")))
    found = tk.get_action("package_search")(
        {"user": context.get("user", "")},
        {"fq": " ".join(fq), "include_private": True, "sort": "next_update_due asc, name asc",
         "rows": data["limit"], "start": data["offset"]})
    today = dt.date.today()
    results = []
    for package in found["results"]:
        computed = freshness.dataset_cadence(package, today)
        due = computed["next_update_due"]
        organization = package.get("organization") or {}
        results.append({
            "id": package["id"],
            "name": package["name"],
            "title": package.get("title"),
            "organization": organization.get("name"),
            "owner_service": package.get("owner_service"),
            "update_frequency": package.get("update_frequency"),
            "last_data_update": package.get("last_data_update"),
            "next_update_due": due.isoformat() if due else None,
            "update_status": computed["update_status"],
            "days_overdue": computed["days_overdue"],
        })
    return {"count": found["count"], "results": results}


def _get_service(data_dict: DataDict) -> Service:
    service = Service.lookup(data_dict.get("id"), data_dict.get("organization_id"))
    if service is None:
        raise tk.ObjectNotFound(tk._("Service not found"))
    return service


def _check_referents(data: dict[str, Any], organization_id: str) -> None:
    errors = {}
    for key in ("referent_id", "backup_referent_id"):
        user_id = data.get(key)
        if user_id and not _is_member(user_id, organization_id):
            errors[key] = [tk._("The referent must be a member of the organization")]
    if errors:
        raise tk.ValidationError(errors)


def _is_member(user_id: str, organization_id: str) -> bool:
    query = model.Session.query(model.Member).filter_by(
        group_id=organization_id, table_name="user", table_id=user_id, state="active")
    return query.first() is not None


def _actor_id(context: Context) -> Optional[str]:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def _record(context: Context, event_type: str, service: Service,
            package_id: Optional[str] = None,
            details: Optional[dict[str, Any]] = None) -> None:
    model.Session.add(Event(
        actor_id=_actor_id(context),
        organization_id=service.organization_id,
        package_id=package_id,
        object_type="service",
        object_id=service.id,
        event_type=event_type,
        details=_jsonable(details or {}),
    ))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _service_dict(service: Service) -> dict[str, Any]:
    organization = model.Group.get(service.organization_id)
    return {**service.as_dict(),
            "organization_name": organization.name if organization else None}


def _search_context() -> Context:
    # Counting must see private datasets and drafts whoever asks, so the
    # search runs as the site user.
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


def _search(service: Service, rows: int, start: int = 0) -> dict[str, Any]:
    return tk.get_action("package_search")(_search_context(), {
        "fq": 'owner_service:"{}" owner_org:"{}"'.format(
            service.name, service.organization_id),
        "include_private": True,
        "include_drafts": True,
        "rows": rows,
        "start": start,
        "fl": "id,name",
    })


def _count_datasets(service: Service) -> int:
    return _search(service, rows=0)["count"]


def _datasets(service: Service) -> list[dict[str, Any]]:
    """Every dataset of the service, collected before any is changed."""
    found: list[dict[str, Any]] = []
    while True:
        page = _search(service, rows=_PAGE, start=len(found))["results"]
        found.extend({"id": item["id"], "name": item["name"]} for item in page)
        if len(page) < _PAGE:
            return found


def _dataset_counts(organization_id: str) -> dict[str, int]:
    result = tk.get_action("package_search")(_search_context(), {
        "fq": 'owner_org:"{}"'.format(organization_id),
        "include_private": True,
        "include_drafts": True,
        "rows": 0,
        "facet.field": ["owner_service"],
        "facet.limit": -1,
    })
    return dict(result.get("facets", {}).get("owner_service", {}))
