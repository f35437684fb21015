"""The DCAT-AP harvester: RDF/XML, Turtle or JSON-LD catalogues with Hydra paging."""
from __future__ import annotations

import datetime as dt
import functools
import json
import urllib.parse
from typing import Any, Callable, Iterator, Optional

import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.dcat.processors import RDFParser
from ckanext.harvest.interfaces import IHarvester
from ckanext.suite.dcat_profiles import ProfilesLoadedOnce
from ckanext.suite_dcat.profile import PROVENANCE_KEY

from ckanext.territorial_consolidation.harvesters import mapping, rdf_parse, vocab_ods
from ckanext.territorial_consolidation.harvesters.base import (RemoteDataset,
                                                               TerritorialHarvester)
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from ckanext.territorial_consolidation.harvesters.listing import ListingCount
from ckanext.territorial_consolidation.harvesters.rdf_fingerprint import Page
from ckanext.territorial_consolidation.harvesters.udata import (MAX_PAGES, clean_tags,
                                                                parse_date)

__all__ = ["TerritorialDcatHarvester", "parse_page", "next_page", "last_page",
           "total_items", "dataset_records",
           "licence", "RDF_FORMATS", "PROFILES"]

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")

#: Syntaxes read, with the media types and file extensions that announce them.
RDF_FORMATS = {
    "xml": (("application/rdf+xml", "application/xml", "text/xml"), (".rdf", ".xml", ".owl")),
    "turtle": (("text/turtle", "application/x-turtle", "text/n3"), (".ttl", ".n3")),
    "json-ld": (("application/ld+json", "application/json"), (".jsonld", ".json")),
}
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_MEDIA_TYPES = ("http://www.iana.org/assignments/media-types/",
                "https://www.iana.org/assignments/media-types/")
_MIME_FORMATS = {
    "text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GeoJSON",
    "application/vnd.geo+json": "GeoJSON", "application/pdf": "PDF",
    "application/vnd.ms-excel": "XLS", "application/zip": "ZIP", "text/html": "HTML",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS", "application/xml": "XML",
    "text/xml": "XML", "application/rdf+xml": "RDF", "application/ld+json": "JSON-LD",
    "text/turtle": "TTL", "application/x-shapefile": "SHP", "text/plain": "TXT",
}


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
    # A store without named graphs where the syntax has none: ckanext-dcat's profiles
    # make a few hundred lookups per dataset, and the context-aware store's bookkeeping
    # costs a third of them (rdflib's JSON-LD parser needs that store).
    graph = rdflib.Graph(store="Memory" if fmt == "json-ld" else "SimpleMemory")
    if rdf_parse.read_into(graph, body, fmt, url):
        return graph
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


# Reading the datasets of a page: ckanext-dcat's parser and profiles (DCAT-AP 3 and the
# suite's), then their dicts mapped to the JSON-able record the harvest object keeps.

#: ckanext-dcat profiles records are read with; ``suite_dcat`` reads back frequency,
#: territory, licence, schemas and provenance as the portal writes them.
PROFILES = ["euro_dcat_ap_3", "suite_dcat"]


class _PageParser(ProfilesLoadedOnce, RDFParser):
    """ckanext-dcat's parser over a graph already parsed by ``parse_page`` (its own
    ``parse`` would let rdflib fetch remote contexts), reading one dataset at a time, with
    each profile made once per page rather than once per dataset as its ``datasets()``
    does: making one looks the dataset schema up, and its licence register cache lives
    as long as the profile."""

    def __init__(self, graph: rdflib.Graph) -> None:
        super().__init__(profiles=PROFILES)
        self.g = graph
        self._page_profiles: Optional[list[Any]] = None

    def _profiles_of_page(self) -> list[Any]:
        if self._page_profiles is None:
            self._page_profiles = [
                profile_class(self.g, dataset_type=self.dataset_type,
                              compatibility_mode=self.compatibility_mode)
                for profile_class in self._profiles]
        return self._page_profiles

    def dataset(self, node: Any) -> dict[str, Any]:
        """ckanext-dcat's dict of one dataset, as its ``datasets()`` makes each."""
        dataset_dict: dict[str, Any] = {}
        for profile in self._profiles_of_page():
            profile.parse_dataset(dataset_dict, node)
        return dataset_dict

    def value(self, node: Any, predicate: Any) -> str:
        """One property of a dataset as the DCAT-AP profile reads it (literal language
        and fallbacks included), without reading the rest: the remote id of a record
        must not depend on whether it was read."""
        return self._profiles_of_page()[0]._object_value(node, predicate)


def _dataset_nodes(graph: rdflib.Graph) -> list[Any]:
    """Typed datasets, and those a catalogue lists and describes without typing them
    (a dataset only listed here may be described on another page; they get the type the
    profiles look for), in a stable order."""
    listed = {node for node in graph.objects(None, DCAT.dataset)
              if not isinstance(node, rdflib.Literal) and (node, DCTERMS.title, None) in graph}
    nodes = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)) | listed, key=str)
    for node in nodes:
        graph.add((node, RDF.type, DCAT.Dataset))
    return nodes


def _keywords(graph: rdflib.Graph, node: Any) -> list[str]:
    """Keywords in one language: French, else untagged or English (ckanext-dcat keeps
    every language's, which would mix them in the tags)."""
    literals = [v for v in graph.objects(node, DCAT.keyword) if isinstance(v, rdflib.Literal)]
    chosen = ([v for v in literals if v.language == "fr"]
              or [v for v in literals if v.language in (None, "en")] or literals)
    return sorted({str(v) for v in chosen})


def _file_format(fmt: Optional[str], media: Optional[str]) -> tuple[str, str]:
    """(format, media type) from ckanext-dcat's ``format`` and ``mimetype``: EU file-type
    or IANA URIs, media types, or labels as the partner wrote them."""
    fmt, media = (fmt or "").strip(), (media or "").strip()
    if media.startswith(_MEDIA_TYPES):
        media = media.split("/media-types/", 1)[1]
    if fmt.startswith(_FILE_TYPE):
        fmt = fmt[len(_FILE_TYPE):]
    elif fmt.startswith(_MEDIA_TYPES):
        media, fmt = media or fmt.split("/media-types/", 1)[1], ""
    elif "/" in fmt and "://" not in fmt:
        media, fmt = media or fmt, ""
    else:
        fmt = "" if "://" in fmt else fmt.upper()
    if not fmt and media:
        fmt = _MIME_FORMATS.get(media.lower(), media.rsplit("/", 1)[-1].upper())
    return fmt, media


def _json_list(value: Any) -> list[str]:
    """A list extra of ckanext-dcat (a JSON list in a string) as a list."""
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        return [value]
    return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]


def _resource(graph: rdflib.Graph, parsed: dict[str, Any],
              schemas: list[str]) -> Optional[dict[str, Any]]:
    url = parsed.get("download_url") or parsed.get("access_url") or parsed.get("url")
    if not url:
        return None
    # ckanext-dcat does not read a distribution's dct:identifier: some partners name
    # blank-node distributions by it.
    node = (rdflib.URIRef(parsed["uri"]) if parsed.get("uri")
            else rdflib.BNode(parsed.get("distribution_ref") or ""))
    identifier = graph.value(node, DCTERMS.identifier)
    fmt, media = _file_format(parsed.get("format"), parsed.get("mimetype"))
    resource = {
        "name": parsed.get("name") or url.rsplit("/", 1)[-1] or url,
        "description": parsed.get("description") or "",
        "url": url, "format": fmt,
        # Blank-node refs change at every parse: never an id.
        "remote_id": parsed.get("uri") or (str(identifier) if identifier else None) or url,
    }
    if media:
        resource["mimetype"] = media
    if parsed.get("access_url") and parsed.get("download_url"):
        resource["access_url"] = parsed["access_url"]
    conforms = parsed.get("conforms_to") or (schemas[0] if schemas else None)
    if conforms:
        resource["conforms_to"] = conforms
    return resource


def _record(graph: rdflib.Graph, node: Any, parsed: dict[str, Any]) -> dict[str, Any]:
    """The record of one dataset ckanext-dcat parsed: where it is, and the package dict
    the portal makes of it (never ckanext-dcat's dict as such: its extras would collide
    with the schema's fields)."""
    extras = {e["key"]: e["value"] for e in parsed.get("extras") or []}
    uri = str(node) if isinstance(node, rdflib.URIRef) else None
    identifier = extras.get("identifier") or None
    landing = parsed.get("url") or None
    frequency = extras.get("frequency") or parsed.get("update_frequency")
    modified = parse_date(extras.get("modified")) or parse_date(parsed.get("last_data_update"))
    schemas = _json_list(extras.get("conforms_to"))
    fields: dict[str, Any] = {
        "update_frequency": vocab_ods.frequency(frequency),
        "remote_frequency": extras.get("frequency") or "",
        "dcat_identifier": identifier or uri or "",
        "uri": uri or "",
        "temporal_start": _day(extras.get("temporal_start")),
        "temporal_end": _day(extras.get("temporal_end")),
        "spatial_zones": extras.get("spatial_uri") or extras.get("spatial_text") or "",
        "publisher": extras.get("publisher_name") or extras.get("publisher_uri") or "",
        "theme": ",".join(_json_list(extras.get("theme"))),
        "last_data_update": modified.date().isoformat() if modified else "",
        "conforms_to": schemas[0] if schemas else "",
        "territorial_level": parsed.get("territorial_level") or "",
        "territory_code": parsed.get("territory_code") or "",
    }
    resources = [r for r in (_resource(graph, d, schemas) for d in parsed.get("resources") or [])
                 if r]
    resources.sort(key=lambda r: r["remote_id"])
    package = {
        "title": parsed.get("title") or identifier or uri or "",
        "notes": parsed.get("notes") or "",
        "url": landing or uri or "",
        "tags": clean_tags(_keywords(graph, node)),
        "license_id": licence(parsed.get("license_id")),
        # The contact point (the suite writes its owner service's shared mailbox).
        "maintainer": extras.get("contact_name") or "",
        "maintainer_email": extras.get("contact_email") or "",
        "resources": resources,
        "extras": [{"key": k, "value": v} for k, v in fields.items() if v],
    }
    return {"uri": uri, "identifier": identifier, "landing_page": landing,
            "modified": modified.isoformat() if modified else None,
            "provenance": parsed.get(PROVENANCE_KEY), "package": package}


def _day(value: Any) -> str:
    parsed = parse_date(value)
    return parsed.date().isoformat() if parsed else ""


def dataset_records(graph: rdflib.Graph) -> list[dict[str, Any]]:
    """Every dataset of a page as a JSON-able record, in a stable order."""
    parser = _PageParser(graph)
    return [_record(graph, node, parser.dataset(node)) for node in _dataset_nodes(graph)]

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
        """The datasets of one parsed catalogue page (counted in ``listing``). Each is
        read through the profiles only when its record is wanted: an unchanged one is
        known by the fingerprint of its triples."""
        parser = _PageParser(graph)
        page = Page(graph)
        for node in _dataset_nodes(graph):
            uri = str(node) if isinstance(node, rdflib.URIRef) else None
            identifier = parser.value(node, DCTERMS.identifier) or None
            remote_id = identifier or uri
            if listing is not None:
                listing.saw(remote_id)
            if not remote_id:
                continue  # a blank node without identifier cannot be followed
            yield RemoteDataset(
                remote_id=remote_id,
                remote_url=parser.value(node, DCAT.landingPage) or uri,
                modified=parse_date(parser.value(node, DCTERMS.modified)),
                identifier=remote_id, fingerprint=page.fingerprint(node),
                read=functools.partial(_read, graph, node, parser))

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        # A copy for the import to change: the record is JSON (it is stored as such), and
        # a JSON round trip copies it several times faster than ``deepcopy``.
        return json.loads(json.dumps(remote.record()["package"]))


def _read(graph: rdflib.Graph, node: Any, parser: _PageParser) -> dict[str, Any]:
    return _record(graph, node, parser.dataset(node))
