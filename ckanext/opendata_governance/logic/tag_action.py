"""Core's tag and format listings, limited to the datasets the caller may read."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.opendata_governance.logic import schema

__all__ = ["tag_list", "tag_search", "tag_autocomplete", "tag_show", "format_autocomplete"]

# Core reads tags and formats from the tables, private and deleted datasets
# included. Which datasets a caller may read is core's search permission
# labels: the listings keep the values the caller's own search finds.


def _readable_values(context: Context, field: str) -> dict[str, int]:
    """Values of a search facet over the datasets the caller may read (sysadmins and
    internal calls: every active dataset), with their dataset counts."""
    result = tk.get_action("package_search")(
        {"user": context.get("user") or "", "ignore_auth": bool(context.get("ignore_auth"))},
        {"include_private": True, "rows": 0, "facet.field": [field], "facet.limit": -1})
    return dict((result.get("facets") or {}).get(field) or {})


def _page(items: list[Any], data_dict: DataDict, context: Context) -> list[Any]:
    page = schema.validate(data_dict, schema.listing_page(), context)
    start = page.get("offset") or 0
    limit: Optional[int] = page.get("limit")
    return items[start:] if limit is None else items[start:start + limit]


def _unpaged(data_dict: DataDict) -> dict[str, Any]:
    # Filtered first, paged after: a page of core's would come back short.
    return {key: value for key, value in data_dict.items() if key not in ("limit", "offset")}


def _free_tags(data_dict: DataDict) -> bool:
    # Vocabulary tags are a sysadmin's list of terms, not something a dataset revealed.
    return not data_dict.get("vocabulary_id")


def _name(tag: Any) -> str:
    return tag["name"] if isinstance(tag, dict) else tag


def _readable_tags(tags: list[Any], context: Context) -> list[Any]:
    """The tags (names or dictionaries) that a dataset the caller may read carries."""
    readable = _readable_values(context, "tags")
    return [tag for tag in tags if _name(tag) in readable]


@tk.side_effect_free
@tk.chained_action
def tag_list(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``tag_list``: free tags only of the datasets the caller may read.

    :param query: only tags whose names contain this string (optional)
    :param vocabulary_id: the vocabulary to list instead of free tags (optional)
    :param all_fields: full tag dictionaries instead of names (optional)
    """
    tk.check_access("tag_list", context, data_dict)
    if not _free_tags(data_dict):
        return original(context, data_dict)
    tags = _readable_tags(original(context, _unpaged(data_dict)), context)
    return _page(tags, data_dict, context)


@tk.side_effect_free
@tk.chained_action
def tag_search(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``tag_search``: free tags only of the datasets the caller may read.

    :param query: the string(s) to search for
    :param vocabulary_id: the vocabulary to search instead of free tags (optional)
    :param limit: the most tags to return (optional)
    :param offset: tags to skip (optional)
    """
    tk.check_access("tag_search", context, data_dict)
    if not _free_tags(data_dict):
        return original(context, data_dict)
    results = _readable_tags(original(context, _unpaged(data_dict))["results"], context)
    return {"count": len(results), "results": _page(results, data_dict, context)}


@tk.side_effect_free
@tk.chained_action
def tag_autocomplete(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``tag_autocomplete``: free tags only of the datasets the caller may read.

    :param query: the string to search for
    :param vocabulary_id: the vocabulary to search instead of free tags (optional)
    :param limit: the most tags to return (optional)
    :param offset: tags to skip (optional)
    """
    tk.check_access("tag_autocomplete", context, data_dict)
    if not _free_tags(data_dict):
        return original(context, data_dict)
    names = _readable_tags(original(context, _unpaged(data_dict)), context)
    return _page(names, data_dict, context)


@tk.side_effect_free
@tk.chained_action
def tag_show(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``tag_show``: a free tag is found only on a dataset the caller may read.

    :param id: the name or id of the tag
    :param vocabulary_id: the vocabulary of the tag (optional)
    :param include_datasets: list the tag's public datasets (optional)
    """
    tag = original(context, data_dict)
    if not tag.get("vocabulary_id") and tag["name"] not in _readable_values(context, "tags"):
        raise tk.ObjectNotFound(tk._("Tag not found"))
    return tag


@tk.side_effect_free
@tk.chained_action
def format_autocomplete(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``format_autocomplete``: formats only of resources of datasets the caller
    may read, the most used first.

    :param q: the string to search for
    :param limit: the most formats to return (optional, default: 5)
    """
    tk.check_access("format_autocomplete", context, data_dict)
    term = str(tk.get_or_bust(data_dict, "q")).lower()
    counts: dict[str, int] = {}
    for value, count in _readable_values(context, "res_format").items():
        if term in value.lower():
            counts[value.lower()] = counts.get(value.lower(), 0) + count
    ranked = sorted(counts, key=lambda value: (-counts[value], value))
    return _page(ranked, {"limit": 5, **data_dict}, context)
