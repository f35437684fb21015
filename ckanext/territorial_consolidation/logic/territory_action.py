"""Territory, responsibility rule and duplicate actions."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.territorial_consolidation import duplicates
from ckanext.territorial_consolidation.logic import schema, territory_auth
from ckanext.territorial_consolidation.model import (
    LEVELS, OrganizationTerritory, Provenance, ResponsibilityRule, Territory, normalise,
    territory_id)

#: One action per auth function of territory_auth, of the same name.
__all__ = territory_auth.__all__

MAX_CHILDREN = 1000


def _organization(value: str) -> model.Group:
    group = model.Group.get(value) if value else None
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return group


def _find_territory(data: dict[str, Any]) -> Territory:
    """The territory named by ``id``, ``code`` (and ``level``) or ``organization_id``."""
    if data.get("id"):
        territory = Territory.get(data["id"])
        if territory is None:
            raise tk.ObjectNotFound(tk._("Territory not found"))
        return territory
    if data.get("code"):
        query = model.Session.query(Territory).filter(Territory.code == data["code"])
        if data.get("level"):
            query = query.filter(Territory.level == data["level"])
        found = query.limit(2).all()
        if not found:
            raise tk.ObjectNotFound(tk._("Territory not found"))
        if len(found) > 1:
            raise tk.ValidationError({"level": [tk._(
                "Several territories have this code: give their level")]})
        return found[0]
    if data.get("organization_id"):
        group = _organization(data["organization_id"])
        link = OrganizationTerritory.get(group.id)
        territory = Territory.get(link.territory_id) if link else None
        if territory is None:
            raise tk.ObjectNotFound(tk._("This organization has no territory"))
        return territory
    raise tk.ValidationError({"id": [tk._("Missing value")]})


def _names(ids: list[str]) -> dict[str, Territory]:
    if not ids:
        return {}
    rows = model.Session.query(Territory).filter(Territory.id.in_(ids))
    return {row.id: row for row in rows}


def _level_order() -> Any:
    return sa.case({level: index for index, level in enumerate(LEVELS)},
                   value=Territory.level, else_=len(LEVELS))


@tk.side_effect_free
def territory_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One territory, with its parents (and its direct children on request).

    :param id: the territory id, ``<level>:<code>`` (e.g. ``commune:35238``)
    :param code: or its code; with ``level`` when several levels share it
    :param level: ``commune``, ``epci``, ``departement``, ``region`` or ``national``
    :param organization_id: or an organization (id or name): its territory
    :param include_children: add ``children``, the direct children (default false)
    :returns: ``id``, ``code``, ``level``, ``name``, ``parent_ids``, ``parents``
        (``id``, ``name``, ``level``), ``population`` when known, ``obsolete``,
        ``organization_ids`` (organizations standing for it)
    """
    tk.check_access("territory_show", context, data_dict)
    data = schema.validate(data_dict, schema.territory_show(), context)
    territory = _find_territory(data)
    result = territory.as_dict()
    parents = _names(result["parent_ids"])
    result["parents"] = [{"id": parent.id, "name": parent.name, "level": parent.level}
                         for parent in (parents.get(id_) for id_ in result["parent_ids"])
                         if parent is not None]
    result["organization_ids"] = [row.organization_id for row in model.Session.query(
        OrganizationTerritory).filter_by(territory_id=territory.id)]
    if data["include_children"]:
        children = model.Session.query(Territory).filter(
            Territory.parent_ids.contains([territory.id])).order_by(
            _level_order(), Territory.search_name).limit(MAX_CHILDREN)
        result["children"] = [child.as_dict() for child in children]
    return result


@tk.side_effect_free
def territory_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Territories matching a name or code, a level, a parent or an enclosing territory.

    :param q: part of the name or the start of the code (accents and case ignored)
    :param level: only this level
    :param parent: only direct children of this territory id
    :param within: every territory below this territory id, transitively
        (a commune is within its EPCI, its département and its région)
    :param include_obsolete: also territories gone from the official files (default false)
    :param include_organizations: add ``organization_ids``, the organizations standing for
        each territory (default false)
    :param limit: page size (default 50, at most 1000)
    :param offset: first result (default 0)
    :returns: ``{"count": N, "results": [territory, ...]}``, by level then name
    """
    tk.check_access("territory_list", context, data_dict)
    data = schema.validate(data_dict, schema.territory_list(), context)
    query = model.Session.query(Territory)
    q = data["q"]
    order: list[Any] = []
    if q:
        normal = normalise(q)
        conditions = [Territory.code.startswith(q.upper(), autoescape=True)]
        if normal:
            conditions.append(Territory.search_name.contains(normal, autoescape=True))
        query = query.filter(sa.or_(*conditions))
        # Exact codes and names first, then names starting with the text.
        order = [sa.desc(sa.or_(Territory.code == q.upper(), Territory.search_name == normal)),
                 sa.desc(Territory.search_name.startswith(normal, autoescape=True))]
    if data.get("level"):
        query = query.filter(Territory.level == data["level"])
    for key, column in (("parent", Territory.parent_ids), ("within", Territory.ancestor_ids)):
        if data.get(key):
            query = query.filter(column.contains([data[key]]))
    if not data["include_obsolete"]:
        query = query.filter(Territory.obsolete.is_(False))
    count = query.count()
    rows = query.order_by(*order, _level_order(), Territory.search_name, Territory.code
                          ).offset(data["offset"]).limit(data["limit"])
    results = [row.as_dict() for row in rows]
    if data["include_organizations"]:
        linked: dict[str, list[str]] = {}
        for link in model.Session.query(OrganizationTerritory).filter(
                OrganizationTerritory.territory_id.in_([item["id"] for item in results])):
            linked.setdefault(link.territory_id, []).append(link.organization_id)
        for item in results:
            item["organization_ids"] = linked.get(item["id"], [])
    return {"count": count, "results": results}


def territory_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a territory the official files do not have (a syndicate, a pays, ...).

    :param code: its code, unique within its level
    :param level: ``commune``, ``epci``, ``departement``, ``region`` or ``national``
    :param name: its name
    :param parent_ids: ids of its direct parents (a list or a comma-separated string)
    :param population: optional
    :returns: the territory
    """
    tk.check_access("territory_create", context, data_dict)
    data = schema.validate(data_dict, schema.territory_create(), context)
    id_ = territory_id(data["level"], data["code"])
    if Territory.get(id_) is not None:
        raise tk.ValidationError({"code": [tk._(
            "A territory of this level already has this code")]})
    parent_ids = data["parent_ids"]
    parents = _names(parent_ids)
    missing = [parent for parent in parent_ids if parent not in parents]
    if missing:
        raise tk.ValidationError({"parent_ids": [tk._("Unknown territory: {ids}").format(
            ids=", ".join(missing))]})
    ancestors: list[str] = []
    for parent_id in parent_ids:
        for ancestor in [parent_id, *parents[parent_id].ancestor_ids]:
            if ancestor not in ancestors:
                ancestors.append(ancestor)
    territory = Territory(id=id_, code=data["code"], level=data["level"], name=data["name"],
                          search_name=normalise(data["name"]),
                          population=data.get("population"), parent_ids=parent_ids,
                          ancestor_ids=ancestors, origin="manual")
    model.Session.add(territory)
    if not context.get("defer_commit"):
        model.Session.commit()
    return territory.as_dict()


def territory_organization_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Link an organization to the territory it stands for, or clear the link.

    :param organization_id: the organization (id or name)
    :param territory_id: the territory id; empty clears the link
    :returns: ``{"organization_id": ..., "territory": territory or None}``
    """
    tk.check_access("territory_organization_set", context, data_dict)
    data = schema.validate(data_dict, schema.territory_organization_set(), context)
    group = _organization(data["organization_id"])
    territory = None
    if data["territory_id"]:
        territory = Territory.get(data["territory_id"])
        if territory is None:
            raise tk.ValidationError({"territory_id": [tk._("Territory not found")]})
    link = OrganizationTerritory.get(group.id)
    if territory is None:
        if link is not None:
            model.Session.delete(link)
    elif link is None:
        model.Session.add(OrganizationTerritory(organization_id=group.id,
                                                territory_id=territory.id))
    else:
        link.territory_id = territory.id
    if not context.get("defer_commit"):
        model.Session.commit()
    return {"organization_id": group.id,
            "territory": territory.as_dict() if territory else None}


def _territory_packages(territory: Territory, data: dict[str, Any]) -> Any:
    """A subquery of (package_id, territory_id): the harvested datasets of the territories
    in scope by their provenance, the local ones by their organization's territory."""
    scope = model.Session.query(Territory.id).filter(
        sa.or_(Territory.id == territory.id, Territory.ancestor_ids.contains([territory.id]))
        if data["include_members"] else Territory.id == territory.id)
    if data.get("level"):
        scope = scope.filter(Territory.level == data["level"])
    harvested = model.Session.query(
        Provenance.package_id.label("package_id"), Territory.id.label("territory_id")).join(
        Territory, sa.and_(Territory.level == Provenance.territorial_level,
                           Territory.code == Provenance.territory_code)).filter(
        Territory.id.in_(scope.subquery().select()), Provenance.withdrawn.is_(None))
    if not data["include_mirrors"]:
        harvested = harvested.filter(Provenance.canonical_package_id.is_(None))
    local = model.Session.query(
        model.Package.id.label("package_id"),
        OrganizationTerritory.territory_id.label("territory_id")).join(
        OrganizationTerritory,
        OrganizationTerritory.organization_id == model.Package.owner_org).filter(
        OrganizationTerritory.territory_id.in_(scope.subquery().select()),
        ~sa.exists().where(Provenance.package_id == model.Package.id))
    return harvested.union_all(local).subquery()


@tk.side_effect_free
def territory_dataset_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The portal's datasets of a territory and of the territories within it, by level.

    Harvested datasets belong to the territory of their partner portal (their provenance),
    local ones to the territory of their organization. Only datasets the caller can read.

    :param id: the territory id
    :param include_members: also the datasets of the territories within it (default true)
    :param level: only datasets of territories of this level
    :param include_mirrors: also the mirrors of other datasets (default false)
    :param limit: page size (default 50, at most 1000)
    :param offset: first result (default 0)
    :returns: ``{"count": N, "levels": {level: N}, "results": [{"id", "name", "title",
        "private", "territory_id", "territory_name", "level", "origin" (``local`` or
        ``harvested``), "portal_url", "remote_url", "canonical_package_id"}, ...]}``
    """
    tk.check_access("territory_dataset_list", context, data_dict)
    data = schema.validate(data_dict, schema.territory_dataset_list(), context)
    territory = _find_territory({"id": data["id"]})
    found = _territory_packages(territory, data)
    package = sa.orm.aliased(model.Package)
    query = model.Session.query(package, Territory, Provenance).join(
        found, found.c.package_id == package.id).join(
        Territory, Territory.id == found.c.territory_id).outerjoin(
        Provenance, Provenance.package_id == package.id).filter(
        _readable_packages(context, package), package.type == "dataset")
    count = query.count()
    levels = dict(query.with_entities(Territory.level, sa.func.count()).group_by(
        Territory.level).order_by(None))
    rows = query.order_by(_level_order(), Territory.search_name, package.title, package.id
                          ).offset(data["offset"]).limit(data["limit"])
    results = [{
        "id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name,
        "private": bool(pkg.private), "territory_id": place.id, "territory_name": place.name,
        "level": place.level, "origin": "harvested" if prov is not None else "local",
        "portal_url": prov.portal_url if prov is not None else None,
        "remote_url": prov.remote_url if prov is not None else None,
        "canonical_package_id": prov.canonical_package_id if prov is not None else None,
    } for pkg, place, prov in rows]
    return {"count": count, "levels": {key: levels[key] for key in LEVELS if key in levels},
            "results": results}


def responsibility_rule_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Say which level is responsible for opening data of a schema, theme or keyword.

    :param kind: ``schema`` (a schema URL), ``theme`` or ``keyword``
    :param value: the schema URL, theme or keyword
    :param level: the responsible level
    :param note: optional explanation shown with the rule
    :returns: the rule
    """
    tk.check_access("responsibility_rule_create", context, data_dict)
    data = schema.validate(data_dict, schema.responsibility_rule_create(), context)
    if model.Session.query(ResponsibilityRule).filter_by(
            kind=data["kind"], value=data["value"]).first():
        raise tk.ValidationError({"value": [tk._("A rule already exists for this value")]})
    user = model.User.get(context.get("user") or "")
    rule = ResponsibilityRule(kind=data["kind"], value=data["value"], level=data["level"],
                              note=data["note"] or None, created_by=user.id if user else None)
    model.Session.add(rule)
    if not context.get("defer_commit"):
        model.Session.commit()
    return rule.as_dict()


@tk.side_effect_free
def responsibility_rule_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Responsibility rules, by kind then value.

    :param kind: only rules of this kind (optional)
    :param package_id: only the rules that apply to this dataset (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: first result (default 0)
    :returns: ``{"count": N, "results": [rule, ...]}``
    """
    tk.check_access("responsibility_rule_list", context, data_dict)
    data = schema.validate(data_dict, schema.responsibility_rule_list(), context)
    query = model.Session.query(ResponsibilityRule)
    if data.get("package_id"):
        # Only who can read the dataset learns which rules apply to it.
        tk.check_access("package_show", context, {"id": data["package_id"]})
        package = model.Package.get(data["package_id"])
        if package is None:
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        applying = duplicates.rules_for_package(package.id)
        query = query.filter(ResponsibilityRule.id.in_([rule.id for rule in applying]))
    if data.get("kind"):
        query = query.filter_by(kind=data["kind"])
    count = query.count()
    rows = query.order_by(ResponsibilityRule.kind, ResponsibilityRule.value
                          ).offset(data["offset"]).limit(data["limit"])
    return {"count": count, "results": [row.as_dict() for row in rows]}


def responsibility_rule_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a responsibility rule.

    :param id: the rule id
    """
    tk.check_access("responsibility_rule_delete", context, data_dict)
    data = schema.validate(data_dict, schema.by_id(), context)
    rule = ResponsibilityRule.get(data["id"])
    if rule is None:
        raise tk.ObjectNotFound(tk._("Rule not found"))
    model.Session.delete(rule)
    if not context.get("defer_commit"):
        model.Session.commit()


def _readable_packages(context: Context, alias: Any) -> Any:
    """A condition on a package table alias: active and readable by the context's user."""
    condition = alias.state == "active"
    user = model.User.get(context.get("user") or "")
    if user is not None and user.sysadmin:
        return condition
    readable = [alias.private.is_(False)]
    if user is not None:
        readable.append(alias.creator_user_id == user.id)
        org_ids = [group.id for group in user.get_groups("organization")]
        if org_ids:
            readable.append(alias.owner_org.in_(org_ids))
    return sa.and_(condition, sa.or_(*readable))


@tk.side_effect_free
def territorial_duplicate_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Datasets marked as mirrors of another (canonical) dataset.

    Only pairs where both datasets are readable by the caller are listed.

    :param package_id: only the mirrors of this dataset, or the group it is in (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: first result (default 0)
    :returns: ``{"count": N, "results": [{"package_id", "name", "title",
        "canonical_package_id", "canonical_name", "canonical_title",
        "duplicate_reason", "portal_kind", "portal_url", "harvest_source_id", "remote_url",
        "territorial_level", "territory_code"}, ...]}``
    """
    tk.check_access("territorial_duplicate_list", context, data_dict)
    data = schema.validate(data_dict, schema.territorial_duplicate_list(), context)
    mirror = sa.orm.aliased(model.Package)
    canonical = sa.orm.aliased(model.Package)
    query = model.Session.query(Provenance, mirror, canonical).join(
        mirror, mirror.id == Provenance.package_id).join(
        canonical, canonical.id == Provenance.canonical_package_id).filter(
        _readable_packages(context, mirror), _readable_packages(context, canonical))
    if data.get("package_id"):
        package = model.Package.get(data["package_id"])
        if package is None:
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        provenance = Provenance.get(package.id)
        group = provenance.canonical_package_id if provenance and \
            provenance.canonical_package_id else package.id
        query = query.filter(Provenance.canonical_package_id == group)
    count = query.count()
    rows = query.order_by(canonical.title, mirror.title, mirror.id).offset(
        data["offset"]).limit(data["limit"])
    results = [{
        "package_id": prov.package_id, "name": mine.name, "title": mine.title,
        "canonical_package_id": prov.canonical_package_id, "canonical_name": theirs.name,
        "canonical_title": theirs.title, "duplicate_reason": prov.duplicate_reason,
        "portal_kind": prov.portal_kind, "portal_url": prov.portal_url,
        "harvest_source_id": prov.harvest_source_id,
        "remote_url": prov.remote_url, "territorial_level": prov.territorial_level,
        "territory_code": prov.territory_code,
    } for prov, mine, theirs in rows]
    return {"count": count, "results": results}
