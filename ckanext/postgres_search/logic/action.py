"""Core's dataset reads, patches and tag list, refusing input PostgreSQL cannot take before core runs."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchQueryError
from ckan.types import Action, Context, DataDict

from ckanext.suite import input_guard

__all__ = ["package_search", "package_show", "package_patch", "tag_list"]


@tk.side_effect_free
@tk.chained_action
def package_search(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``package_search``; a NUL byte, a lone surrogate or a flag that is not a
    boolean (``include_private=maybe``) is refused as an invalid query naming the parameter."""
    try:
        input_guard.check(data_dict)
    except tk.ValidationError as error:
        # The API answers a SearchQueryError with a 400 and its message, as for bad syntax.
        raise SearchQueryError(str(error.error_dict)) from error
    return original(context, data_dict)


@tk.side_effect_free
@tk.chained_action
def package_show(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``package_show``; an id that is not a storable string is refused."""
    input_guard.check(data_dict)
    return original(context, data_dict)


@tk.chained_action
def package_patch(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``package_patch``; an id that is not a storable string is refused."""
    input_guard.check(data_dict)
    return original(context, data_dict)


@tk.side_effect_free
@tk.chained_action
def tag_list(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``tag_list``; a ``query`` that is not a string is refused."""
    input_guard.check(data_dict)
    return original(context, data_dict)
