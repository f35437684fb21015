"""Finding a consolidation's sources: public resources in its scope that declare its schema."""
from __future__ import annotations

import functools
import os
from typing import IO, Any, Callable, Iterable, Iterator, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.territorial_consolidation.consolidation.engine import Source
from ckanext.territorial_consolidation.model.harvest import Provenance

__all__ = ["member_ids", "package_territory", "candidates", "find_sources", "same_schema"]

_PAGE = 1000


def same_schema(declared: Any, url: str) -> bool:
    """Whether a resource's ``conforms_to`` names this schema (trailing slash and case aside)."""
    if not declared or not url:
        return False
    if isinstance(declared, dict):
        declared = declared.get("url") or declared.get("name") or ""
    return str(declared).strip().rstrip("/").lower() == url.strip().rstrip("/").lower()


def member_ids(scope_id: str) -> dict[str, dict[str, Any]]:
    """The scope territory and every territory below it, by id."""
    context = {"ignore_auth": True}
    members = {}
    scope = tk.get_action("territory_show")(context, {"id": scope_id})
    members[scope["id"]] = scope
    offset = 0
    while True:
        page = tk.get_action("territory_list")(
            context, {"within": scope_id, "limit": _PAGE, "offset": offset})
        for territory in page["results"]:
            members[territory["id"]] = territory
        offset += _PAGE
        if offset >= page["count"] or not page["results"]:
            return members


class _TerritoryResolver:
    """A dataset's territory: its harvest provenance, its own fields, else its organization's."""

    def __init__(self) -> None:
        self._organizations: dict[str, Optional[str]] = {}

    def organization(self, organization_id: Optional[str]) -> Optional[str]:
        if not organization_id:
            return None
        if organization_id not in self._organizations:
            try:
                territory = tk.get_action("territory_show")(
                    {"ignore_auth": True}, {"organization_id": organization_id})
                self._organizations[organization_id] = territory["id"]
            except (tk.ObjectNotFound, tk.ValidationError):
                self._organizations[organization_id] = None
        return self._organizations[organization_id]

    def __call__(self, package: model.Package) -> tuple[Optional[str], Optional[Provenance]]:
        provenance = Provenance.get(package.id)
        if provenance is not None and provenance.territory_code and provenance.territorial_level:
            return f"{provenance.territorial_level}:{provenance.territory_code}", provenance
        extras = package.extras or {}
        if extras.get("territory_code") and extras.get("territorial_level"):
            return f"{extras['territorial_level']}:{extras['territory_code']}", provenance
        return self.organization(package.owner_org), provenance


def package_territory(package_id: str) -> Optional[str]:
    """The territory id of one dataset (see ``_TerritoryResolver``)."""
    package = model.Package.get(package_id)
    return _TerritoryResolver()(package)[0] if package else None


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _opener(resource: model.Resource, max_bytes: int, timeout: float,
            allowlist: Iterable[str]) -> tuple[Callable[[], IO[bytes]], str]:
    """How to open a resource's file, and its fingerprint ("" when unknown)."""
    data = {"id": resource.id, "url": resource.url, "url_type": resource.url_type}
    if resource.url_type == "upload":
        from ckan.lib import uploader

        path = uploader.get_resource_uploader(data).get_path(resource.id)
        try:
            stat = os.stat(path)
            fingerprint = f"upload:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            fingerprint = ""
        return functools.partial(open, path, "rb"), fingerprint  # type: ignore[return-value]
    from ckanext.suite import safe_http

    allowed = list(allowlist)
    fingerprint = ""
    try:
        with safe_http.fetch(resource.url, max_bytes=max_bytes, timeout=timeout,
                             method="HEAD", allowlist=allowed) as head:
            etag = head.headers.get("ETag") or ""
            modified = head.headers.get("Last-Modified") or ""
            length = head.headers.get("Content-Length") or ""
            if head.status_code == 200 and (etag or modified):
                fingerprint = f"http:{etag}|{modified}|{length}"
    except safe_http.FetchError:
        pass  # the GET will say what is wrong

    def open_url() -> IO[bytes]:
        response = safe_http.fetch(resource.url, max_bytes=max_bytes, timeout=timeout,
                                   allowlist=allowed)
        if response.status_code != 200:
            response.close()
            raise safe_http.FetchError(f"HTTP {response.status_code}")
        return response  # type: ignore[return-value]

    return open_url, fingerprint


def candidates(schema_url: str, members: dict[str, dict[str, Any]], *,
               include: Iterable[str] = (), exclude: Iterable[str] = (),
               skip_package_ids: Iterable[str] = ()
               ) -> Iterator[tuple[model.Resource, model.Package, Optional[str],
                                   Optional[Provenance]]]:
    """Public resources declaring the schema whose dataset's territory is a member.

    ``include`` and ``exclude`` hold dataset or resource ids or names: included ones are
    taken even outside the scope, excluded ones never. Private datasets never are: the
    consolidated file and the coverage are public.
    """
    include, exclude = set(include), set(exclude)
    skip = set(skip_package_ids)
    needle = schema_url.strip().rstrip("/")
    query = (model.Session.query(model.Resource, model.Package)
             .join(model.Package, model.Package.id == model.Resource.package_id)
             .filter(model.Package.state == "active", model.Package.private.is_(False),
                     model.Resource.state == "active",
                     sa.func.lower(sa.cast(model.Resource.extras, sa.UnicodeText)).contains(
                         needle.lower(), autoescape=True))
             .order_by(model.Package.name, model.Resource.position))
    resolve = _TerritoryResolver()
    for resource, package in query:
        if package.id in skip:
            continue
        if not same_schema((resource.extras or {}).get("conforms_to"), schema_url):
            continue
        names = {resource.id, package.id, package.name}
        if names & exclude:
            continue
        territory_id, provenance = resolve(package)
        if territory_id not in members and not names & include:
            continue
        yield resource, package, territory_id, provenance


def find_sources(schema_url: str, members: dict[str, dict[str, Any]], *,
                 include: Iterable[str] = (), exclude: Iterable[str] = (),
                 skip_package_ids: Iterable[str] = (), max_bytes: int, timeout: float,
                 allowlist: Iterable[str] = ()) -> list[Source]:
    """The sources of a consolidation (see ``candidates``), ready to be opened."""
    site_url = tk.config["ckan.site_url"].rstrip("/")
    sources = []
    for resource, package, territory_id, provenance in candidates(
            schema_url, members, include=include, exclude=exclude,
            skip_package_ids=skip_package_ids):
        opener, fingerprint = _opener(resource, max_bytes, timeout, allowlist)
        modified = resource.last_modified or resource.metadata_modified or \
            package.metadata_modified
        code = territory_id.split(":", 1)[1] if territory_id else ""
        dataset_url = (provenance.remote_url if provenance is not None and
                       provenance.remote_url else f"{site_url}/dataset/{package.name}")
        sources.append(Source(
            resource_id=resource.id, open=opener, fingerprint=fingerprint,
            territory_code=code, dataset_url=dataset_url, last_modified=_iso(modified),
            title=f"{package.title or package.name} — {resource.name or resource.id}",
            package_id=package.id))
    return sources
