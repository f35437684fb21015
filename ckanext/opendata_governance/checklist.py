"""The items of the sign-off checklist a reviewer gives a verdict on."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["KEYS", "items", "label", "labels"]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


#: key -> label (msgid), in the order forms show them.
_ITEMS = {
    "licence": N_("Licence"),
    "personal_data": N_("Personal data and anonymisation"),
    "schema": N_("Schema conformity"),
    "open_format": N_("Open format"),
    "metadata": N_("Metadata complete"),
}

#: The items' keys, as governance_review_decide takes them.
KEYS = tuple(_ITEMS)


def label(key: str) -> str:
    """The translated label of an item; the key itself when unknown."""
    return tk._(_ITEMS[key]) if key in _ITEMS else key


def labels(keys: list[str]) -> str:
    """Translated labels of these items, comma-separated, for a message."""
    return ", ".join(label(key) for key in keys)


def items() -> list[dict[str, str]]:
    """Every item, in order, as ``{"key", "label"}`` with its translated label."""
    return [{"key": key, "label": label(key)} for key in KEYS]
