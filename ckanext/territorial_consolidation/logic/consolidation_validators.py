"""Validators of consolidation fields."""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["consolidation_string_list", "consolidation_schedule", "consolidation_schema_json",
           "SCHEDULES"]

#: How often a consolidation runs by itself (``ckan territorial-consolidation run-due``).
SCHEDULES = ("manual", "daily", "weekly", "monthly")


def consolidation_string_list(value: Any) -> list[str]:
    """A list of strings, from a list or a string separated by commas, spaces or new lines."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = re.split(r"[\s,]+", value)
    elif isinstance(value, (list, tuple)):
        items = [str(item) for item in value]
    else:
        raise tk.Invalid(tk._("A list of names is expected"))
    return [item.strip() for item in items if item and item.strip()]


def consolidation_schedule(value: Any) -> str:
    """One of the known schedules."""
    value = str(value or "manual").strip()
    if value not in SCHEDULES:
        raise tk.Invalid(tk._("Unknown schedule; expected one of: {values}").format(
            values=", ".join(SCHEDULES)))
    return value


def consolidation_schema_json(value: Any) -> Any:
    """An uploaded Table Schema: a JSON object with a list of fields (or nothing)."""
    if value in (None, ""):
        return None
    if hasattr(value, "read"):  # an uploaded file
        value = value.read()
    if isinstance(value, (bytes, str)):
        try:
            value = json.loads(value)
        except ValueError:
            raise tk.Invalid(tk._("The schema is not valid JSON"))
    if not isinstance(value, dict) or not isinstance(value.get("fields"), list) \
            or not value["fields"]:
        raise tk.Invalid(tk._("The schema is not a Table Schema (no list of fields)"))
    return value
