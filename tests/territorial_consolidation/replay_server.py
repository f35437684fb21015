"""A threaded HTTP server on 127.0.0.1 replaying recorded partner-portal answers, with faults."""
from __future__ import annotations

import copy
import json
import pathlib
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Iterator, Optional, Union

import rdflib
from rdflib.namespace import DCAT, RDF

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "partners"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")

# Fault kinds: every failure a dead, slow or lying partner can show.
FAULT_500 = "500"                    # an HTTP 500 answer
FAULT_503 = "503"                    # an HTTP 503 answer (retried by the client)
FAULT_STALL = "stall"                # headers and a first byte, then silence (timeout)
FAULT_TRUNCATED = "truncated"        # the first half of the body, well framed
FAULT_CUT = "cut"                    # the connection closes before the declared length
FAULT_INVALID = "invalid"            # a body that is not what the content type says
FAULT_HUGE = "huge"                  # a 200 MB page streamed without Content-Length
FAULT_HUGE_DECLARED = "huge-declared"  # the same with its Content-Length declared
FAULT_REDIRECT_METADATA = "redirect-metadata"  # 302 to the cloud metadata address
FAULT_REDIRECT_PRIVATE = "redirect-private"    # 302 to 10.0.0.1

HUGE_SIZE = 200 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass
class Reply:
    """One answer: a status, headers and a body (bytes, or chunks streamed one by one)."""

    status: int = 200
    body: Union[bytes, Iterable[bytes]] = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(data: Any) -> Reply:
    return Reply(body=json.dumps(data).encode("utf-8"), content_type="application/json")


Handler = Callable[[dict[str, str], "ReplayServer"], Reply]


@dataclass
class _Fault:
    kind: str
    query: dict[str, str]
    times: Optional[int]
    location: str = ""


class ReplayServer:
    """Serves routes (path → handler of the query) and records every request it receives.

    Faults replace a route's answer, for every request or for the first ``times`` ones,
    optionally only when the query holds given values (e.g. one page of a catalogue).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Handler] = {}
        self.faults: dict[str, list[_Fault]] = {}
        #: "path?query" of every request received, in order.
        self.requests: list[str] = []
        #: Body bytes written per path (a streamed page stops when the client hangs up).
        self.bytes_sent: dict[str, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> "ReplayServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def add(self, path: str, reply: Reply) -> None:
        self.routes[path] = lambda query, server: reply

    def fault(self, path: str, kind: str, *, times: Optional[int] = None,
              query: Optional[dict[str, str]] = None, location: str = "") -> None:
        """Answer ``path`` with a fault (every time, or the first ``times`` times)."""
        self.faults.setdefault(path, []).append(_Fault(kind, query or {}, times, location))

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests_to(self, path: str) -> list[str]:
        return [r for r in self.requests if r.split("?")[0] == path]

    # Serving

    def _take_fault(self, path: str, query: dict[str, str]) -> Optional[_Fault]:
        with self._lock:
            for fault in self.faults.get(path, []):
                if any(query.get(k) != v for k, v in fault.query.items()):
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault
        return None

    def _answer(self, path: str, query: dict[str, str]) -> tuple[Reply, Optional[_Fault]]:
        handler = self.routes.get(path)
        reply = handler(query, self) if handler else Reply(
            status=404, body=b'{"message": "not found"}')
        return reply, self._take_fault(path, query)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append(self.path)
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
                reply, fault = server._answer(parts.path, query)
                try:
                    self._send(parts.path, reply, fault)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up, as it should on an oversized page

            def _head(self, status: int, content_type: str, length: Optional[int],
                      headers: Optional[dict[str, str]] = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()

            def _write(self, path: str, data: bytes) -> None:
                self.wfile.write(data)
                with server._lock:
                    server.bytes_sent[path] = server.bytes_sent.get(path, 0) + len(data)

            def _send(self, path: str, reply: Reply, fault: Optional[_Fault]) -> None:
                body = reply.body if isinstance(reply.body, bytes) else b"".join(reply.body)
                if fault is None:
                    self._head(reply.status, reply.content_type, len(body), reply.headers)
                    self._write(path, body)
                    return
                kind = fault.kind
                if kind in (FAULT_500, FAULT_503):
                    error = b'{"message": "Internal Server Error"}'
                    self._head(int(kind), "application/json", len(error))
                    self._write(path, error)
                elif kind == FAULT_STALL:
                    self._head(200, reply.content_type, len(body))
                    self._write(path, body[:1])
                    self.wfile.flush()
                    server._stop.wait(30)
                elif kind == FAULT_TRUNCATED:
                    half = body[:len(body) // 2]
                    self._head(200, reply.content_type, len(half))
                    self._write(path, half)
                elif kind == FAULT_CUT:
                    self._head(200, reply.content_type, len(body))
                    self._write(path, body[:len(body) // 2])
                    self.close_connection = True
                elif kind == FAULT_INVALID:
                    junk = b"<html><body>Service temporairement indisponible</body>"
                    self._head(200, reply.content_type, len(junk))
                    self._write(path, junk)
                elif kind in (FAULT_HUGE, FAULT_HUGE_DECLARED):
                    declared = HUGE_SIZE if kind == FAULT_HUGE_DECLARED else None
                    self._head(200, reply.content_type, declared)
                    for chunk in huge_body(HUGE_SIZE):
                        if server._stop.is_set():
                            break
                        self._write(path, chunk)
                else:  # redirects
                    location = fault.location or {
                        FAULT_REDIRECT_METADATA: "http://169.254.169.254/latest/meta-data/",
                        FAULT_REDIRECT_PRIVATE: "http://10.0.0.1/api/",
                    }[kind]
                    self._head(302, "text/plain", 0, {"Location": location})

        return _Handler


def huge_body(size: int) -> Iterator[bytes]:
    """A JSON page of ``size`` bytes made of whitespace, produced chunk by chunk."""
    yield b'{"data": ['
    sent = 10
    blank = b" " * _CHUNK
    while sent < size:
        yield blank
        sent += _CHUNK


# udata (data.gouv.fr API v1)

def udata_recorded() -> dict[str, Any]:
    return json.loads((FIXTURES / "udata" / "datagouv_api1_dataset_metadata.json").read_text())


def udata_record(index: int, **overrides: Any) -> dict[str, Any]:
    """The recorded data.gouv.fr dataset, copy ``index``: own id, slug, title and
    resource ids (derived), other fields as recorded unless overridden."""
    record = udata_recorded()
    if index:
        record["id"] = f"{record['id'][:-4]}{index:04x}"
        record["slug"] = f"{record['slug']}-{index}"
        record["title"] = f"{record['title']} ({index})"
        record["page"] = f"https://www.data.gouv.fr/fr/datasets/{record['slug']}/"
        record["uri"] = f"https://www.data.gouv.fr/api/1/datasets/{record['slug']}/"
        for resource in record["resources"]:
            resource["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                            f"{record['id']}/{resource['id']}"))
    record.update(overrides)
    return record


class Lies:
    """What a lying partner may do to its listing, all off by default: announce a total
    other than the records' number, answer empty pages from the ``empty_from``-th record
    on, stop its next-page links after page ``last_page``, or show the first page's
    records on every page."""

    announce: Optional[int] = None
    empty_from: Optional[int] = None
    last_page: Optional[int] = None
    repeat = False

    def total(self, records: list[Any]) -> int:
        return len(records) if self.announce is None else self.announce

    def listed(self, records: list[Any], start: int, size: int) -> list[Any]:
        if self.empty_from is not None and start >= self.empty_from:
            return []
        return records[:size] if self.repeat else records[start:start + size]

    def more_after(self, page: int) -> bool:
        return self.last_page is None or page < self.last_page


class UdataPortal(Lies):
    """data.gouv.fr's API v1 dataset listings (by organization, or ``?organization=`` /
    ``?owner=``), paged with ``page``/``page_size`` and ``next_page`` links."""

    def __init__(self, server: ReplayServer, records: list[dict[str, Any]],
                 page_size: int = 2) -> None:
        self.server = server
        self.records = records
        self.page_size = page_size
        server.route("/api/1/datasets/", self._datasets)
        for org in {r["organization"]["id"] for r in records if r.get("organization")}:
            self.route_organization(org)

    def route_organization(self, org: str) -> None:
        self.server.route(f"/api/1/organizations/{org}/datasets/",
                          lambda query, server: self._page(query, org=org))

    def _datasets(self, query: dict[str, str], server: ReplayServer) -> Reply:
        return self._page(query, org=query.get("organization"), owner=query.get("owner"))

    def _page(self, query: dict[str, str], org: Optional[str] = None,
              owner: Optional[str] = None) -> Reply:
        records = [r for r in self.records
                   if (org is None or (r.get("organization") or {}).get("id") == org)
                   and (owner is None or (r.get("owner") or {}).get("id") == owner)]
        page = int(query.get("page") or 1)
        size = int(query.get("page_size") or self.page_size)
        start = (page - 1) * size
        next_page = None
        if start + size < len(records) and self.more_after(page):
            # Real udata echoes every query parameter in its next_page link.
            next_query = urllib.parse.urlencode({**query, "page": page + 1, "page_size": size})
            path = (f"/api/1/organizations/{org}/datasets/" if org and "organization" not in query
                    else "/api/1/datasets/")
            next_page = self.server.url(f"{path}?{next_query}")
        return json_reply({"data": self.listed(records, start, size), "page": page,
                           "page_size": size, "total": self.total(records),
                           "next_page": next_page, "previous_page": None})


# OpenDataSoft (Explore API v2.1)

def ods_recorded() -> list[dict[str, Any]]:
    """The catalogue's recorded datasets: the list example, with the single-dataset
    example's licence where the list left it empty."""
    listed = json.loads((FIXTURES / "ods" / "catalog_datasets.example.json").read_text())
    single = json.loads((FIXTURES / "ods" / "catalog_dataset.example.json").read_text())
    records = []
    for record in listed["results"]:
        if record["dataset_id"] == single["dataset_id"]:
            record = single
        records.append(copy.deepcopy(record))
    return records


class OdsPortal(Lies):
    """The Explore API v2.1 catalogue, paged by ``limit``/``offset``; ``where`` understands
    ``<meta> = "value"`` on metas.default (a 400 otherwise, as ODS answers bad ODSQL)."""

    PATH = "/api/explore/v2.1/catalog/datasets"

    def __init__(self, server: ReplayServer, records: list[dict[str, Any]]) -> None:
        self.server = server
        self.records = records
        server.route(self.PATH, self._catalog)

    def _catalog(self, query: dict[str, str], server: ReplayServer) -> Reply:
        records = self.records
        where = query.get("where")
        if where:
            field_name, sep, value = where.partition("=")
            value = value.strip()
            if not sep or not (value.startswith('"') and value.endswith('"')):
                return Reply(status=400, body=b'{"error_code": "ODSQLError"}')
            field_name, value = field_name.strip(), value[1:-1]
            records = [r for r in records
                       if _ods_matches(r["metas"]["default"].get(field_name), value)]
        limit = int(query.get("limit") or 10)
        offset = int(query.get("offset") or 0)
        return json_reply({"total_count": self.total(records),
                           "results": self.listed(records, offset, limit)})


def _ods_matches(meta: Any, value: str) -> bool:
    return value in meta if isinstance(meta, list) else meta == value


# DCAT-AP

def dcat_fixed_turtle() -> str:
    """The recorded HealthDCAT-AP Turtle example with its two syntax errors fixed."""
    text = (FIXTURES / "dcat" / "ckanext-dcat_dataset_dcat-ap-full.ttl").read_text()
    return ("@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .\n"
            + text.replace("^^<<", "^^<"))


def dcat_graph() -> rdflib.Graph:
    """Both recorded DCAT examples in one graph: three datasets."""
    graph = rdflib.Graph()
    graph.parse(FIXTURES / "dcat" / "ckanext-dcat_catalog.rdf", format="xml")
    graph.parse(data=dcat_fixed_turtle(), format="turtle")
    return graph


def _describe(graph: rdflib.Graph, node: Any, into: rdflib.Graph, seen: set[Any]) -> None:
    """Copy the triples about ``node`` and, recursively, about the nodes it points to
    (blank nodes, distributions...), but not about other datasets."""
    if node in seen:
        return
    seen.add(node)
    for p, o in graph.predicate_objects(node):
        into.add((node, p, o))
        if (o, RDF.type, DCAT.Dataset) in graph or (o, RDF.type, DCAT.Catalog) in graph:
            continue
        if isinstance(o, (rdflib.BNode, rdflib.URIRef)) and (o, None, None) in graph:
            _describe(graph, o, into, seen)


RDF_FORMATS = {"xml": "application/rdf+xml", "turtle": "text/turtle",
               "json-ld": "application/ld+json"}


class DcatPortal(Lies):
    """A DCAT-AP catalogue at ``/catalog`` (``?page=N``), ``per_page`` datasets per page
    in one RDF syntax, with Hydra paging (``hydra:nextPage`` on a PagedCollection, or
    ``hydra:next`` on a PartialCollectionView)."""

    PATH = "/catalog"

    def __init__(self, server: ReplayServer, fmt: str = "xml", per_page: int = 2,
                 graph: Optional[rdflib.Graph] = None, hydra: str = "nextPage") -> None:
        self.server = server
        self.fmt = fmt
        self.per_page = per_page
        self.hydra = hydra
        # A last_page lie leaves hydra:last naming the real last page.
        self.graph = graph if graph is not None else dcat_graph()
        server.route(self.PATH, self._page)

    def datasets(self) -> list[Any]:
        return sorted(self.graph.subjects(RDF.type, DCAT.Dataset), key=str)

    def remove(self, uri: str) -> None:
        node = rdflib.URIRef(uri)
        for triple in list(self.graph.triples((node, None, None))):
            self.graph.remove(triple)

    def page_bytes(self, page: int) -> bytes:
        datasets = self.datasets()
        chosen = self.listed(datasets, (page - 1) * self.per_page, self.per_page)
        out = rdflib.Graph()
        out.bind("dcat", DCAT)
        out.bind("hydra", HYDRA)
        seen: set[Any] = set()
        catalog = rdflib.URIRef(self.server.url(self.PATH))
        out.add((catalog, RDF.type, DCAT.Catalog))
        for dataset in chosen:
            out.add((catalog, DCAT.dataset, dataset))
            _describe(self.graph, dataset, out, seen)
        last = max(1, -(-len(datasets) // self.per_page))
        this = rdflib.URIRef(self.server.url(f"{self.PATH}?page={page}"))
        more = page < last and self.more_after(page)
        if self.hydra == "nextPage":
            out.add((this, RDF.type, HYDRA.PagedCollection))
            out.add((this, HYDRA.totalItems, rdflib.Literal(self.total(datasets))))
            if more:
                out.add((this, HYDRA.nextPage,
                         rdflib.Literal(self.server.url(f"{self.PATH}?page={page + 1}"))))
        else:
            out.add((this, RDF.type, HYDRA.PartialCollectionView))
            out.add((this, HYDRA.last,
                     rdflib.URIRef(self.server.url(f"{self.PATH}?page={last}"))))
            if more:
                out.add((this, HYDRA.next,
                         rdflib.URIRef(self.server.url(f"{self.PATH}?page={page + 1}"))))
        return out.serialize(format=self.fmt, encoding="utf-8")

    def _page(self, query: dict[str, str], server: ReplayServer) -> Reply:
        page = int(query.get("page") or 1)
        return Reply(body=self.page_bytes(page), content_type=RDF_FORMATS[self.fmt])


# Reading what a harvest job did (jobs are run by harvest_setup.run_job).

def job_errors(job_id: str) -> list[str]:
    """Every gather and object error message recorded for a job."""
    from ckan import model
    from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError

    gather = [e.message for e in model.Session.query(HarvestGatherError)
              .filter_by(harvest_job_id=job_id)]
    objects = [e.message for e in model.Session.query(HarvestObjectError)
               .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
               .filter(HarvestObject.harvest_job_id == job_id)]
    return gather + objects


def snapshot(source_id: str) -> dict[str, tuple[Any, ...]]:
    """Each harvested dataset of a source by remote id: (state, private, title,
    metadata_modified, sorted resource ids), to tell whether anything changed."""
    from ckan import model
    from ckanext.territorial_consolidation.model.harvest import Provenance

    result = {}
    for prov in model.Session.query(Provenance).filter_by(harvest_source_id=source_id):
        package = model.Package.get(prov.package_id)
        if package is None:
            continue
        resources = sorted(r.id for r in package.resources_all if r.state == "active")
        result[prov.remote_id] = (package.state, package.private, package.title,
                                  package.metadata_modified, tuple(resources))
    return result


def dataset_of(source_id: str, remote_id: str) -> dict[str, Any]:
    """The local dataset (package_show) harvested from a remote dataset."""
    from ckan import model
    from ckan.tests import helpers
    from ckanext.territorial_consolidation.model.harvest import Provenance

    prov = (model.Session.query(Provenance)
            .filter_by(harvest_source_id=source_id, remote_id=remote_id).one())
    return helpers.call_action("package_show", id=prov.package_id)


def fields_of(package: dict[str, Any]) -> dict[str, Any]:
    """Extras and top-level fields of a package dict in one mapping (with or without
    scheming, the harvested fields end up in one of the two)."""
    values = {e["key"]: e["value"] for e in package.get("extras") or []}
    values.update({k: v for k, v in package.items() if k != "extras"})
    return values


def partner_marks(**config: Any) -> list[Any]:
    """The harvest tests' marks (see ``harvest_setup.MARKS``) with our three partner
    harvesters loaded, and extra config options (dots written as ``__``)."""
    import pytest

    from tests.territorial_consolidation import harvest_setup

    plugins = (f"{harvest_setup.PLUGINS} territorial_udata_harvester "
               "territorial_ods_harvester territorial_dcat_harvester")
    marks = [mark for mark in harvest_setup.MARKS
             if not (mark.name == "ckan_config" and mark.args[0] == "ckan.plugins")]
    marks.append(pytest.mark.ckan_config("ckan.plugins", plugins))
    for key, value in config.items():
        marks.append(pytest.mark.ckan_config(
            "ckanext.territorial_consolidation." + key, value))
    return marks
