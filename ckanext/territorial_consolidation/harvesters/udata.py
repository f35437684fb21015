"""The udata / data.gouv.fr harvester: API v1 datasets of an organization or an owner."""
from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from typing import Any, Callable, Iterator, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.harvest.interfaces import IHarvester

from ckanext.territorial_consolidation.harvesters import vocab_udata
from ckanext.territorial_consolidation.harvesters.base import (RemoteDataset,
                                                               TerritorialHarvester)
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from ckanext.territorial_consolidation.harvesters.listing import ListingCount

__all__ = ["TerritorialUdataHarvester", "parse_date", "clean_tags", "udata_api_url",
           "MAX_PAGES"]

#: Pages read at most from one source: a partner whose paging never ends (or loops
#: through ever new URLs) stops the gather with an error instead of running forever.
MAX_PAGES = 10000

# Fields of a udata record that the import uses; the rest (metrics, quality, checks...)
# changes every day without the dataset changing, and must not make it look modified.
_DATASET_KEYS = ("id", "title", "description", "slug", "page", "uri", "tags", "frequency",
                 "license", "temporal_coverage", "spatial", "schema", "last_update",
                 "last_modified", "created_at", "harvest", "acronym")
_RESOURCE_KEYS = ("id", "title", "description", "url", "format", "mime", "type", "schema",
                  "filesize", "last_modified", "checksum")
_TAG = re.compile(r"[^\w\-. ]+", re.UNICODE)


def parse_date(value: Any) -> Optional[dt.datetime]:
    """A naive UTC datetime from an ISO 8601 date or datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def clean_tags(values: Any) -> list[dict[str, str]]:
    """CKAN tags from a partner's keywords: characters CKAN refuses become spaces, too
    short or too long keywords are dropped, duplicates removed."""
    if isinstance(values, str):
        values = [values]
    tags: list[dict[str, str]] = []
    seen: set[str] = set()
    for value in values or []:
        if not isinstance(value, str):
            continue
        name = " ".join(_TAG.sub(" ", value).split())[:100]
        if len(name) >= 2 and name.lower() not in seen:
            seen.add(name.lower())
            tags.append({"name": name})
    return tags


def udata_api_url(source_url: str, config: dict[str, Any]) -> str:
    """The first page of the source's dataset listing.

    The source URL is either an API listing already (``…/api/1/…``), an organization page
    (``…/organizations/<slug>/``), or the portal's root with ``organization`` or
    ``owner`` in the config.
    """
    parts = urllib.parse.urlsplit(source_url)
    root = f"{parts.scheme}://{parts.netloc}"
    query: dict[str, str] = {}
    if "/api/1/" in parts.path:
        url = source_url
    elif config.get("organization"):
        url = f"{root}/api/1/organizations/{urllib.parse.quote(config['organization'])}/datasets/"
    elif config.get("owner"):
        url = f"{root}/api/1/datasets/"
        query["owner"] = config["owner"]
    else:
        found = re.search(r"/organizations/([^/]+)", parts.path)
        if not found:
            raise HarvestFetchError(tk._(
                "A udata source needs an organization or an owner: give an organization "
                "page or API URL, or \"organization\" or \"owner\" in the configuration"),
                source_url)
        url = f"{root}/api/1/organizations/{found.group(1)}/datasets/"
    for key, value in (config.get("filters") or {}).items():
        query[key] = ",".join(value) if isinstance(value, list) else value
    if not query:
        return url
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + separator + urllib.parse.urlencode(query)


def _with_page_size(url: str, size: int) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("page_size", str(size))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _text(key: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or "/" in value:
            raise ValueError(tk._('"{key}" must be a udata id or slug').format(key=key))
        return value.strip()
    return check


def _schema_reference(schema: Any) -> Optional[str]:
    """A Table Schema reference from udata's ``{"name", "version", "url"}``."""
    if not isinstance(schema, dict):
        return None
    if schema.get("url"):
        return schema["url"]
    name, version = schema.get("name"), schema.get("version")
    if not name:
        return None
    if version:
        # schema.data.gouv.fr's canonical address, as the governance checks know it.
        return f"https://schema.data.gouv.fr/schemas/{name}/{version}/schema.json"
    return name


def _date_only(value: Any) -> Optional[str]:
    parsed = parse_date(value)
    return parsed.date().isoformat() if parsed else None


class TerritorialUdataHarvester(TerritorialHarvester):
    """Harvests a udata portal (data.gouv.fr or a local udata) through its API v1.

    Config keys of its own: ``organization`` (id or slug) or ``owner`` (user id), unless
    the source URL names the organization; ``filters`` are passed as API query
    parameters (``tag``, ``schema``, ``license``...). Private, deleted and archived
    datasets are never harvested.
    """

    p.implements(IHarvester)

    PORTAL_KIND = "udata"

    def info(self) -> dict[str, str]:
        return {"name": "territorial_udata",
                "title": tk._("udata / data.gouv.fr partner portal"),
                "description": tk._("Datasets of an organization or a user of a udata "
                                    "portal such as data.gouv.fr (API v1)")}

    def portal_config_schema(self) -> dict[str, Callable[[Any], Any]]:
        return {"organization": _text("organization"), "owner": _text("owner")}

    def iter_remote(self, source_url: str, config: dict[str, Any], client: HarvestClient,
                    since: Optional[dt.datetime]) -> Iterator[RemoteDataset]:
        url: Optional[str] = _with_page_size(udata_api_url(source_url, config),
                                             self.page_size(config))
        seen: set[str] = set()
        listing = ListingCount(source_url)
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise HarvestFetchError(tk._("The paging of {url} does not end").format(
                    url=source_url), url)
            seen.add(url)
            page = client.get_json(url)
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise HarvestFetchError(tk._("{url} is not a udata dataset listing").format(
                    url=url), url)
            listing.announce(page.get("total"))
            for record in page["data"]:
                remote = self._remote(record)
                listing.saw(record.get("id"))
                if remote is not None:
                    yield remote
            url = page.get("next_page") or None
            if url is not None and not isinstance(url, str):
                raise HarvestFetchError(tk._("{url} gave an invalid next page").format(
                    url=source_url), source_url)
        # No next page before the announced total, or records repeated across pages.
        listing.check()

    def _remote(self, record: Any) -> Optional[RemoteDataset]:
        if not isinstance(record, dict) or not record.get("id"):
            raise HarvestFetchError(tk._("A udata dataset has no id"), "")
        if record.get("private") or record.get("deleted") or record.get("archived"):
            return None
        raw = {key: record.get(key) for key in _DATASET_KEYS}
        raw["organization"] = {k: (record.get("organization") or {}).get(k)
                               for k in ("id", "name", "slug")}
        raw["resources"] = [{key: res.get(key) for key in _RESOURCE_KEYS}
                            for res in record.get("resources") or [] if isinstance(res, dict)]
        harvest = record.get("harvest") or {}
        identifier = (harvest.get("dct_identifier") or harvest.get("uri")
                      or harvest.get("remote_url") or record.get("page") or record.get("uri"))
        return RemoteDataset(
            remote_id=str(record["id"]), remote_url=record.get("page") or record.get("uri"),
            modified=parse_date(record.get("last_update") or record.get("last_modified")),
            identifier=identifier, raw=raw)

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        raw = remote.raw
        dataset_schema = _schema_reference(raw.get("schema"))
        extras = {
            "update_frequency": vocab_udata.frequency(raw.get("frequency")),
            "remote_frequency": raw.get("frequency") or "",
        }
        if raw.get("acronym"):
            extras["acronym"] = raw["acronym"]
        last_update = _date_only(raw.get("last_update"))
        if last_update:
            extras["last_data_update"] = last_update
        temporal = raw.get("temporal_coverage") or {}
        if isinstance(temporal, dict):
            for bound in ("start", "end"):
                value = _date_only(temporal.get(bound))
                if value:
                    extras[f"temporal_{bound}"] = value
        spatial = raw.get("spatial") or {}
        if isinstance(spatial, dict):
            zones = [z for z in spatial.get("zones") or [] if isinstance(z, str)]
            if zones:
                extras["spatial_zones"] = ",".join(zones)
            if spatial.get("granularity"):
                extras["spatial_granularity"] = str(spatial["granularity"])
        if dataset_schema:
            extras["conforms_to"] = dataset_schema
        resources = []
        for res in raw.get("resources") or []:
            if not res.get("url"):
                continue
            resource = {
                "name": res.get("title") or res["url"].rsplit("/", 1)[-1],
                "description": res.get("description") or "",
                "url": res["url"],
                "format": (res.get("format") or "").upper(),
                "remote_id": res.get("id") or "",
                "resource_type": res.get("type") or "",
            }
            if res.get("mime"):
                resource["mimetype"] = res["mime"]
            if isinstance(res.get("filesize"), int):
                resource["size"] = res["filesize"]
            conforms_to = _schema_reference(res.get("schema")) or dataset_schema
            if conforms_to:
                resource["conforms_to"] = conforms_to
            resources.append(resource)
        return {
            "title": raw.get("title") or remote.remote_id,
            "name": raw.get("slug") or "",
            "notes": raw.get("description") or "",
            "url": remote.remote_url or "",
            "tags": clean_tags(raw.get("tags")),
            "license_id": vocab_udata.licence(raw.get("license")),
            "resources": resources,
            "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
        }
