"""The DCAT-AP harvester: RDF/XML, Turtle or JSON-LD catalogues with Hydra paging."""
from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any, Callable, Iterator, Optional

import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

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

__all__ = ["TerritorialDcatHarvester", "parse_page", "next_page", "last_page",
           "total_items", "dataset_records",
           "licence", "RDF_FORMATS"]

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
SCHEMA = rdflib.Namespace("http://schema.org/")
LOCN = rdflib.Namespace("http://www.w3.org/ns/locn#")

#: Syntaxes read, with the media types and file extensions that announce them.
RDF_FORMATS = {
    "xml": (("application/rdf+xml", "application/xml", "text/xml"), (".rdf", ".xml", ".owl")),
    "turtle": (("text/turtle", "application/x-turtle", "text/n3"), (".ttl", ".n3")),
    "json-ld": (("application/ld+json", "application/json"), (".jsonld", ".json")),
}
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
_MIME_FORMATS = {
    "text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GeoJSON",
    "application/vnd.geo+json": "GeoJSON", "application/pdf": "PDF",
    "application/vnd.ms-excel": "XLS", "application/zip": "ZIP", "text/html": "HTML",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS", "application/xml": "XML",
    "text/xml": "XML", "application/rdf+xml": "RDF", "application/ld+json": "JSON-LD",
    "text/turtle": "TTL", "application/x-shapefile": "SHP", "text/plain": "TXT",
}
_LANGS = ("fr", None, "en")


# Parsing: bytes fetched by the HarvestClient only; rdflib never fetches anything.

def _format(configured: Optional[str], content_type: str, url: str, body: bytes) -> str:
    if configured:
        return configured
    media = content_type.split(";")[0].strip().lower()
    path = urllib.parse.urlsplit(url).path.lower()
    for fmt, (types, extensions) in RDF_FORMATS.items():
        if media in types:
            return fmt
    for fmt, (types, extensions) in RDF_FORMATS.items():
        if path.endswith(extensions):
            return fmt
    start = body.lstrip()[:1]
    return "xml" if start == b"<" else "json-ld" if start in (b"{", b"[") else "turtle"


def _remote_contexts(node: Any) -> bool:
    """Whether a JSON-LD document refers to a context or import it would have to fetch."""
    if isinstance(node, list):
        return any(_remote_contexts(item) for item in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key == "@context":
            contexts = value if isinstance(value, list) else [value]
            for context in contexts:
                if isinstance(context, str) or (isinstance(context, dict)
                                                and "@import" in context):
                    return True
        if _remote_contexts(value):
            return True
    return False


def parse_page(body: bytes, fmt: str, url: str) -> rdflib.Graph:
    """One catalogue page as a graph; ``HarvestFetchError`` when it is not valid ``fmt``
    or would make the parser fetch something (a remote JSON-LD context, a DTD)."""
    if fmt == "json-ld":
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise HarvestFetchError(tk._("{url} is not valid JSON-LD: {error}").format(
                url=url, error=error), url) from error
        if _remote_contexts(document):
            raise HarvestFetchError(tk._(
                "{url} uses a remote JSON-LD context; only self-contained documents are "
                "read (the harvester fetches nothing else)").format(url=url), url)
    elif fmt == "xml" and b"<!DOCTYPE" in body:
        raise HarvestFetchError(tk._(
            "{url} declares a DOCTYPE; RDF/XML with DTDs or entities is refused").format(
                url=url), url)
    graph = rdflib.Graph()
    try:
        graph.parse(data=body, format=fmt, publicID=url)
    except Exception as error:  # each rdflib parser raises its own kinds
        raise HarvestFetchError(tk._("{url} is not valid {format}: {error}").format(
            url=url, format=fmt, error=str(error)[:300]), url) from error
    return graph


def total_items(graph: rdflib.Graph) -> Optional[int]:
    """The ``hydra:totalItems`` a catalogue page announces (the largest), if any."""
    totals = []
    for value in graph.objects(None, HYDRA.totalItems):
        try:
            totals.append(int(str(value)))
        except ValueError:
            continue
    return max(totals) if totals else None


def last_page(graph: rdflib.Graph, url: str) -> Optional[str]:
    """The Hydra last page a catalogue page announces (``hydra:lastPage`` or ``hydra:last``)."""
    for predicate in (HYDRA.lastPage, HYDRA.last):
        for value in sorted(graph.objects(None, predicate), key=str):
            if str(value).strip():
                return urllib.parse.urljoin(url, str(value).strip())
    return None


def page_ids(graph: rdflib.Graph, url: str) -> set[str]:
    """The URLs a catalogue page gives itself (its Hydra collection or view)."""
    return {urllib.parse.urljoin(url, str(node))
            for kind in (HYDRA.PagedCollection, HYDRA.PartialCollectionView, HYDRA.Collection)
            for node in graph.subjects(RDF.type, kind) if isinstance(node, rdflib.URIRef)}


def next_page(graph: rdflib.Graph, url: str) -> Optional[str]:
    """The Hydra next page of a catalogue page (``hydra:nextPage`` or ``hydra:next``)."""
    for predicate in (HYDRA.nextPage, HYDRA.next):
        for value in sorted(graph.objects(None, predicate), key=str):
            if str(value).strip():
                return urllib.parse.urljoin(url, str(value).strip())
    return None


# Reading a dataset out of the graph into a JSON-able record.

def _pick(graph: rdflib.Graph, node: Any, predicate: Any) -> Optional[str]:
    """One text value, preferring French, then untagged, then English."""
    values = list(graph.objects(node, predicate))
    if not values:
        return None
    for lang in _LANGS:
        for value in values:
            if isinstance(value, rdflib.Literal) and value.language == lang:
                return str(value)
    return str(sorted(values, key=str)[0])


def _values(graph: rdflib.Graph, node: Any, predicate: Any) -> list[str]:
    """Every value (URIs as such, blank nodes by their label or identifier), sorted."""
    found = set()
    for value in graph.objects(node, predicate):
        if isinstance(value, rdflib.BNode):
            label = (_pick(graph, value, DCTERMS.identifier) or _pick(graph, value, RDF.value)
                     or _pick(graph, value, SKOS.prefLabel) or _pick(graph, value, RDFS.label)
                     or _pick(graph, value, DCTERMS.title)
                     or _pick(graph, value, LOCN.geographicName))
            if label:
                found.add(label)
        elif str(value).strip():
            found.add(str(value).strip())
    return sorted(found)


def _first(values: list[str]) -> Optional[str]:
    return values[0] if values else None


def _keywords(graph: rdflib.Graph, node: Any) -> list[str]:
    literals = [v for v in graph.objects(node, DCAT.keyword) if isinstance(v, rdflib.Literal)]
    for lang in ("fr",):
        chosen = [v for v in literals if v.language == lang]
        if chosen:
            return sorted({str(v) for v in chosen})
    chosen = [v for v in literals if v.language in (None, "en")] or literals
    return sorted({str(v) for v in chosen})


def _temporal(graph: rdflib.Graph, node: Any) -> dict[str, Optional[str]]:
    for period in graph.objects(node, DCTERMS.temporal):
        start = _pick(graph, period, DCAT.startDate) or _pick(graph, period, SCHEMA.startDate)
        end = _pick(graph, period, DCAT.endDate) or _pick(graph, period, SCHEMA.endDate)
        if start or end:
            return {"start": start, "end": end}
    return {}


def _format_of(graph: rdflib.Graph, node: Any) -> tuple[str, str]:
    """(format, media type) of a distribution from dct:format and dcat:mediaType."""
    media = ""
    for value in graph.objects(node, DCAT.mediaType):
        media = str(value)
        if media.startswith(_MEDIA_TYPE):
            media = media[len(_MEDIA_TYPE):]
    fmt = ""
    for value in graph.objects(node, DCTERMS.format):
        if isinstance(value, rdflib.BNode):
            text = _pick(graph, value, RDF.value) or _pick(graph, value, RDFS.label) or ""
        else:
            text = str(value)
        if text.startswith(_FILE_TYPE):
            fmt = text[len(_FILE_TYPE):]
        elif text.startswith(_MEDIA_TYPE):
            media = media or text[len(_MEDIA_TYPE):]
        elif "/" in text and "://" not in text:
            media = media or text
        elif text and "://" not in text:
            fmt = text.upper()
    if not fmt and media:
        fmt = _MIME_FORMATS.get(media.lower(), media.rsplit("/", 1)[-1].upper())
    return fmt, media


def _distribution(graph: rdflib.Graph, node: Any) -> dict[str, Any]:
    fmt, media = _format_of(graph, node)
    download = _values(graph, node, DCAT.downloadURL)
    access = _values(graph, node, DCAT.accessURL)
    identifier = _pick(graph, node, DCTERMS.identifier)
    return {
        "uri": str(node) if isinstance(node, rdflib.URIRef) else None,
        "identifier": identifier,
        "title": _pick(graph, node, DCTERMS.title),
        "description": _pick(graph, node, DCTERMS.description),
        "download_url": download[0] if download else None,
        "access_url": access[0] if access else None,
        "format": fmt, "media_type": media,
        "license": _first(_values(graph, node, DCTERMS.license)),
        "conforms_to": _values(graph, node, DCTERMS.conformsTo),
    }


def dataset_records(graph: rdflib.Graph) -> list[dict[str, Any]]:
    """Every dcat:Dataset of a page as a JSON-able record, in a stable order."""
    records = []
    # Typed datasets, and those a catalogue lists and describes without typing them
    # (a dataset only listed here may be described on another page).
    nodes = set(graph.subjects(RDF.type, DCAT.Dataset)) | {
        node for node in graph.objects(None, DCAT.dataset)
        if not isinstance(node, rdflib.Literal) and (node, DCTERMS.title, None) in graph}
    for node in sorted(nodes, key=str):
        distributions = [_distribution(graph, d) for d in graph.objects(node, DCAT.distribution)]
        distributions.sort(key=lambda d: (d["uri"] or d["identifier"] or d["download_url"]
                                          or d["access_url"] or ""))
        publisher = None
        for agent in graph.objects(node, DCTERMS.publisher):
            publisher = _pick(graph, agent, FOAF.name) or (
                str(agent) if isinstance(agent, rdflib.URIRef) else None)
        records.append({
            "uri": str(node) if isinstance(node, rdflib.URIRef) else None,
            "identifier": _pick(graph, node, DCTERMS.identifier),
            "title": _pick(graph, node, DCTERMS.title),
            "description": _pick(graph, node, DCTERMS.description),
            "keywords": _keywords(graph, node),
            "issued": _pick(graph, node, DCTERMS.issued),
            "modified": _pick(graph, node, DCTERMS.modified),
            "frequency": _first(_values(graph, node, DCTERMS.accrualPeriodicity)),
            "license": _first(_values(graph, node, DCTERMS.license)),
            "landing_page": _first(_values(graph, node, DCAT.landingPage)),
            "publisher": publisher,
            "themes": _values(graph, node, DCAT.theme),
            "temporal": _temporal(graph, node),
            "spatial": _values(graph, node, DCTERMS.spatial),
            "conforms_to": _values(graph, node, DCTERMS.conformsTo),
            "distributions": distributions,
        })
    return records


def licence(*values: Any) -> str:
    """The portal's licence id for DCAT licence values: the register's ids, titles, URLs
    and EU licence-authority URIs are recognised (``ckanext/suite/licences.py``)."""
    return mapping.map_licence(*values)


def _max_page_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1024:
        raise ValueError(tk._('"max_page_bytes" must be a whole number of bytes, at least 1024'))
    return value


def _rdf_format(value: Any) -> str:
    if value not in RDF_FORMATS:
        raise ValueError(tk._('"rdf_format" must be one of {choices}').format(
            choices=", ".join(RDF_FORMATS)))
    return value


class TerritorialDcatHarvester(TerritorialHarvester):
    """Harvests a DCAT-AP catalogue (RDF/XML, Turtle or JSON-LD), following Hydra paging.

    Config keys of its own: ``rdf_format`` (when the portal announces a wrong media type)
    and ``max_page_bytes`` (a cap per page below the site's ``harvest_max_bytes``).
    Pages are fetched by the SSRF-safe client and parsed from bytes: no remote JSON-LD
    context, DTD or import is ever fetched.
    """

    p.implements(IHarvester)

    PORTAL_KIND = "dcat"

    def info(self) -> dict[str, str]:
        return {"name": "territorial_dcat",
                "title": tk._("DCAT-AP partner catalogue"),
                "description": tk._("Datasets of a DCAT-AP catalogue in RDF/XML, Turtle or "
                                    "JSON-LD, with Hydra paging")}

    def portal_config_schema(self) -> dict[str, Callable[[Any], Any]]:
        return {"rdf_format": _rdf_format, "max_page_bytes": _max_page_bytes}

    def iter_remote(self, source_url: str, config: dict[str, Any], client: HarvestClient,
                    since: Optional[dt.datetime]) -> Iterator[RemoteDataset]:
        if config.get("max_page_bytes"):
            client.max_bytes = min(client.max_bytes, config["max_page_bytes"])
        url: Optional[str] = source_url
        seen: set[str] = set()
        accept = ", ".join(types[0] for types, _ext in RDF_FORMATS.values())
        listing = ListingCount(source_url)
        last: Optional[str] = None
        reached: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise HarvestFetchError(tk._("The paging of {url} does not end").format(
                    url=source_url), url)
            seen.add(url)
            body, headers = client.get_bytes(url, accept=accept)
            content_type = next((v for k, v in headers.items()
                                 if k.lower() == "content-type"), "")
            graph = parse_page(body, _format(config.get("rdf_format"), content_type, url,
                                             body), url)
            listing.announce(total_items(graph))
            last = last_page(graph, url) or last
            # The page's own Hydra id too: the first page is often read by another URL.
            reached.update(page_ids(graph, url) | {url})
            for remote in self.remote_datasets(graph, listing):
                yield remote
            url = next_page(graph, url)
        # A next page missing before the announced total or last page: a short listing.
        if last is not None and last not in reached:
            raise listing.stopped_before(last)
        listing.check()

    def remote_datasets(self, graph: rdflib.Graph,
                        listing: Optional[ListingCount] = None) -> Iterator[RemoteDataset]:
        """The datasets of one parsed catalogue page (counted in ``listing``)."""
        for record in dataset_records(graph):
            remote_id = record["identifier"] or record["uri"]
            if listing is not None:
                listing.saw(remote_id)
            if not remote_id:
                continue  # a blank node without identifier cannot be followed
            yield RemoteDataset(
                remote_id=remote_id, remote_url=record["landing_page"] or record["uri"],
                modified=parse_date(record["modified"]),
                identifier=record["identifier"] or record["uri"], raw=record)

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        raw = remote.raw
        distributions = raw.get("distributions") or []
        extras: dict[str, str] = {
            "update_frequency": vocab_ods.frequency(raw.get("frequency")),
            "remote_frequency": raw.get("frequency") or "",
            "dcat_identifier": raw.get("identifier") or raw.get("uri") or "",
        }
        if raw.get("uri"):
            extras["uri"] = raw["uri"]
        temporal = raw.get("temporal") or {}
        for bound in ("start", "end"):
            parsed = parse_date(temporal.get(bound))
            if parsed:
                extras[f"temporal_{bound}"] = parsed.date().isoformat()
        if raw.get("spatial"):
            extras["spatial_zones"] = ",".join(raw["spatial"])
        if raw.get("publisher"):
            extras["publisher"] = raw["publisher"]
        if raw.get("themes"):
            extras["theme"] = ",".join(raw["themes"])
        modified = parse_date(raw.get("modified"))
        if modified:
            extras["last_data_update"] = modified.date().isoformat()
        dataset_conforms = raw.get("conforms_to") or []
        if dataset_conforms:
            extras["conforms_to"] = dataset_conforms[0]
        resources = []
        for dist in distributions:
            url = dist.get("download_url") or dist.get("access_url")
            if not url:
                continue
            resource = {
                "name": dist.get("title") or url.rsplit("/", 1)[-1] or url,
                "description": dist.get("description") or "",
                "url": url, "format": dist.get("format") or "",
                "remote_id": dist.get("uri") or dist.get("identifier") or url,
            }
            if dist.get("media_type"):
                resource["mimetype"] = dist["media_type"]
            if dist.get("access_url") and dist.get("download_url"):
                resource["access_url"] = dist["access_url"]
            conforms = _first(dist.get("conforms_to") or dataset_conforms)
            if conforms:
                resource["conforms_to"] = conforms
            resources.append(resource)
        licences = [raw.get("license")] + [d.get("license") for d in distributions]
        return {
            "title": raw.get("title") or remote.remote_id,
            "notes": raw.get("description") or "",
            "url": raw.get("landing_page") or raw.get("uri") or "",
            "tags": clean_tags(raw.get("keywords")),
            "license_id": licence(*licences),
            "resources": resources,
            "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
        }
