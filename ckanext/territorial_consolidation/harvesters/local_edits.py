"""What a re-harvest keeps of the local copy: the fields its producer edits locally, the
local resource ids; and the copy's package dict with the source's territory fields."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

__all__ = ["TERRITORY_FIELDS", "local_package", "keep_local", "merge_local",
           "stable_resources", "scheming_fields"]

TERRITORY_FIELDS = ("territory_code", "territorial_level")
_OPTION = "ckanext.territorial_consolidation."

#: Top-level keys of core's package schema.
_CORE_FIELDS = frozenset((
    "id", "name", "title", "notes", "url", "version", "author", "author_email", "maintainer",
    "maintainer_email", "license_id", "tags", "resources", "extras", "groups", "owner_org",
    "private", "state", "type", "tag_string"))


def local_package(package: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """A harvester's package dict (``to_package``) with the source's territory fields and
    default extras added, every key kept either as a schema field or as an extra."""
    package = dict(package)
    package.pop("owner_org", None)
    package.pop("id", None)
    values = {key: config[key] for key in TERRITORY_FIELDS if config.get(key)}
    values.update({key: value for key, value in (config.get("default_extras") or {}).items()
                   if key not in package})
    schema_fields = scheming_fields()
    extras = {extra["key"]: extra["value"] for extra in package.get("extras") or []}
    for key, value in values.items():
        if key in schema_fields:
            package[key] = value
        else:
            extras[key] = value
    for key in list(extras):
        if key in schema_fields:
            package.setdefault(key, extras.pop(key))
    for key in list(package):
        # Without a schema field for it, core would drop the key: keep it as an extra.
        if key not in _CORE_FIELDS and key not in schema_fields:
            value = package.pop(key)
            if value not in (None, ""):
                extras.setdefault(key, value if isinstance(value, str) else json.dumps(value))
    package["extras"] = [{"key": k, "value": v} for k, v in extras.items()]
    if not package["extras"]:
        del package["extras"]
    return package


def keep_local(config: dict[str, Any]) -> list[str]:
    """The fields whose local edits a re-harvest keeps: the source's list, else the
    portal's."""
    if "keep_local_fields" in config:
        return list(config["keep_local_fields"])
    return list(tk.config[_OPTION + "harvest_keep_local_fields"])


def merge_local(current: dict[str, Any], incoming: dict[str, Any],
                config: dict[str, Any]) -> dict[str, Any]:
    """The incoming dict, with the kept local fields and the local resource ids."""
    keep = set(keep_local(config))
    merged = dict(incoming)
    current_extras = {e["key"]: e["value"] for e in current.get("extras") or []}
    incoming_extras = {e["key"]: e["value"] for e in incoming.get("extras") or []}
    for field in keep:
        if field in current_extras:
            incoming_extras[field] = current_extras[field]
        elif field in current and current[field] not in (None, "", []):
            merged[field] = current[field]
    if incoming_extras or "extras" in merged:
        merged["extras"] = [{"key": k, "value": v} for k, v in incoming_extras.items()]
    if "groups" in keep:
        merged["groups"] = [{"id": g["id"]} for g in current.get("groups") or []]
    merged["resources"] = stable_resources(current.get("resources") or [],
                                            incoming.get("resources") or [])
    return merged


def stable_resources(current: list[dict[str, Any]], incoming: list[dict[str, Any]]
                     ) -> list[dict[str, Any]]:
    """Incoming resources carrying the id of the local resource they match: by remote id
    first, then by URL; each local resource is used once."""
    by_remote = {res["remote_id"]: res["id"] for res in current if res.get("remote_id")}
    by_url: dict[str, str] = {}
    for res in current:
        by_url.setdefault(res.get("url") or "", res["id"])
    used: set[str] = set()
    result = []
    for res in incoming:
        res = dict(res)
        local = by_remote.get(res.get("remote_id") or "")
        if local is None or local in used:
            local = by_url.get(res.get("url") or "")
        if local is not None and local not in used and res.get("url") is not None:
            res["id"] = local
            used.add(local)
        else:
            res.pop("id", None)
        result.append(res)
    return result


def scheming_fields() -> set[str]:
    """Top-level dataset fields of the scheming schema, when scheming is loaded."""
    if not p.plugin_loaded("scheming_datasets"):
        return set()
    try:
        schema = tk.get_action("scheming_dataset_schema_show")(
            {"ignore_auth": True}, {"type": "dataset"})
    except (KeyError, tk.ObjectNotFound):
        return set()
    return {field["field_name"] for field in schema.get("dataset_fields", [])}
