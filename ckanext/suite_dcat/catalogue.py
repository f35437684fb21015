"""What a request to the DCAT catalogue may ask: checked before ckanext-dcat searches."""
from __future__ import annotations

import datetime
import math
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.types import Context, DataDict

__all__ = ["FORMATS", "check_format", "check_profiles", "check_request", "last_page"]

#: The serialisations ckanext-dcat's endpoints answer (its ``CONTENT_TYPES``).
FORMATS = ("rdf", "xml", "ttl", "n3", "jsonld")
#: ckanext-dcat's own default page size, when ``ckanext.dcat.datasets_per_page`` is unset.
_PER_PAGE = 100


def _refuse(field: str, message: str) -> None:
    raise tk.ValidationError({field: [message]})


def check_format(value: Any) -> None:
    """Refuse a serialisation ckanext-dcat cannot write (it would fail with a 500)."""
    if value is not None and value not in FORMATS:
        _refuse("format", tk._("Unknown format: use one of {formats}").format(
            formats=", ".join(FORMATS)))


def check_profiles(value: Any) -> None:
    """Refuse profiles other than the portal's: without the suite's profile, ckanext-dcat
    would write the maintainer's own address as the contact point."""
    if not value:
        return
    asked = value.split(",") if isinstance(value, str) else value
    configured = (tk.config.get("ckanext.dcat.rdf.profiles") or "").split()
    if not isinstance(asked, list) or sorted(asked) != sorted(configured):
        _refuse("profiles", tk._(
            "The catalogue is written with the portal's profiles only: {profiles}").format(
                profiles=" ".join(configured)))


def _page(value: Any) -> int:
    if value is None or value == "":
        return 1
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        _refuse("page", tk._("The page must be a whole number from 1"))
    return int(text)


def _modified_since(value: Any) -> Optional[str]:
    """An ISO 8601 date or date-time, as the naive UTC date-time ckanext-dcat appends Z to."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        _refuse("modified_since", tk._(
            "Not a date: give an ISO 8601 date such as 2024-01-31 or 2024-01-31T08:00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.isoformat()


def last_page(context: Context, q: Any) -> int:
    """The catalogue's last page for this query; a query search cannot read is refused."""
    if q is not None and not isinstance(q, str):
        _refuse("q", tk._("Must be a string"))
    try:
        count = tk.get_action("package_search")(
            {"user": context.get("user")}, {"q": q or "*:*", "rows": 0})["count"]
    except (SearchQueryError, SearchError):
        _refuse("q", tk._("The search query is not valid"))
    per_page = tk.config.get("ckanext.dcat.datasets_per_page") or _PER_PAGE
    return max(1, math.ceil(count / int(per_page)))


def check_request(context: Context, data_dict: DataDict) -> DataDict:
    """The catalogue request with its parameters checked and normalised.

    ``fq`` is refused: a filter query may lift the filters that keep deleted datasets and
    mirrors out of search (core drops ``+state:active`` when an ``fq`` names the state).
    """
    check_format(data_dict.get("format"))
    check_profiles(data_dict.get("profiles"))
    if data_dict.get("fq"):
        _refuse("fq", tk._("The catalogue does not take fq: filter with q"))
    page = _page(data_dict.get("page"))
    checked = {**data_dict, "fq": None, "page": page,
               "modified_since": _modified_since(data_dict.get("modified_since"))}
    last = last_page(context, data_dict.get("q"))
    if page > last:
        _refuse("page", tk._("Page {page} is past the catalogue's last page ({last})").format(
            page=page, last=last))
    return checked
