"""Harvester of a partner CKAN portal through its action API v3."""
from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any, Iterator, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.munge import munge_tag

from ckanext.harvest.interfaces import IHarvester

from ckanext.territorial_consolidation.harvesters import mapping
from ckanext.territorial_consolidation.harvesters.base import RemoteDataset, TerritorialHarvester
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from ckanext.territorial_consolidation.harvesters.listing import ListingCount

__all__ = ["TerritorialCkanHarvester"]

_FILTER_KEYS = ("organizations", "organizations_exclude", "groups")

# Extras that describe the partner's own harvest or our fields: never copied as such.
_SKIPPED_EXTRAS = {"harvest_object_id", "harvest_source_id", "harvest_source_title",
                   "harvest_url", "guid", "territory_code", "territorial_level"}

# Keys of a package_search result that change without the dataset changing.
_VOLATILE = ("tracking_summary", "num_followers", "relationships_as_object",
             "relationships_as_subject", "organization")

_FREQUENCY_KEYS = ("update_frequency", "frequency", "accrual_periodicity",
                   "accrualPeriodicity", "dct:accrualPeriodicity")
_IDENTIFIER_KEYS = ("uri", "identifier", "dct_identifier", "dct:identifier")


def _filters(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError(tk._('"filters" must be an object'))
    result = {}
    for key, names in value.items():
        if key not in _FILTER_KEYS:
            raise ValueError(tk._('Unknown filter "{key}" (known: {known})').format(
                key=key, known=", ".join(_FILTER_KEYS)))
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(
                isinstance(n, str) and n.strip() and '"' not in n for n in names):
            raise ValueError(tk._('The filter "{key}" must be a list of names').format(key=key))
        result[key] = [n.strip() for n in names]
    return result


def _solr_date(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_date(value: Any) -> Optional[dt.datetime]:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


class TerritorialCkanHarvester(TerritorialHarvester):
    """A partner CKAN: lists public datasets with ``package_search`` (never private ones:
    requests are anonymous), page by page, sorted by id, optionally incremental on
    ``metadata_modified`` and filtered by organization or group."""

    p.implements(IHarvester)

    PORTAL_KIND = "ckan"

    def info(self) -> dict[str, str]:
        return {"name": "territorial_ckan",
                "title": tk._("CKAN partner portal (territorial)"),
                "description": tk._("Public datasets of another CKAN portal, with their "
                                    "territory, provenance and withdrawal after a grace "
                                    "period")}

    def portal_config_schema(self) -> dict[str, Any]:
        return {"filters": _filters}

    def supports_since(self) -> bool:
        return True

    @staticmethod
    def api_base(source_url: str) -> str:
        """The portal root, whether the source URL is the root or its API address."""
        url = source_url.strip().rstrip("/")
        for suffix in ("/api/3/action", "/api/action", "/api/3", "/api"):
            if url.endswith(suffix):
                return url[:-len(suffix)]
        return url

    def _fq(self, config: dict[str, Any], since: Optional[dt.datetime]) -> str:
        filters = config.get("filters") or {}
        parts = []
        if filters.get("organizations"):
            parts.append("organization:(" + " OR ".join(
                f'"{name}"' for name in filters["organizations"]) + ")")
        for name in filters.get("organizations_exclude") or []:
            parts.append(f'-organization:"{name}"')
        if filters.get("groups"):
            parts.append("groups:(" + " OR ".join(
                f'"{name}"' for name in filters["groups"]) + ")")
        if since is not None:
            # Exclusive: the newest dataset already imported is not listed again.
            parts.append(f"metadata_modified:{{{_solr_date(since)} TO *]")
        return " ".join(parts)

    def iter_remote(self, source_url: str, config: dict[str, Any], client: HarvestClient,
                    since: Optional[dt.datetime]) -> Iterator[RemoteDataset]:
        base = self.api_base(source_url)
        rows = self.page_size(config)
        fq = self._fq(config, since)
        start = 0
        expected: Optional[int] = None
        listing = ListingCount(source_url)
        while True:
            query = {"rows": rows, "start": start, "sort": "id asc"}
            if fq:
                query["fq"] = fq
            url = f"{base}/api/3/action/package_search?{urllib.parse.urlencode(query)}"
            result = self._result(client.get_json(url), url)
            count, packages = result.get("count"), result.get("results")
            if not isinstance(count, int) or not isinstance(packages, list):
                raise HarvestFetchError(tk._("{url} did not return a package_search result")
                                        .format(url=url), url)
            if expected is None:
                expected = count
                listing.announce(count)
            elif count != expected:
                # Datasets came or went while paging: some may have been skipped.
                raise HarvestFetchError(
                    tk._("The partner's datasets changed during the harvest ({before} then "
                         "{after}); the next run will list them again").format(
                             before=expected, after=count), url)
            for package in packages:
                listing.saw(package.get("id") if isinstance(package, dict) else None)
                if isinstance(package, dict) and package.get("id") and \
                        not package.get("private") and package.get("state", "active") == "active":
                    yield self._remote(base, package)
            start += len(packages)
            if not packages or start >= count:
                # An empty page before the count, or ids repeated across pages: short.
                listing.check()
                return

    @staticmethod
    def _result(body: Any, url: str) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("success") is not True \
                or not isinstance(body.get("result"), dict):
            raise HarvestFetchError(tk._("{url} did not return a successful CKAN answer")
                                    .format(url=url), url)
        return body["result"]

    @staticmethod
    def _remote(base: str, package: dict[str, Any]) -> RemoteDataset:
        raw = {key: value for key, value in package.items() if key not in _VOLATILE}
        if package.get("organization"):
            raw["organization_name"] = package["organization"].get("name")
        extras = {e.get("key"): e.get("value") for e in package.get("extras") or []
                  if isinstance(e, dict)}
        identifier = next((str(extras.get(k) or package.get(k)) for k in _IDENTIFIER_KEYS
                           if extras.get(k) or package.get(k)), None)
        page = f"{base}/dataset/{package.get('name') or package['id']}"
        return RemoteDataset(remote_id=package["id"], remote_url=page,
                             modified=_parse_date(package.get("metadata_modified")),
                             identifier=identifier or f"{base}/dataset/{package['id']}",
                             raw=raw)

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        raw = remote.raw
        extras = {e.get("key"): e.get("value") for e in raw.get("extras") or []
                  if isinstance(e, dict) and e.get("key")}
        frequency = next((raw.get(k) or extras.get(k) for k in _FREQUENCY_KEYS
                          if raw.get(k) or extras.get(k)), None)
        tags = []
        for tag in raw.get("tags") or []:
            name = munge_tag(tag.get("name", "") if isinstance(tag, dict) else str(tag))
            if name and name not in tags:
                tags.append(name)
        package: dict[str, Any] = {
            "name": raw.get("name"),
            "title": raw.get("title") or raw.get("name") or remote.remote_id,
            "notes": raw.get("notes") or "",
            "url": raw.get("url") or "",
            "version": raw.get("version") or "",
            "author": raw.get("author") or "",
            "author_email": raw.get("author_email") or "",
            "maintainer": raw.get("maintainer") or "",
            "maintainer_email": raw.get("maintainer_email") or "",
            "license_id": mapping.map_licence(raw.get("license_id"), raw.get("license_title"),
                                              raw.get("license_url")),
            "update_frequency": mapping.map_frequency(frequency),
            "tags": [{"name": name} for name in tags],
            "resources": [self._resource(res) for res in raw.get("resources") or []
                          if isinstance(res, dict) and res.get("url")],
        }
        for key in ("last_data_update", "temporal_start", "temporal_end", "spatial",
                    "conforms_to"):
            value = raw.get(key) or extras.get(key)
            if value:
                extras[key] = value
        kept = {k: v for k, v in extras.items() if k not in _SKIPPED_EXTRAS
                and k not in _FREQUENCY_KEYS and isinstance(v, (str, int, float))}
        if kept:
            package["extras"] = [{"key": k, "value": str(v)} for k, v in kept.items()]
        return package

    @staticmethod
    def _resource(res: dict[str, Any]) -> dict[str, Any]:
        resource = {
            "url": res["url"],
            "name": res.get("name") or "",
            "format": res.get("format") or "",
            "description": res.get("description") or "",
            "mimetype": res.get("mimetype") or None,
            "remote_id": res.get("id") or "",
        }
        schema = res.get("conforms_to") or res.get("schema")
        if isinstance(schema, str) and schema:
            resource["conforms_to"] = schema
        elif isinstance(schema, dict) and (schema.get("url") or schema.get("name")):
            resource["conforms_to"] = schema.get("url") or schema.get("name")
        return {k: v for k, v in resource.items() if v is not None}
