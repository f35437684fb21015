"""Update cadence in CKAN: indexed status, its facet, and the automatic last data update."""
from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.opendata_governance import cadence

__all__ = [
    "FACET",
    "add_status_facet",
    "dataset_cadence",
    "index_cadence",
    "name_status_facet_items",
    "note_resource_change",
    "bump_after_resource_change",
    "status_label",
    "KEEP_LAST_DATA_UPDATE",
]

log = logging.getLogger(__name__)

FACET = "update_status"

#: Set in an action context to leave ``last_data_update`` alone: by the
#: resource hook on the change it makes itself, so that it cannot start
#: another one, and by loaders that bring dated data (the demo).
KEEP_LAST_DATA_UPDATE = "opendata_governance_keep_last_data_update"
#: Set by ``before_resource_update`` when the resource's data changed.
_CHANGED = "opendata_governance_data_changed"


def status_label(status: str) -> str:
    """The readable name of an update status, in the current language."""
    labels = {
        cadence.ON_TIME: tk._("On time"),
        cadence.DUE_SOON: tk._("Update due soon"),
        cadence.OVERDUE: tk._("Update overdue"),
        cadence.NOT_APPLICABLE: tk._("No regular update"),
    }
    return labels.get(status, status)


def _extra(pkg_dict: dict[str, Any], key: str) -> Any:
    if pkg_dict.get(key) not in (None, ""):
        return pkg_dict[key]
    for extra in pkg_dict.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == key:
            return extra.get("value")
    return None


def dataset_cadence(pkg_dict: dict[str, Any], today: Optional[dt.date] = None
                    ) -> dict[str, Any]:
    """The next due date (a date or None), status and days late of a dataset on ``today``."""
    today = today or _today()
    frequency = _extra(pkg_dict, "update_frequency")
    last = _extra(pkg_dict, "last_data_update")
    created = pkg_dict.get("metadata_created")
    try:
        due = cadence.next_update_due(frequency, last, metadata_created=created)
        status = cadence.update_status(
            frequency, last, today, metadata_created=created,
            due_soon_days=tk.config["ckanext.opendata_governance.due_soon_days"])
    except (ValueError, OverflowError):
        # A hand-edited date that cannot be read: nothing to count from.
        due, status = None, cadence.NOT_APPLICABLE
    return {
        "next_update_due": due,
        "update_status": status,
        "days_overdue": max(0, (today - due).days) if due else 0,
    }


def _today() -> dt.date:
    # One place to read the calendar, so that tests can move it.
    return dt.date.today()


def index_cadence(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add ``next_update_due`` (ISO date) and ``update_status`` to a search document."""
    computed = dataset_cadence(pkg_dict)
    due = computed["next_update_due"]
    if due is not None:
        pkg_dict["next_update_due"] = due.isoformat()
    pkg_dict["update_status"] = computed["update_status"]
    return pkg_dict


def add_status_facet(facets_dict: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """Offer the update status ("Fraîcheur") facet."""
    facets_dict[FACET] = tk._("Update status")
    return facets_dict


def name_status_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """Show update statuses by their translated name in the facet's items."""
    items = (search_results.get("search_facets") or {}).get(FACET, {}).get("items")
    for item in items or []:
        item["display_name"] = status_label(item["name"])
    return search_results


def _data_changed(current: dict[str, Any], resource: dict[str, Any]) -> bool:
    upload = resource.get("upload")
    if getattr(upload, "filename", None):
        return True
    if "url" not in resource:
        return False
    return (resource.get("url") or "") != (current.get("url") or "")


def note_resource_change(context: Context, current: dict[str, Any],
                         resource: dict[str, Any]) -> None:
    """Remember, for the after-update hook, whether the resource's data changed.

    A new file or another URL is new data; a new name, description or
    format is not.
    """
    if _data_changed(current, resource):
        context[_CHANGED] = True  # type: ignore[literal-required]


def bump_after_resource_change(context: Context, resource: dict[str, Any],
                               created: bool = False) -> None:
    """Set the dataset's ``last_data_update`` to today after new data.

    Only datasets whose schema declares the field get it, and the date is
    written through ``package_patch`` so it shows in the activity stream.
    """
    changed = created or bool(context.pop(_CHANGED, False))  # type: ignore[misc]
    if not changed or context.get(KEEP_LAST_DATA_UPDATE):
        return
    package_id = resource.get("package_id")
    if not package_id or not p.plugin_loaded("scheming_datasets"):
        return
    patch_context: Context = {
        "user": context.get("user", ""), "ignore_auth": True,
        KEEP_LAST_DATA_UPDATE: True,  # type: ignore[typeddict-unknown-key]
    }
    dataset = tk.get_action("package_show")(dict(patch_context), {"id": package_id})
    today = dt.date.today().isoformat()
    if not _declares_last_update(dataset) or dataset.get("last_data_update") == today:
        return
    # The user already had the right to change the resource, hence the dataset.
    tk.get_action("package_patch")(patch_context, {
        "id": package_id, "last_data_update": today})


def _declares_last_update(dataset: dict[str, Any]) -> bool:
    try:
        schema = tk.get_action("scheming_dataset_schema_show")(
            {"ignore_auth": True}, {"type": dataset.get("type") or "dataset"})
    except tk.ObjectNotFound:
        return False
    return any(field.get("field_name") == "last_data_update"
               for field in schema.get("dataset_fields", []))
