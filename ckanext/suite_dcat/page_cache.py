"""The Turtle catalogue page from per-dataset fragments kept in Redis."""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import re
from importlib.metadata import version
from typing import Any, Optional

import ckan.plugins.toolkit as tk
import rdflib
from ckan.lib.redis import connect_to_redis
from ckan.types import Context, DataDict
from rdflib import BNode, URIRef
from rdflib.namespace import Namespace
from redis.exceptions import RedisError

from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import DCAT_EXPOSE_SUBCATALOGS, catalog_uri
from ckanext.suite.dcat_profiles import ProfilesLoadedOnce
from ckanext.suite_dcat import fast_writing, lookups, page_search, turtle_writer

__all__ = ["applies", "catalogue_page", "warm", "Warmed", "write_for", "KEY_PREFIX"]

log = logging.getLogger(__name__)

DCAT = Namespace("http://www.w3.org/ns/dcat#")
#: Fragments are stored under this prefix, then the digest of everything they are made of.
KEY_PREFIX = "ckanext-suite_dcat:fragment:"
#: Raised when the profile's output changes without its inputs changing (new code).
FRAGMENT_VERSION = "1"
#: Settings the profiles read besides the dataset: the fragments' URIs, language, profiles.
_SETTINGS = ("ckan.site_url", "ckanext.dcat.base_uri", "ckanext.dcat.rdf.profiles",
             "ckan.locale_default", "ckanext.dcat.compatibility_mode",
             "scheming.dataset_schemas")
_PREFIX = re.compile(r"^@prefix (\S*): <([^>]*)> \.$")


class _PageSerializer(ProfilesLoadedOnce, RDFSerializer):
    """ckanext-dcat's serializer, its profile classes looked up once per process and
    given ``fast_writing``'s date path."""

    def _load_profiles(self, profile_names: list[str]) -> list[Any]:
        return [fast_writing.faster(profile) for profile in super()._load_profiles(profile_names)]


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[str, ...]:
    """The versions of the libraries that write the fragments."""
    return version("ckanext-dcat"), version("rdflib"), version("pyoxigraph")


def _seconds() -> int:
    return tk.config["ckanext.suite_dcat.page_cache_seconds"]


def applies(checked: DataDict) -> bool:
    """Whether this catalogue request is written from cached fragments: Turtle, the cache
    on, and no sub-catalogues (which ckanext-dcat writes across datasets)."""
    return (checked.get("format") == "ttl" and _seconds() > 0
            and not tk.asbool(tk.config.get(DCAT_EXPOSE_SUBCATALOGS)))


def catalogue_page(context: Context, checked: DataDict) -> str:
    """The Turtle page ckanext-dcat would write: the catalogue and its paging, then each
    dataset's fragment, from Redis or written now and stored."""
    found = page_search.search(context, checked)
    datasets = found["results"]
    serializer = _PageSerializer(profiles=checked.get("profiles"))
    with lookups.page_scope(datasets):
        head = serializer.serialize_catalog(
            {}, None, _format="ttl", pagination_info=page_search.paging(found, checked["page"]))
        fragments, _cached = _fragments(serializer, datasets)
    return _assemble([head, *fragments])


@dataclasses.dataclass
class Warmed:
    """What ``warm`` did to one catalogue page."""

    #: Datasets in the whole catalogue (the pages to warm).
    count: int
    #: Fragments written now, and fragments found in Redis and kept another period.
    written: int
    kept: int


def warm(page: int) -> Warmed:
    """Write the fragments of one catalogue page that Redis does not hold, and keep
    those it holds for another ``page_cache_seconds``, as an anonymous visitor's
    request for the page would find them. Run over every page (``ckan suite-dcat
    warm``), so that those who walk the catalogue find its pages warm."""
    checked = {"page": page, "format": "ttl"}
    found = page_search.search({"user": "", "auth_user_obj": None}, checked)
    datasets = found["results"]
    with lookups.page_scope(datasets):
        serializer = _visitor_serializer(found["count"])
        fragments, cached = _fragments(serializer, datasets, keep_cached=True)
    return Warmed(found["count"], len(fragments) - cached, cached)


def write_for(ids: list[str]) -> int:
    """Write the fragments of these datasets that Redis does not hold, as an anonymous
    visitor's page will look them up, and keep the others another period; return how
    many were written. Datasets no page lists (private, deleted, harvest sources) get
    none."""
    datasets = page_search.search_ids(ids)
    if not datasets:
        return 0
    with lookups.page_scope(datasets):
        serializer = _visitor_serializer(len(datasets))
        fragments, cached = _fragments(serializer, datasets, keep_cached=True)
    return len(fragments) - cached


def _visitor_serializer(count: int) -> "_PageSerializer":
    """A serializer holding the head of an anonymous visitor's page of a catalogue of
    ``count`` datasets: the head binds the page's prefixes, which the fragments depend
    on (Hydra's only with paging links, whose URLs, which need a request, do not matter
    here)."""
    serializer = _PageSerializer()
    paging = {"count": count, "items_per_page": page_search.per_page(),
              **{link: catalog_uri() for link in ("current", "first", "last")}}
    serializer.serialize_catalog({}, None, _format="ttl", pagination_info=paging if count else {})
    return serializer


def _fragments(serializer: RDFSerializer, datasets: list[dict[str, Any]],
               keep_cached: bool = False) -> tuple[list[str], int]:
    """Each dataset's fragment, in the datasets' order, and how many came from Redis: the
    others are written now and stored; ``keep_cached``: those found are kept another
    period."""
    namespaces = {prefix: str(uri) for prefix, uri in serializer.g.namespaces()}
    setting = _settings_fingerprint(namespaces)
    keys = [_key(dataset, setting) for dataset in datasets]
    cached = _get(keys)
    written = {key: _written(serializer, dataset, namespaces)
               for key, dataset in zip(keys, datasets) if key not in cached}
    _put(written, keep=list(cached) if keep_cached else None)
    return [cached.get(key) or written[key] for key in keys], len(cached)


def _settings_fingerprint(namespaces: dict[str, str]) -> str:
    """What every fragment depends on besides its dataset: code, settings, prefixes."""
    settings = {name: tk.config.get(name) for name in _SETTINGS}
    return json.dumps([FRAGMENT_VERSION, _versions(), catalog_uri(), settings,
                       sorted(namespaces.items())],
                      sort_keys=True, default=str)


def _key(dataset: dict[str, Any], setting: str) -> str:
    """The dataset's fragment key: its id, then a digest of its indexed dict, of what the
    profile looks up for it (provenance, owner service) and of the settings."""
    # The indexed dict keeps its keys' order: a reindex that changes only the order
    # costs a new fragment, no wrong one.
    inputs = json.dumps([setting, dataset, lookups.provenance(dataset),
                         lookups.service(dataset)], default=str)
    return f"{KEY_PREFIX}{dataset['id']}:{hashlib.sha256(inputs.encode()).hexdigest()}"


class _FragmentGraph(rdflib.Graph):
    """The graph of one dataset's fragment. It binds no prefix: the fragment is written
    with the page's prefixes (``namespaces``), and binding rdflib's and the profiles'
    own for every dataset was a tenth of a fragment's time."""

    def __init__(self) -> None:
        # (rdflib's store without named graphs would be faster, but its lookups iterate
        # over the live index, and DCAT-AP 3's profile adds triples while iterating.)
        super().__init__(bind_namespaces="none")

    def bind(self, prefix: Any, namespace: Any, override: bool = True,
             replace: bool = False) -> None:
        return None


def _written(serializer: RDFSerializer, dataset: dict[str, Any],
             namespaces: dict[str, str]) -> str:
    """One dataset's Turtle, with its link from the catalogue, as the profiles write it."""
    serializer.g = _FragmentGraph()
    dataset_ref = serializer.graph_from_dataset(dataset)
    serializer.g.add((URIRef(catalog_uri()), DCAT.dataset, dataset_ref))
    _relabel_blank_nodes(serializer.g, dataset["id"])
    prefixes, body = _split(turtle_writer.turtle(serializer.g, namespaces))
    # The writer declares every namespace of the page; the fragment, those it uses.
    return "".join(f"@prefix {prefix}: <{uri}> .\n" for prefix, uri in sorted(prefixes.items())
                   if f"{prefix}:" in body) + "\n" + body


def _relabel_blank_nodes(graph: rdflib.Graph, dataset_id: str) -> None:
    """Blank nodes named after the dataset, so that no two fragments share a label."""
    stem = "b" + re.sub(r"[^A-Za-z0-9]", "", dataset_id)
    labels: dict[BNode, BNode] = {}
    for triple in [t for t in graph if isinstance(t[0], BNode) or isinstance(t[2], BNode)]:
        graph.remove(triple)
        graph.add(tuple(labels.setdefault(node, BNode(f"{stem}x{len(labels)}"))
                        if isinstance(node, BNode) else node for node in triple))


def _split(text: str) -> tuple[dict[str, str], str]:
    """The leading ``@prefix`` lines of a Turtle text (prefix to namespace) and the rest."""
    prefixes: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    for index, line in enumerate(lines):
        match = _PREFIX.match(line)
        if match:
            prefixes[match.group(1)] = match.group(2)
        elif line.strip():
            break
    return prefixes, "\n".join(lines[index:]).strip()


def _assemble(parts: list[str]) -> str:
    """One Turtle document: the prefixes the parts declare, once, then their statements."""
    prefixes: dict[str, str] = {}
    bodies = []
    for part in parts:
        declared, body = _split(part)
        prefixes.update(declared)
        bodies.append(body)
    header = "".join(f"@prefix {prefix}: <{uri}> .\n" for prefix, uri in sorted(prefixes.items()))
    return header + "\n" + "\n\n".join(body for body in bodies if body) + "\n"


def _get(keys: list[str]) -> dict[str, str]:
    """The fragments Redis holds for these keys; none when Redis cannot answer."""
    if not keys:
        return {}
    try:
        values = connect_to_redis().mget(keys)
    except (RedisError, OSError) as error:
        log.warning("DCAT fragments not read from Redis: %s", error)
        return {}
    return {key: value.decode("utf-8") if isinstance(value, bytes) else value
            for key, value in zip(keys, values) if value}


def _put(fragments: dict[str, str], keep: Optional[list[str]] = None) -> None:
    """Store fragments for the configured time, and keep those of ``keep`` as long
    again; Redis down only means no cache."""
    if not fragments and not keep:
        return
    try:
        with connect_to_redis().pipeline(transaction=False) as pipe:
            for key, fragment in fragments.items():
                pipe.set(key, fragment.encode("utf-8"), ex=_seconds())
            for key in keep or []:
                pipe.expire(key, _seconds())
            pipe.execute()
    except (RedisError, OSError) as error:
        log.warning("DCAT fragments not stored in Redis: %s", error)
