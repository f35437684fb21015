"""``package_show`` of a batch of datasets at once, for the rebuild.

Core shows a dataset with eleven statements (the dataset, its resources, tags, extras,
groups with each group's member count, organization, relationships both ways, and the
name check of the show schema); a rebuild spends most of its time waiting on them.
Here a batch of datasets is read with one statement per table, and each dataset's rows
go through core's own dictization helpers, plugin hooks and show schema, in core's
order, so that the indexed document is the one core's ``package_show`` would give.
``tests/postgres_search/test_bulk_show.py`` holds it to that on both CKAN versions.

Only usable when no plugin replaces or chains ``package_show`` (other than this
plugin's own input guard): a chained action could change what is shown, and only
core's path would run it. ``usable()`` says so; the rebuild then shows datasets one by one.
"""
from __future__ import annotations

import collections
import copy
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa

import ckan.plugins as plugins
from ckan import logic, model
from ckan.lib import helpers as h
from ckan.lib import plugins as lib_plugins
from ckan.lib.dictization import model_dictize, obj_list_dictize, table_dictize
from ckan.logic.schema import default_show_package_schema

__all__ = ["usable", "dictized", "show_batch", "Shown"]

#: What a dataset is shown as for the index: CKAN 2.11 indexes one dict, CKAN 2.12 the
#: dict with the default show schema and the one with the dataset type's own.
Shown = Any

#: CKAN 2.12 indexes both schemas' dicts (``logic.index_update_package_dicts``).
TWO_SCHEMAS = hasattr(logic, "index_update_package_dicts")

#: CKAN 2.12 keeps a dataset's extras in a column of ``package``; 2.11 in ``package_extra``.
EXTRAS_COLUMN = "extras" in model.package_table.c

#: The plugin whose chained ``package_show`` only refuses bad input before core's.
_OWN_PLUGIN = "postgres_search"


def usable() -> bool:
    """Whether core's ``package_show`` is the one registered (this plugin's guard aside)."""
    for plugin in plugins.PluginImplementations(plugins.IActions):
        if plugin.name != _OWN_PLUGIN and "package_show" in plugin.get_actions():
            return False
    return True


def _grouped(rows: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = collections.defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def _copied(shown: dict[str, Any]) -> dict[str, Any]:
    """A copy of a group's or organization's dict for one more dataset: its nested
    values copied too (plugins may change them), its strings shared."""
    return {key: copy.deepcopy(value) if isinstance(value, (dict, list)) else value
            for key, value in shown.items()}


def _without(dicts: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    for item in dicts:
        item.pop(key, None)
    return dicts


class _Batch:
    """The rows of a batch of datasets, one statement per table."""

    def __init__(self, packages: list[model.Package]) -> None:
        session = model.Session
        ids = [pkg.id for pkg in packages]
        res, tag, pkg_tag = model.resource_table, model.tag_table, model.package_tag_table
        member, group, rel = model.member_table, model.group_table, model.package_relationship_table
        self.resources = _grouped(session.execute(
            sa.select(res).where(res.c["package_id"].in_(ids))), lambda r: r.package_id)
        # The dataset's id rides along under a label no core column has; it is dropped
        # from the dicts, after core's sort (equal within a dataset, it cannot reorder).
        self.tags = _grouped(session.execute(
            sa.select(tag, pkg_tag.c["state"], pkg_tag.c["package_id"].label("_pkg"))
            .join(pkg_tag, tag.c["id"] == pkg_tag.c["tag_id"])
            .where(pkg_tag.c["package_id"].in_(ids))), lambda r: r._pkg)
        self.extras: dict[str, list[Any]] = {}
        if not EXTRAS_COLUMN:
            extra = model.package_extra_table
            self.extras = _grouped(session.execute(
                sa.select(extra).where(extra.c["package_id"].in_(ids))), lambda r: r.package_id)
        self.groups = _grouped(session.execute(
            sa.select(group, member.c["capacity"], member.c["table_id"].label("_pkg"))
            .join(member, group.c["id"] == member.c["group_id"])
            .where(member.c["table_id"].in_(ids), member.c["state"] == "active",
                   group.c["is_organization"] == sa.false())), lambda r: r._pkg)
        owners = {pkg.owner_org for pkg in packages if pkg.owner_org}
        self.organizations = {row.id: row for row in session.execute(
            sa.select(group).where(group.c["id"].in_(owners), group.c["state"] == "active"))}
        self.as_subject = _grouped(session.execute(
            sa.select(rel).where(rel.c["subject_package_id"].in_(ids))),
            lambda r: r.subject_package_id)
        self.as_object = _grouped(session.execute(
            sa.select(rel).where(rel.c["object_package_id"].in_(ids))),
            lambda r: r.object_package_id)
        # A group's dict (its member count is one more statement) is made once a batch.
        self._group_dicts: dict[tuple[str, str], dict[str, Any]] = {}
        self._organization_dicts: dict[str, dict[str, Any]] = {}

    def group_dict(self, row: Any, context: dict[str, Any]) -> dict[str, Any]:
        key = (row.id, row.capacity)
        if key not in self._group_dicts:
            dictized = model_dictize.group_list_dictize([row], context, with_package_counts=False)
            self._group_dicts[key] = _without(dictized, "_pkg")[0]
        return _copied(self._group_dicts[key])

    def organization_dict(self, owner_org: Optional[str],
                          context: dict[str, Any]) -> Optional[dict[str, Any]]:
        if owner_org not in self.organizations:
            return None
        if owner_org not in self._organization_dicts:
            organization = obj_list_dictize([self.organizations[owner_org]], context)[0]
            # CKAN 2.12 shows a dataset's organization without the extras of its column.
            organization.pop("extras", None)
            self._organization_dicts[owner_org] = organization
        return _copied(self._organization_dicts[owner_org])


def _dictize(pkg: model.Package, batch: _Batch, context: dict[str, Any]) -> dict[str, Any]:
    """``model_dictize.package_dictize(pkg, context)``, from the batch's rows."""
    result = table_dictize(pkg, context)
    if result.get("title"):
        result["title"] = result["title"].strip()
    result.pop("plugin_data", None)
    result["resources"] = model_dictize.resource_list_dictize(
        batch.resources.get(pkg.id, []), context)
    result["num_resources"] = len(result["resources"])
    result["tags"] = _without(obj_list_dictize(
        batch.tags.get(pkg.id, []), context, lambda x: x["name"]), "_pkg")
    result["num_tags"] = len(result["tags"])
    for tag in result["tags"]:
        tag["display_name"] = tag["name"]
    if EXTRAS_COLUMN:
        result["extras"] = [{"key": k, "value": v} for k, v in (result["extras"] or {}).items()]
    else:
        result["extras"] = model_dictize.extras_list_dictize(batch.extras.get(pkg.id, []), context)
    context["with_capacity"] = False
    groups = [batch.group_dict(row, context) for row in batch.groups.get(pkg.id, [])]
    # group_list_dictize's own order.
    result["groups"] = sorted(groups, key=lambda x: h.strxfrm(x["display_name"]))
    result["organization"] = batch.organization_dict(pkg.owner_org, context)
    result["relationships_as_subject"] = obj_list_dictize(batch.as_subject.get(pkg.id, []), context)
    result["relationships_as_object"] = obj_list_dictize(batch.as_object.get(pkg.id, []), context)
    result["isopen"] = pkg.isopen if isinstance(pkg.isopen, bool) else pkg.isopen()
    result["type"] = pkg.type or "dataset"
    if pkg.license and pkg.license.url:
        result["license_url"] = pkg.license.url
        result["license_title"] = pkg.license.title.split("::")[-1]
    elif pkg.license:
        result["license_title"] = pkg.license.title
    else:
        result["license_title"] = pkg.license_id
    result["metadata_modified"] = pkg.metadata_modified.isoformat()
    result["metadata_created"] = (pkg.metadata_created.isoformat()
                                  if pkg.metadata_created else None)
    return result


def _context(pkg: model.Package) -> dict[str, Any]:
    """The context core's rebuild gives ``package_show``, as its action wrapper fills it."""
    context: dict[str, Any] = {"ignore_auth": True, "use_cache": False, "validate": False}
    context = logic._prepopulate_context(context)  # type: ignore[attr-defined]
    context["package"] = pkg
    return context


def _before_validation(pkg: model.Package, shown: dict[str, Any]) -> None:
    # package_show's hooks between dictization and validation.
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.read(pkg)
    for item in plugins.PluginImplementations(plugins.IResourceController):
        for resource in shown["resources"]:
            item.before_resource_show(resource)


def _after_show(context: dict[str, Any], shown: dict[str, Any]) -> None:
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.after_dataset_show(context, shown)


def dictized(ids: list[str]) -> Iterable[tuple[str, Any]]:
    """``(id, (dataset, context, dict))`` for each dataset of ``ids``, its dict as
    ``package_dictize`` gives it, read with one statement per table for all of them;
    ``(id, NotFound)`` for an id no dataset has."""
    packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all()
    batch = _Batch(packages)
    found = {pkg.id: pkg for pkg in packages}
    for package_id in ids:
        pkg = found.get(package_id)
        if pkg is None:
            yield package_id, logic.NotFound(f"Dataset {package_id} was not found")
            continue
        context = _context(pkg)
        try:
            yield package_id, (pkg, context, _dictize(pkg, batch, context))
        except Exception as error:  # one broken dataset must not stop the batch
            yield package_id, error


def _shown(pkg: model.Package, context: dict[str, Any], shown: dict[str, Any]) -> Shown:
    _before_validation(pkg, shown)
    if not TWO_SCHEMAS:
        # CKAN 2.11: package_show without validation; the index validates.
        _after_show(context, shown)
        return shown
    # CKAN 2.12: logic.package_show_default_and_custom_schemas after package_show.
    default_schema = default_show_package_schema()
    with_default, _errors = lib_plugins.plugin_validate(
        object(), context, shown, default_schema, "package_show")
    package_plugin = lib_plugins.lookup_package_plugin(shown["type"])
    custom_schema = package_plugin.show_package_schema()
    if custom_schema == default_schema:
        with_custom = with_default
    else:
        with_custom, _errors = lib_plugins.plugin_validate(
            package_plugin, context, shown, custom_schema, "package_show")
    _after_show(context, with_custom)
    return with_default, with_custom


def show_batch(ids: list[str]) -> Iterable[tuple[str, Shown]]:
    """Each dataset of ``ids`` shown as core's rebuild shows it for the index:
    ``(id, shown)``, or ``(id, exception)`` for a dataset that cannot be shown."""
    for package_id, read in dictized(ids):
        if isinstance(read, Exception):
            yield package_id, read
            continue
        try:
            yield package_id, _shown(*read)
        except Exception as error:  # one broken dataset must not stop the batch
            yield package_id, error
