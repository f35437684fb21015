"""The one way the suite's actions validate their input: a navl schema, as core's actions do."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

__all__ = ["validate", "validate_all"]


def validate(data_dict: DataDict, schema: Schema, context: Context) -> dict[str, Any]:
    """The data validated by ``schema``, or a ValidationError naming each bad field.
    The caller's dict is left as it was."""
    data, errors = tk.navl_validate(dict(data_dict), schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def validate_all(data_dict: DataDict, schema: Schema, context: Context
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data validated by ``schema`` and the errors of its bad fields, without raising:
    for an action that checks more (in the database) before reporting every error at once."""
    data, errors = tk.navl_validate(dict(data_dict), schema, context)
    return data, dict(errors)
