"""Benchmark of the DCAT harvester's reading: ckanext-dcat's parser against the former
hand-written rdflib mapping, on the same generated catalogue, in one run.

Run with `.venv/bin/python bench/dcat_harvest.py [--size 2000] [--per-page 100]` (also
part of `make bench`). A DCAT-AP catalogue of `size` datasets (3 distributions each,
frequency, INSEE territory, licence, contact, schema) is generated in Turtle pages with
Hydra paging. Each version of `harvesters/dcat.py` (the former one read from git at
commit BASELINE, the current one) then does what the harvester does per page, in this
process, without HTTP or database (both identical for the two versions):

- first harvest: parse the page, list its datasets, hash each record, map it to a
  package dict (the import's part that differs);
- unchanged re-harvest: parse, list, hash and find every hash unchanged (the current
  version hashes each dataset's triples and reads no record; the old one read them all).

The old version runs a second time with its pages parsed as the current one parses them
(Oxigraph, `harvesters/rdf_parse.py`), to show what the reading alone costs. Prints the
median CPU time of RUNS runs of each, new ÷ old and new ÷ old parsed as new.
"""
from __future__ import annotations

import argparse
import importlib.util
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: The last commit with the hand-written mapping (fields_before.json was written on it).
BASELINE = "c8daf9c"
RUNS = 5
BASE = "https://partner.example/catalog"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCIES = ("MONTHLY", "ANNUAL", "DAILY", "WEEKLY", "IRREG")


def _page(start: int, count: int, size: int, per_page: int) -> bytes:
    graph = rdflib.Graph()
    number = start // per_page + 1
    this = rdflib.URIRef(f"{BASE}?page={number}")
    catalog = rdflib.URIRef(BASE)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((this, RDF.type, HYDRA.PagedCollection))
    graph.add((this, HYDRA.totalItems, rdflib.Literal(size)))
    if start + count < size:
        graph.add((this, HYDRA.nextPage, rdflib.Literal(f"{BASE}?page={number + 1}")))
    for index in range(start, start + count):
        ref = rdflib.URIRef(f"https://partner.example/dataset/{index}")
        graph.add((catalog, DCAT.dataset, ref))
        graph.add((ref, RDF.type, DCAT.Dataset))
        graph.add((ref, DCTERMS.identifier, rdflib.Literal(f"urn:partner:{index}")))
        graph.add((ref, DCTERMS.title, rdflib.Literal(f"Jeu de données {index}", lang="fr")))
        graph.add((ref, DCTERMS.description,
                   rdflib.Literal(f"Description du jeu {index}. " * 5, lang="fr")))
        for word in ("budget", "commune", f"mot{index % 50}"):
            graph.add((ref, DCAT.keyword, rdflib.Literal(word, lang="fr")))
        graph.add((ref, DCTERMS.modified, rdflib.Literal("2024-03-01", datatype=XSD.date)))
        graph.add((ref, DCTERMS.accrualPeriodicity,
                   rdflib.URIRef(f"{EU}frequency/{FREQUENCIES[index % 5]}")))
        graph.add((ref, DCTERMS.spatial,
                   rdflib.URIRef(f"http://id.insee.fr/geo/commune/{35000 + index % 300}")))
        graph.add((ref, DCAT.landingPage, rdflib.URIRef(f"https://partner.example/ds/{index}")))
        publisher = rdflib.BNode()
        graph.add((ref, DCTERMS.publisher, publisher))
        graph.add((publisher, FOAF.name, rdflib.Literal("Ville partenaire")))
        contact = rdflib.BNode()
        graph.add((ref, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Organization))
        graph.add((contact, VCARD.fn, rdflib.Literal("Direction des finances")))
        graph.add((contact, VCARD.hasEmail, rdflib.URIRef("mailto:finances@ville.example")))
        for number_, fmt in enumerate(("CSV", "JSON", "PDF")):
            dist = rdflib.URIRef(f"https://partner.example/dataset/{index}/resource/{number_}")
            graph.add((ref, DCAT.distribution, dist))
            graph.add((dist, RDF.type, DCAT.Distribution))
            graph.add((dist, DCTERMS.title, rdflib.Literal(f"Fichier {fmt}")))
            graph.add((dist, DCAT.downloadURL,
                       rdflib.URIRef(f"https://partner.example/files/{index}.{fmt.lower()}")))
            graph.add((dist, DCTERMS["format"], rdflib.URIRef(f"{EU}file-type/{fmt}")))
            graph.add((dist, DCTERMS.license, rdflib.URIRef(f"{EU}licence/ETALAB_2_0")))
            graph.add((dist, DCTERMS.conformsTo,
                       rdflib.URIRef("https://schema.data.gouv.fr/scdl/budget/schema.json")))
    return graph.serialize(format="turtle", encoding="utf-8")


def catalogue(size: int, per_page: int) -> list[bytes]:
    return [_page(start, min(per_page, size - start), size, per_page)
            for start in range(0, size, per_page)]


def _baseline_module() -> Any:
    """The hand-written version of harvesters/dcat.py, read from git."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show",
         f"{BASELINE}:ckanext/territorial_consolidation/harvesters/dcat.py"],
        check=True, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "dcat_baseline.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("dcat_baseline", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def harvest(module: Any, pages: list[bytes], known: dict[str, str]) -> float:
    """CPU seconds of this process to read every page (other load on a shared machine
    does not inflate them); maps the records not in ``known`` (hash by remote id), then
    records their hashes there."""
    harvester = module.TerritorialDcatHarvester()
    started = time.process_time()
    for body in pages:
        graph = module.parse_page(body, "turtle", BASE)
        for remote in harvester.remote_datasets(graph):
            # As the gather does: the content hash (of the fingerprint, where the
            # harvester gives one), and the content stored for a new or changed record.
            content = None if remote.fingerprint else remote.content({})
            digest = remote.content_hash({}, content)
            if known.get(remote.remote_id) != digest:
                content = content or remote.content({})
                harvester.to_package(remote, {})
                known[remote.remote_id] = digest
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=100)
    args = parser.parse_args()
    pages = catalogue(args.size, args.per_page)
    from ckanext.territorial_consolidation.harvesters import dcat as current
    # The hand-written mapping again, its pages parsed as the current harvester parses
    # them (Oxigraph): what ckanext-dcat's reading costs on its own.
    same_parse = _baseline_module()
    same_parse.parse_page = current.parse_page
    versions = {"hand-written (old)": _baseline_module(), "ckanext-dcat (new)": current,
                "old, parsed as new": same_parse}
    times: dict[tuple[str, str], list[float]] = {}
    for _run in range(RUNS):
        for name, module in versions.items():
            known: dict[str, str] = {}
            times.setdefault((name, "first"), []).append(harvest(module, pages, known))
            assert len(known) == args.size, (name, len(known))
            before = dict(known)
            times.setdefault((name, "unchanged"), []).append(harvest(module, pages, known))
            assert known == before, f"{name}: an unchanged record hashed differently"
    median = {key: statistics.median(values) for key, values in times.items()}
    old, new, same = versions
    print(f"DCAT harvester reading, {args.size} datasets in Turtle pages of {args.per_page}, "
          f"median of {RUNS} runs")
    print(f"{'harvest':<12}{old:>21}{new:>21}{'new ÷ old':>11}{same:>21}{'new ÷ it':>10}")
    for kind in ("first", "unchanged"):
        print(f"{kind:<12}{median[(old, kind)]:>20.2f}s{median[(new, kind)]:>20.2f}s"
              f"{median[(new, kind)] / median[(old, kind)]:>11.2f}"
              f"{median[(same, kind)]:>20.2f}s{median[(new, kind)] / median[(same, kind)]:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
