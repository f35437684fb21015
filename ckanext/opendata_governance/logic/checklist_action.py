"""Actions on an organization's review checklist: read it, write its own items."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import checklist, events
from ckanext.opendata_governance.logic import checklist_auth, schema
from ckanext.opendata_governance.logic.validators import governance_boolean
from ckanext.opendata_governance.model import ChecklistItem
from ckanext.suite.actions import acting_user, commit

#: One action per auth function of checklist_auth, of the same name.
__all__ = checklist_auth.__all__

#: The most items a checklist holds, and the longest label and help text.
MAX_ITEMS = 30
MAX_LABEL = 200
MAX_HELP = 1000
_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
_FIELDS = ("key", "label", "help", "required")


@tk.side_effect_free
def governance_checklist_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The items a reviewer of the organization gives a verdict on.

    :param organization_id: id or name of the organization
    :returns: ``{"organization_id", "custom", "items"}``: ``custom`` is false when the
        organization uses the built-in items; each item has ``key``, ``label``,
        ``help``, ``required`` and ``builtin``, in the order reviewers see them
    """
    tk.check_access("governance_checklist_show", context, data_dict)
    data = schema.validate(data_dict, schema.checklist_show(), context)
    return _shown(data["organization_id"])


def governance_checklist_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Replace the organization's checklist (its admins): the list given becomes its
    items, in that order. Reviews already decided keep the items they were decided on.

    :param organization_id: id or name of the organization
    :param items: a list of 1 to 30 objects: ``label`` (required), ``help``,
        ``required`` (default true) and ``key`` (letters, digits and ``_``; made from
        the label when left out; keep an item's key to keep it the same item)
    :param reset: true to go back to the built-in items (``items`` is then ignored)
    :returns: the checklist, as ``governance_checklist_show`` gives it
    """
    tk.check_access("governance_checklist_update", context, data_dict)
    data = schema.validate(data_dict, schema.checklist_update(), context)
    organization_id = data["organization_id"]
    items = [] if data["reset"] else _read_items(data_dict.get("items"))
    actor = acting_user(context)
    model.Session.query(ChecklistItem).filter_by(organization_id=organization_id).delete()
    for position, item in enumerate(items):
        model.Session.add(ChecklistItem(
            organization_id=organization_id, position=position,
            modified_by=actor.id if actor else None, **item))
    model.Session.flush()
    events.record(context, "checklist_updated", "organization", organization_id,
                  organization_id, details={"items": [item["key"] for item in items],
                                            "reset": data["reset"]})
    commit(context)
    return _shown(organization_id)


def _shown(organization_id: str) -> dict[str, Any]:
    return {"organization_id": organization_id,
            "custom": checklist.is_custom(organization_id),
            "items": checklist.for_organization(organization_id)}


def _read_items(value: Any) -> list[dict[str, Any]]:
    """The items given, checked; a ValidationError on ``items`` names each bad field by
    the item's position in the list."""
    if value in (None, "", []):
        raise tk.ValidationError({"items": [tk._("Give at least one item")]})
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise tk.ValidationError({"items": [tk._("A list of items, each an object")]})
    if len(value) > MAX_ITEMS:
        raise tk.ValidationError({"items": [tk._("At most {n} items").format(n=MAX_ITEMS)]})
    items, errors = [], []
    for given in value:
        item, item_errors = _read_item(given)
        items.append(item)
        errors.append(item_errors)
    _give_keys(items, errors)
    if any(errors):
        raise tk.ValidationError({"items": errors})
    return items


def _read_item(given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    for field in sorted(str(key) for key in given if key not in _FIELDS):
        errors[field] = [tk._("Unknown field")]
    label = _text(given.get("label"), MAX_LABEL, "label", errors)
    if not label and "label" not in errors:
        errors["label"] = [tk._("Missing value")]
    help_ = _text(given.get("help"), MAX_HELP, "help", errors)
    key = _text(given.get("key"), 40, "key", errors)
    if key and not _KEY.match(key):
        errors["key"] = [tk._("Use lower-case letters, digits and _ only")]
    try:
        required = governance_boolean(given.get("required", True), {})
    except tk.Invalid as error:
        errors["required"] = [str(error.error)]
        required = True
    return {"key": key, "label": label, "help": help_, "required": required}, errors


def _text(value: Any, longest: int, field: str, errors: dict[str, list[str]]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = [tk._("Must be text")]
        return ""
    value = value.strip()
    if len(value) > longest:
        errors[field] = [tk._("At most {n} characters").format(n=longest)]
    return value


def _give_keys(items: list[dict[str, Any]], errors: list[dict[str, list[str]]]) -> None:
    """Keys for new items, made from their labels; two items given one key is refused."""
    taken = {item["key"] for item in items if item["key"]}
    seen: set[str] = set()
    for item, item_errors in zip(items, errors):
        if not item["key"]:
            item["key"] = _free_key(_slug(item["label"]), taken)
            taken.add(item["key"])
        elif item["key"] in seen:
            item_errors.setdefault("key", [tk._("Another item already has this key")])
        seen.add(item["key"])


def _slug(label: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")[:32] or "item"


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key
