"""A safety net on every action of the suite: input PostgreSQL or Python cannot take."""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk

__all__ = ["MAX_DEPTH", "check", "guarded", "guard_actions"]

#: Deepest nesting of lists and dicts an action accepts; no action needs more than a few.
MAX_DEPTH = 32
#: PostgreSQL's bigint, the widest integer column of the portal.
_BIGINT = 2 ** 63 - 1
#: A NUL byte (PostgreSQL text refuses it) or a lone UTF-16 surrogate (no encoding takes it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _refuse(field: str, message: str) -> None:
    raise tk.ValidationError({field: [message]})


def _check_value(field: str, value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        _refuse(field, tk._("Nested too deeply"))
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            _refuse(field, tk._("Contains a NUL byte or an invalid character"))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -_BIGINT <= value <= _BIGINT:
            _refuse(field, tk._("Number out of range"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(field, key, depth + 1)
            _check_value(field, item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_value(field, item, depth + 1)


#: Paging keys: a natural number, as an integer or its digits.
_PAGING = ("limit", "offset", "rows", "start", "page")
#: Flags core reads with ``asbool``, which accepts these strings only.
_FLAGS = ("private", "include_private", "include_drafts", "include_deleted")
_FLAG_WORDS = ("true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "1", "0", "")
#: Keys naming one object, or a query: a string, or the lookup compares text to a number.
_STRINGS = ("id", "organization", "dataset", "package", "service", "user", "q", "fq",
            "query", "sort")
_DIGITS = re.compile(r"^\s*\d+\s*$")


def _check_type(field: str, value: Any) -> None:
    """Ids are strings, paging is natural, flags are booleans: the types queries expect."""
    if value is None:
        return
    # Only what JSON can send in place of a string is wrong: package_update gets
    # package_show's "organization" back as a dict, and core's bulk_update_public passes
    # package_patch a database row as the id.
    if (field in _STRINGS or field.endswith("_id")) and isinstance(value, (int, float, list)):
        _refuse(field, tk._("Must be a string"))
    if field in _PAGING:
        number = value if isinstance(value, int) and not isinstance(value, bool) else (
            int(value) if isinstance(value, str) and _DIGITS.match(value) else -1)
        if not 0 <= number <= _BIGINT:
            _refuse(field, tk._("Must be a natural number"))
    if field in _FLAGS and not (
            isinstance(value, bool)
            or isinstance(value, str) and value.strip().lower() in _FLAG_WORDS):
        _refuse(field, tk._("Must be true or false"))


def check(data_dict: Any) -> None:
    """Raise a ``ValidationError`` naming the first field whose value no action can
    store or whose type no action expects."""
    if not isinstance(data_dict, dict):
        return
    for key, value in data_dict.items():
        field = key if isinstance(key, str) and not _UNSTORABLE.search(key) else "__extras"
        _check_value(field, key, 1)
        _check_value(field, value, 1)
        _check_type(field, value)


def guarded(action: Callable[..., Any]) -> Callable[..., Any]:
    """The action, refusing unstorable input first; a chained action stays chained
    (its data dict is still the last argument)."""
    @functools.wraps(action)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check(kwargs.get("data_dict", args[-1] if args else None))
        return action(*args, **kwargs)
    return wrapper


def guard_actions(get_actions: Callable[[], dict[str, Callable[..., Any]]]
                  ) -> Callable[[], dict[str, Callable[..., Any]]]:
    """For ``tk.blanket.actions``: the plugin's actions (``get_actions()``), each guarded;
    an action with an ``available`` test (one chaining another plugin's action) only
    when it passes."""
    def guarded_actions() -> dict[str, Callable[..., Any]]:
        return {name: guarded(action) for name, action in get_actions().items()
                if getattr(action, "available", None) is None or action.available()}
    return guarded_actions

