"""ckanext-dcat's catalogue and dataset actions, with their input checked first."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.suite import input_guard
from ckanext.suite_dcat import catalogue, lookups, page_cache

__all__ = ["dcat_catalog_show", "dcat_catalog_search", "dcat_dataset_show"]


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_show(original: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-dcat's catalogue page; a bad page, date, format, query or any ``fq`` is a
    ``ValidationError`` naming the parameter (ckanext-dcat's view answers it with a 409).

    A Turtle page is put together from each dataset's fragment, kept in Redis for
    ``ckanext.suite_dcat.page_cache_seconds``; the other formats are ckanext-dcat's."""
    input_guard.check(data_dict)
    checked = catalogue.check_request(context, data_dict)
    if page_cache.applies(checked):
        tk.check_access("dcat_catalog_show", context, checked)
        return page_cache.catalogue_page(context, checked)
    with lookups.page_scope():
        return original(context, checked)


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_search(original: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-dcat's catalogue search, with the checks of ``dcat_catalog_show``."""
    input_guard.check(data_dict)
    checked = catalogue.check_request(context, data_dict)
    with lookups.page_scope():
        return original(context, checked)


@tk.chained_action
def dcat_dataset_show(original: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-dcat's dataset record; a dataset the user may not see is not found, as on
    its page (a 403 would tell that a private dataset exists)."""
    input_guard.check(data_dict)
    catalogue.check_format(data_dict.get("format"))
    catalogue.check_profiles(data_dict.get("profiles"))
    try:
        return original(context, data_dict)
    except tk.NotAuthorized:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
