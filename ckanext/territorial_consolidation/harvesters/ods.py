"""The OpenDataSoft harvester: the Explore API v2.1 catalogue, exports as resources."""
from __future__ import annotations

import datetime as dt
import html
import html.parser
import re
import urllib.parse
from typing import Any, Callable, Iterator, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.harvest.interfaces import IHarvester

from ckanext.territorial_consolidation.harvesters import mapping, vocab_ods
from ckanext.territorial_consolidation.harvesters.base import (RemoteDataset,
                                                               TerritorialHarvester)
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from ckanext.territorial_consolidation.harvesters.listing import ListingCount
from ckanext.territorial_consolidation.harvesters.udata import (MAX_PAGES, clean_tags,
                                                                parse_date)

__all__ = ["TerritorialOdsHarvester", "html_to_text", "CATALOG_PATH", "EXPORTS"]

CATALOG_PATH = "/api/explore/v2.1/catalog/datasets"
#: Exports offered as resources: (format in the URL, resource format, needs geometry).
EXPORTS = (("csv", "CSV", False), ("json", "JSON", False), ("geojson", "GeoJSON", True))
#: The Explore API answers at most 100 datasets per call.
_MAX_LIMIT = 100
# Metadata that changes with every data refresh or processing run, not the dataset.
_VOLATILE = {"records_count", "metadata_processed", "data_processed"}
_FREQUENCY_PATHS = ("dcat.accrualperiodicity", "default.accrualperiodicity",
                    "dcat_ap_fr.accrualperiodicity")


class _Text(html.parser.HTMLParser):
    """Text of an HTML description: paragraphs and list items on their own lines,
    links followed by their address."""

    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href and self._href.startswith(("http://", "https://")):
            self.parts.append(f" ({self._href})")
        if tag == "a":
            self._href = None
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(value: Any) -> str:
    """Plain text from ODS's HTML descriptions (CKAN renders notes as Markdown)."""
    if not isinstance(value, str):
        return ""
    parser = _Text()
    parser.feed(value)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n\n".join(line for line in lines if line)
    return html.unescape(text)


def _root(source_url: str) -> str:
    parts = urllib.parse.urlsplit(source_url)
    path = parts.path
    if CATALOG_PATH in path:
        path = path[:path.index(CATALOG_PATH)]
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}"


def _meta(metas: dict[str, Any], path: str) -> Any:
    group, _, name = path.partition(".")
    value = (metas.get(group) or {}).get(name) if name else None
    return value


def _where(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 2000:
        raise ValueError(tk._('"where" must be an ODSQL condition, e.g. '
                              'publisher = "Rennes Métropole"'))
    return value.strip()


def _meta_path(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9_]+\.[A-Za-z0-9_]+", value):
        raise ValueError(tk._('"frequency_meta" must name a metadata as "template.name", '
                              'e.g. "custom.frequence"'))
    return value


class TerritorialOdsHarvester(TerritorialHarvester):
    """Harvests an OpenDataSoft portal through the Explore API v2.1 catalogue.

    Config keys of its own: ``where`` (an ODSQL filter on the catalogue) and
    ``frequency_meta`` (the metadata holding the update frequency, when the portal
    keeps it in a custom template rather than ``dcat.accrualperiodicity``).
    Each dataset with records gets its CSV, JSON and (when it has a geometry) GeoJSON
    exports as resources, and its attachments.
    """

    p.implements(IHarvester)

    PORTAL_KIND = "ods"

    def info(self) -> dict[str, str]:
        return {"name": "territorial_ods",
                "title": tk._("OpenDataSoft partner portal"),
                "description": tk._("Datasets of an OpenDataSoft portal (Explore API "
                                    "v2.1), with their exports as resources")}

    def portal_config_schema(self) -> dict[str, Callable[[Any], Any]]:
        return {"where": _where, "frequency_meta": _meta_path}

    def iter_remote(self, source_url: str, config: dict[str, Any], client: HarvestClient,
                    since: Optional[dt.datetime]) -> Iterator[RemoteDataset]:
        root = _root(source_url)
        limit = min(self.page_size(config), _MAX_LIMIT)
        offset = 0
        listing = ListingCount(source_url)
        for _page in range(MAX_PAGES):
            query = {"limit": str(limit), "offset": str(offset), "order_by": "dataset_id"}
            if config.get("where"):
                query["where"] = config["where"]
            url = f"{root}{CATALOG_PATH}?{urllib.parse.urlencode(query)}"
            page = client.get_json(url)
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise HarvestFetchError(tk._("{url} is not an OpenDataSoft catalogue").format(
                    url=url), url)
            total = page.get("total_count")
            if not isinstance(total, int) or isinstance(total, bool):
                # Without its total, a short listing cannot be told from a whole one.
                raise HarvestFetchError(tk._("{url} does not give the catalogue's "
                                             "total_count").format(url=url), url)
            listing.announce(total)
            for record in page["results"]:
                remote = self._remote(root, record)
                listing.saw(remote.remote_id)
                yield remote
            offset += len(page["results"])
            if not page["results"] or offset >= total:
                # An empty page before the total, or records repeated across pages: short.
                listing.check()
                return
        raise HarvestFetchError(tk._("The paging of {url} does not end").format(
            url=source_url), source_url)

    def _remote(self, root: str, record: Any) -> RemoteDataset:
        if not isinstance(record, dict) or not isinstance(record.get("dataset_id"), str):
            raise HarvestFetchError(tk._("An OpenDataSoft dataset has no dataset_id"), root)
        metas: dict[str, Any] = record["metas"] if isinstance(record.get("metas"), dict) else {}
        kept_metas = {group: ({k: v for k, v in values.items() if k not in _VOLATILE}
                              if isinstance(values, dict) else values)
                      for group, values in metas.items()}
        dataset_id = record["dataset_id"]
        page = f"{root}/explore/dataset/{urllib.parse.quote(dataset_id)}/"
        raw = {"dataset_id": dataset_id, "dataset_uid": record.get("dataset_uid"),
               "root": root, "has_records": bool(record.get("has_records")),
               "features": sorted(record.get("features") or []),
               "attachments": record.get("attachments") or [], "metas": kept_metas}
        default = kept_metas.get("default") or {}
        return RemoteDataset(remote_id=dataset_id, remote_url=page,
                             modified=parse_date(default.get("modified")),
                             identifier=_meta(kept_metas, "dcat.identifier") or page, raw=raw)

    def _frequency(self, metas: dict[str, Any], config: dict[str, Any]) -> tuple[str, str]:
        paths = ((config["frequency_meta"],) if config.get("frequency_meta") else ()) \
            + _FREQUENCY_PATHS
        for path in paths:
            value = _meta(metas, path)
            if value:
                text = value if isinstance(value, str) else ", ".join(map(str, value))
                return vocab_ods.frequency(value), text
        return mapping.UNKNOWN, ""

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        raw = remote.raw
        metas = raw.get("metas") or {}
        default = metas.get("default") or {}
        dcat = metas.get("dcat") or {}
        code, text = self._frequency(metas, config)
        extras: dict[str, str] = {"update_frequency": code}
        if text:
            extras["remote_frequency"] = text
        if default.get("publisher"):
            extras["publisher"] = str(default["publisher"])
        themes = default.get("theme") or []
        if themes:
            extras["theme"] = ", ".join(map(str, themes if isinstance(themes, list)
                                            else [themes]))
        for bound, key in (("start", "temporal_coverage_start"),
                           ("end", "temporal_coverage_end")):
            parsed = parse_date(dcat.get(key))
            if parsed:
                extras[f"temporal_{bound}"] = parsed.date().isoformat()
        if dcat.get("spatial"):
            extras["spatial_zones"] = str(dcat["spatial"])
        modified = parse_date(default.get("modified"))
        if modified:
            extras["last_data_update"] = modified.date().isoformat()
        conforms_to = dcat.get("conforms_to")
        if isinstance(conforms_to, list):
            conforms_to = conforms_to[0] if conforms_to else None
        resources = []
        dataset_id = urllib.parse.quote(raw["dataset_id"])
        if raw.get("has_records"):
            for path, fmt, geo in EXPORTS:
                if geo and "geo" not in raw.get("features", []):
                    continue
                resource = {
                    "name": f"{default.get('title') or raw['dataset_id']} ({fmt})",
                    "url": f"{raw['root']}{CATALOG_PATH}/{dataset_id}/exports/{path}",
                    "format": fmt, "remote_id": f"{raw['dataset_id']}/exports/{path}",
                }
                if conforms_to:
                    resource["conforms_to"] = str(conforms_to)
                resources.append(resource)
        for attachment in raw.get("attachments") or []:
            if not isinstance(attachment, dict) or not attachment.get("id"):
                continue
            url = attachment.get("url") or (f"{raw['root']}{CATALOG_PATH}/{dataset_id}"
                                            f"/attachments/{attachment['id']}")
            if url.startswith("odsfile://"):
                url = f"{raw['root']}{CATALOG_PATH}/{dataset_id}/attachments/{attachment['id']}"
            resources.append({"name": attachment.get("title") or attachment["id"],
                              "url": url, "format": (attachment.get("mimetype") or "").upper()
                              .rsplit("/", 1)[-1], "description": "",
                              "remote_id": f"{raw['dataset_id']}/attachments/{attachment['id']}"})
        return {
            "title": default.get("title") or raw["dataset_id"],
            "name": raw["dataset_id"],
            "notes": html_to_text(default.get("description")),
            "url": remote.remote_url or "",
            "tags": clean_tags(default.get("keyword")),
            "license_id": mapping.map_licence(default.get("license"),
                                              default.get("license_url")),
            "resources": resources,
            "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
        }
