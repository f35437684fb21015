"""A catalogue page's search and Hydra paging, the same as ckanext-dcat's catalogue action."""
from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.dcat.utils import catalog_uri

__all__ = ["per_page", "search", "search_ids", "paging"]

#: ckanext-dcat's own default page size, when ``ckanext.dcat.datasets_per_page`` is unset.
_PER_PAGE = 100
#: Request parameters ckanext-dcat carries over to the paging links.
_CARRIED = ("modified_since", "profiles", "q", "fq")


def per_page() -> int:
    """Datasets on a catalogue page."""
    return int(tk.config.get("ckanext.dcat.datasets_per_page") or _PER_PAGE)


#: What no catalogue page lists.
_LEFT_OUT = ["-dataset_type:harvest", "-dataset_type:showcase"]


def search(context: Context, checked: DataDict) -> dict[str, Any]:
    """``package_search``'s answer for the page of a request checked by
    ``catalogue.check_request``: newest first, harvest sources and showcases left out,
    as an anonymous visitor would see it (no ``include_private``)."""
    rows = per_page()
    filters = list(_LEFT_OUT)
    if checked.get("modified_since"):
        filters.append(f"metadata_modified:[{checked['modified_since']}Z TO NOW]")
    return tk.get_action("package_search")(context, {
        "q": checked.get("q", "*:*"), "fq": checked.get("fq"), "fq_list": filters,
        "rows": rows, "start": rows * (checked["page"] - 1),
        "sort": "metadata_modified desc"})


def search_ids(ids: list[str]) -> list[dict[str, Any]]:
    """Those of these datasets a catalogue page can list, as an anonymous visitor's page
    gets them from ``package_search``."""
    if not ids:
        return []
    quoted = " OR ".join(f'"{dataset_id}"' for dataset_id in ids)
    return tk.get_action("package_search")({"user": "", "auth_user_obj": None}, {
        "q": "*:*", "fq": f"id:({quoted})", "fq_list": list(_LEFT_OUT),
        "rows": len(ids)})["results"]


def _page_url(page: int) -> str:
    """The URL of another page of this request, its carried parameters as they came."""
    carried = [f"{key}={value}" for key, value in tk.request.args.items() if key in _CARRIED]
    query = "&".join(carried + [f"page={page}"])
    return f"{catalog_uri()}{tk.request.path}?{query}"


def paging(found: dict[str, Any], page: int) -> dict[str, Any]:
    """The paging info ckanext-dcat's serializer writes as Hydra triples (``count``,
    ``items_per_page``, ``current``, ``first``, ``last``, ``previous``, ``next``);
    empty when nothing was found."""
    count = found["count"]
    if not count:
        return {}
    rows = per_page()
    last = int(math.ceil(count / rows)) or 1
    info = {"count": count, "items_per_page": rows, "current": _page_url(page),
            "first": _page_url(1), "last": _page_url(last)}
    if page > 1:
        # A page past the end points back to the last one.
        seen = (page - 1) * rows + len(found["results"])
        info["previous"] = _page_url(page - 1 if seen <= count else last)
    if page * rows < count:
        info["next"] = _page_url(page + 1)
    return info
