"""A harvest source's configuration: its keys, each checked and normalised, and the
territory it speaks for."""
from __future__ import annotations

import json
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

__all__ = ["LEVELS", "SCHEDULES", "COMMON_CONFIG", "parse_config"]

LEVELS = ("commune", "epci", "departement", "region", "national")
SCHEDULES = ("MANUAL", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY", "ALWAYS")


# Config validators: each takes the value and returns it normalised, or raises ValueError.

def _string_list(key: str) -> Callable[[Any], list[str]]:
    def check(value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise ValueError(tk._('"{key}" must be a list of strings').format(key=key))
        return [v.strip() for v in value]
    return check


def _bool(key: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(tk._('"{key}" must be true or false').format(key=key))
        return value
    return check


def _positive_int(key: str, maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValueError(tk._('"{key}" must be a whole number between 1 and {maximum}')
                             .format(key=key, maximum=maximum))
        return value
    return check


def _string_dict(key: str) -> Callable[[Any], dict[str, str]]:
    def check(value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and k.strip() and isinstance(v, (str, int, float))
                and not isinstance(v, bool) for k, v in value.items()):
            raise ValueError(tk._('"{key}" must be an object of text values').format(key=key))
        return {k.strip(): str(v) for k, v in value.items()}
    return check


def _filters(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(
            isinstance(v, (str, list)) for v in value.values()):
        raise ValueError(tk._('"filters" must be an object of texts or lists of texts'))
    return value


def _schedule(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in SCHEDULES:
        raise ValueError(tk._('"schedule" must be one of {choices}').format(
            choices=", ".join(SCHEDULES)))
    return value.upper()


def _level(value: Any) -> str:
    if value not in LEVELS:
        raise ValueError(tk._('"territorial_level" must be one of {choices}').format(
            choices=", ".join(LEVELS)))
    return value


def _code(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 20 \
            or not value.strip().replace("-", "").isalnum():
        raise ValueError(tk._('"territory_code" must be a COG or SIREN code'))
    return value.strip().upper()


def _refuse_allowlist(value: Any) -> Any:
    raise ValueError(tk._('"allowlist" cannot be set by a harvest source: only the site '
                          'administrator allow-lists hosts, in the portal configuration'))


COMMON_CONFIG: dict[str, Callable[[Any], Any]] = {
    "territory": lambda value: value,  # split below into code and level
    "territory_code": _code,
    "territorial_level": _level,
    "filters": _filters,
    "default_extras": _string_dict("default_extras"),
    "schedule": _schedule,
    "keep_local_fields": _string_list("keep_local_fields"),
    "incremental": _bool("incremental"),
    "page_size": _positive_int("page_size", 1000),
    "allowlist": _refuse_allowlist,
}


def parse_config(config: Any, portal_schema: Optional[dict[str, Callable[[Any], Any]]] = None
                 ) -> dict[str, Any]:
    """A source's config (JSON text or dict) checked and normalised; ``ValueError`` names
    the key at fault.

    The territory is given as ``"territory": "level:code"`` (``"epci:243500139"``) or as
    ``territory_code`` and ``territorial_level``; both forms end up as the latter two keys.
    """
    if config in (None, ""):
        data: Any = {}
    elif isinstance(config, str):
        try:
            data = json.loads(config)
        except ValueError as error:
            raise ValueError(tk._("The configuration is not valid JSON: {error}")
                             .format(error=error)) from error
    else:
        data = dict(config)
    if not isinstance(data, dict):
        raise ValueError(tk._("The configuration must be a JSON object"))
    schema = {**COMMON_CONFIG, **(portal_schema or {})}
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key not in schema:
            raise ValueError(tk._('Unknown configuration key "{key}"').format(key=key))
        result[key] = schema[key](value)
    territory = result.pop("territory", None)
    if territory is not None:
        if not isinstance(territory, str) or territory.count(":") != 1:
            raise ValueError(tk._('"territory" must read "level:code", e.g. "epci:243500139"'))
        level, code = territory.split(":")
        result.setdefault("territorial_level", _level(level.strip()))
        result.setdefault("territory_code", _code(code))
    if ("territory_code" in result) != ("territorial_level" in result):
        raise ValueError(tk._('"territory_code" and "territorial_level" go together'))
    return result
