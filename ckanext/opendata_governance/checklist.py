"""The review checklist: the built-in items, an organization's own list, and verdicts on it."""
from __future__ import annotations

from typing import Any, NoReturn, Optional

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.model import ChecklistItem

__all__ = ["KEYS", "VERDICTS", "defaults", "for_organization", "is_custom", "shown",
           "labels", "verdicts"]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


#: key -> (label, help), msgids, in the order forms show them: the default checklist of
#: an organization that has not written its own.
_ITEMS = {
    "licence": (N_("Licence"), N_(
        "The licence allows free reuse, commercial reuse included (Licence Ouverte 2.0 "
        "or ODbL), and matches what the organization may license.")),
    "personal_data": (N_("Personal data and anonymisation"), N_(
        "The files hold no data about identifiable people, or it has been anonymised "
        "(no names, addresses, e-mails, small counts).")),
    "schema": (N_("Schema conformity"), N_(
        "When a national schema exists for this data, the files follow it; otherwise "
        "answer \u00ab not applicable \u00bb.")),
    "open_format": (N_("Open format"), N_(
        "Each file can be read with free software and by a program (CSV, JSON, "
        "GeoJSON, ODS...).")),
    "metadata": (N_("Metadata complete"), N_(
        "Title, description, owner service, update frequency and keywords tell a reuser "
        "what the data is and whom to ask.")),
}

#: The built-in items' keys.
KEYS = tuple(_ITEMS)
#: Verdicts of a checklist item.
VERDICTS = ("ok", "not_ok", "not_applicable")


def _builtin(key: str) -> dict[str, Any]:
    label, help_ = _ITEMS[key]
    return {"key": key, "label": tk._(label), "help": tk._(help_), "required": True,
            "builtin": True}


def defaults() -> list[dict[str, Any]]:
    """The built-in items, in order, translated into the request's language."""
    return [_builtin(key) for key in KEYS]


def is_custom(organization_id: Optional[str]) -> bool:
    """Whether the organization has written its own checklist."""
    return bool(organization_id and ChecklistItem.for_organization(organization_id))


def for_organization(organization_id: Optional[str]) -> list[dict[str, Any]]:
    """The organization's items (``key``, ``label``, ``help``, ``required``, ``builtin``),
    in order: its own list, or the built-in items when it has none."""
    rows = ChecklistItem.for_organization(organization_id) if organization_id else []
    return [row.as_dict() for row in rows] or defaults()


def shown(items: Optional[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Items kept with a decision, ready to show: built-in ones translated again into the
    request's language; none kept (decided before lists were configurable) means the
    built-in items."""
    if not items:
        return defaults()
    return [_builtin(item["key"]) if item.get("builtin") and item["key"] in _ITEMS
            else item for item in items]


def labels(keys: list[str], items: list[dict[str, Any]]) -> str:
    """The labels of these items, comma-separated, for a message; a key not in the list
    stands for itself."""
    by_key = {item["key"]: item["label"] for item in items}
    return ", ".join(by_key.get(key, key) for key in keys)


def verdicts(given: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The verdicts of a decision on these items, as ``{key: {"verdict", "comment"}}``.

    ``given`` maps keys to a verdict or ``{"verdict", "comment"}``; every required item
    needs one, an optional item may be left out. Raises ``tk.ValidationError`` on the
    ``checklist`` field, naming the item by its label.
    """
    by_key = {item["key"]: item for item in items}
    unknown = sorted(str(key) for key in given if key not in by_key)
    if unknown:
        _refuse(tk._("Unknown checklist item: {items}").format(items=", ".join(unknown)))
    missing = [item["key"] for item in items if item["required"] and item["key"] not in given]
    if missing:
        _refuse(tk._("Missing checklist item: {items}").format(items=labels(missing, items)))
    return {item["key"]: _entry(given[item["key"]], item["label"])
            for item in items if item["key"] in given}


def _entry(entry: Any, label: str) -> dict[str, Any]:
    comment: Any = None
    if isinstance(entry, dict):
        extra = sorted(str(key) for key in entry if key not in ("verdict", "comment"))
        if extra:
            _refuse(tk._("{item}: unknown key {keys}").format(item=label, keys=", ".join(extra)))
        comment = entry.get("comment")
        entry = entry.get("verdict")
        if comment is not None and not isinstance(comment, str):
            _refuse(tk._("{item}: the comment must be text").format(item=label))
    if not isinstance(entry, str) or entry not in VERDICTS:
        _refuse(tk._("{item}: the verdict must be ok, not_ok or not_applicable, not {value}"
                     ).format(item=label, value=entry))
    return {"verdict": entry, "comment": (comment or "").strip() or None}


def _refuse(message: str) -> NoReturn:
    raise tk.ValidationError({"checklist": [message]})
