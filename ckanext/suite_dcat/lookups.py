"""What the suite's profile reads outside a dataset's dict, fetched for a whole catalogue page."""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from typing import Any, Iterable, Iterator, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

__all__ = ["Page", "page_scope", "remember_search", "provenance", "service"]

#: As many services as ``governance_service_list`` gives in one call.
_SERVICES_PER_CALL = 1000


@dataclasses.dataclass
class Page:
    """The datasets of one catalogue page and what was looked up for them."""

    datasets: Optional[list[dict[str, Any]]] = None
    provenance: dict[str, Optional[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    services: dict[tuple[str, str], Optional[dict[str, Any]]] = dataclasses.field(
        default_factory=dict)
    organizations: set[str] = dataclasses.field(default_factory=set)
    ids: set[Any] = dataclasses.field(default_factory=set)

    def hold(self, datasets: list[dict[str, Any]]) -> None:
        """Make these the page's datasets."""
        self.datasets = list(datasets)
        self.ids = {dataset.get("id") for dataset in datasets}


#: The page being written in this request, if any; outside one a dataset is a page of one.
_PAGE: contextvars.ContextVar[Optional[Page]] = contextvars.ContextVar(
    "suite_dcat_page", default=None)


@contextlib.contextmanager
def page_scope(datasets: Optional[list[dict[str, Any]]] = None) -> Iterator[Page]:
    """A catalogue page under way: its datasets, given or caught from its search, share
    their lookups."""
    page = Page()
    if datasets is not None:
        page.hold(datasets)
    token = _PAGE.set(page)
    try:
        yield page
    finally:
        _PAGE.reset(token)


def remember_search(results: list[dict[str, Any]]) -> None:
    """Keep the results of the first search made inside a page scope: the page's datasets
    (ckanext-dcat searches once, then writes each result)."""
    page = _PAGE.get()
    if page is not None and page.datasets is None:
        page.hold(results)


def _page_of(dataset: dict[str, Any]) -> tuple[Page, list[dict[str, Any]]]:
    """The current page (or a page of one) and the datasets to look up with this one."""
    page = _PAGE.get() or Page()
    if dataset.get("id") in page.ids and page.datasets:
        return page, page.datasets
    return page, [dataset]


def provenance(dataset: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Where a harvested dataset comes from (``territorial_provenance_show``'s dict), or
    None; the first call of a page fetches the whole page's in one query."""
    if not p.plugin_loaded("territorial_consolidation"):
        return None
    page, datasets = _page_of(dataset)
    if dataset["id"] not in page.provenance:
        ids = [other["id"] for other in datasets if other["id"] not in page.provenance]
        found = tk.get_action("territorial_provenance_list")({"ignore_auth": True},
                                                             {"ids": ids})
        page.provenance.update({package_id: found.get(package_id) for package_id in ids})
    return page.provenance.get(dataset["id"])


def service(dataset: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The owner service's title and shared mailbox (``{"title", "email"}``), or None;
    the first call for an organization fetches all of its services."""
    name, org = dataset.get("owner_service"), dataset.get("owner_org")
    if not name or not org or not p.plugin_loaded("opendata_governance"):
        return None
    page, datasets = _page_of(dataset)
    if (name, org) not in page.services:
        _fetch_services(page, {other.get("owner_org") for other in datasets
                               if other.get("owner_service")} | {org})
    if (name, org) not in page.services:
        page.services[(name, org)] = _one_service(name, org)
    return page.services[(name, org)]


def _fetch_services(page: Page, organizations: Iterable[Any]) -> None:
    """Every service of these organizations, by name, into the page."""
    for org in sorted(str(org) for org in organizations if org):
        if org in page.organizations:
            continue
        page.organizations.add(org)
        try:
            found = tk.get_action("governance_service_list")(
                {"ignore_auth": True}, {"organization_id": org, "limit": _SERVICES_PER_CALL,
                                        "include_dataset_count": False})
        except (tk.ObjectNotFound, tk.ValidationError):
            continue
        for item in found["results"]:
            page.services[(item["name"], org)] = _contact(item)


def _one_service(name: str, org: str) -> Optional[dict[str, Any]]:
    """A service the organization's list did not name (given by id, or past the list's
    first thousand), as ``governance_service_show`` finds it."""
    try:
        return _contact(tk.get_action("governance_service_show")(
            {"ignore_auth": True}, {"id": name, "organization_id": org}))
    except (tk.ObjectNotFound, tk.ValidationError):
        return None


def _contact(item: dict[str, Any]) -> dict[str, Any]:
    # Only the service's title and shared mailbox leave the portal.
    return {"title": item.get("title"), "email": item.get("email")}
