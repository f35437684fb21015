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


def _guarded(side_effect_free: bool) -> Action:
    """Core's action of the name it is registered under, once ``input_guard`` has refused
    what PostgreSQL cannot store: an id that is not a string, a ``query`` that is not one..."""
    @tk.chained_action
    def guarded(original: Action, context: Context, data_dict: DataDict) -> Any:
        input_guard.check(data_dict)
        return original(context, data_dict)
    return tk.side_effect_free(guarded) if side_effect_free else guarded


package_show = _guarded(side_effect_free=True)
package_patch = _guarded(side_effect_free=False)
tag_list = _guarded(side_effect_free=True)
