"""Benchmark of postgres_search: rebuild rate and package_search latency at 10k and 100k datasets.

Run with `make bench` (or `.venv/bin/python bench/search.py [--sizes 10000,100000] [--reuse]`).
Datasets are generated straight into CKAN's tables (realistic French titles,
tags, organizations, groups, extras, resources), indexed with CKAN's own
`search-index rebuild` path, then queried in-process through the actions,
with `package_show` of one dataset measured in the same run as the yardstick.
"""
from __future__ import annotations

import argparse
import configparser
import io
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any, Callable

import sqlalchemy as sa
from ckanext.suite import licences  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNS = 200

WORDS = ("budget subventions délibérations équipements sportifs piscines gymnases "
         "transports vélo stationnement déchets collecte qualité air eau écoles "
         "cantine menus marchés publics voirie arbres parcs bibliothèques musées "
         "population naissances prénoms élections bureaux vote associations "
         "logement urbanisme permis construire accidents circulation bruit "
         "énergie consommation éclairage public wifi horaires mairie").split()
FORMATS = ("CSV", "JSON", "GeoJSON", "XLSX", "PDF", "ODS", "SHP")
LICENCES = ("odc-odbl", "cc-by", "cc-by-sa", "other-open", "cc-zero")
THEMES = ("Environnement", "Finances", "Mobilité", "Culture", "Éducation", "Santé")
#: French prose shipped with the suite, for descriptions with a realistic
#: vocabulary: a few frequent words and a long tail of rare ones.
PROSE_SOURCES = ("ckanext/opendata_governance/demo_data/demo.yaml",
                 "tests/fixtures/scdl/subventions/schema.json")


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Distinct words of the shipped prose plus the topic words, with Zipf weights."""
    import re

    words = set(WORDS)
    for source in PROSE_SOURCES:
        text = (ROOT / source).read_text(encoding="utf-8")
        words.update(w.lower() for w in re.findall(r"[^\W\d_]{3,}", text))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered, [1.0 / rank for rank in range(1, len(ordered) + 1)]


def _ini(db: str) -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{db}"
    main["ckan.plugins"] = "postgres_search"
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = ROOT / "bench" / "results" / f"{db}.ini"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as ini:
        parser.write(ini)
    return path


def _prepare_database(db: str, ini: pathlib.Path) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{db}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), db], check=True)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    for args in (["db", "init"], ["db", "upgrade", "-p", "postgres_search"]):
        subprocess.run([str(ckan), "-c", str(ini), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ")
                               for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _generate(session: Any, count: int, seed: int = 42) -> list[str]:
    """Insert `count` datasets with tags, groups, extras and resources; return their ids."""
    rng = random.Random(seed)
    vocabulary, weights = _vocabulary(rng)
    now = "2026-11-01 10:00:00"
    orgs = [(str(uuid.uuid4()), f"commune-{i:03d}", f"Commune n°{i}", True) for i in range(50)]
    groups = [(str(uuid.uuid4()), f"theme-{i}", theme, False) for i, theme in enumerate(THEMES)]
    tags = [(str(uuid.uuid4()), word) for word in sorted(set(WORDS))]
    packages, package_tags, members, extras, resources, ids = [], [], [], [], [], []
    for n in range(count):
        pid = str(uuid.uuid4())
        ids.append(pid)
        words = rng.sample(WORDS, 4)
        title = f"{words[0].capitalize()} et {words[1]} {2000 + n % 27}"
        notes = " ".join(rng.choices(vocabulary, weights, k=30)) + "."
        org = rng.choice(orgs)
        packages.append((pid, f"jeu-{n:06d}", title, notes, rng.choice(LICENCES), "active",
                         "dataset", org[0], "false", now, now, "Direction des données"))
        for tag in rng.sample(tags, rng.randint(2, 5)):
            package_tags.append((str(uuid.uuid4()), pid, tag[0], "active"))
        group = rng.choice(groups)
        members.append((str(uuid.uuid4()), pid, "package", group[0], "active", "public"))
        extras.append((str(uuid.uuid4()), pid, "theme", group[2], "active"))
        extras.append((str(uuid.uuid4()), pid, "update_frequency",
                       rng.choice(("MONTHLY", "ANNUAL", "IRREG")), "active"))
        for r in range(rng.randint(1, 3)):
            fmt = rng.choice(FORMATS)
            resources.append((str(uuid.uuid4()), pid, f"http://example.org/{n}/{r}.{fmt.lower()}",
                              fmt, f"Fichier {r + 1} {words[2]}", "", r, "active", now))
    cursor = session.connection().connection.cursor()
    _copy(cursor, '"group"', "id, name, title, is_organization, state, type, approval_status, "
          "created, description, image_url",
          [(g[0], g[1], g[2], g[3], "active", "organization" if g[3] else "group",
            "approved", now, "", "") for g in orgs + groups])
    _copy(cursor, "tag", "id, name", tags)
    _copy(cursor, "package", "id, name, title, notes, license_id, state, type, owner_org, "
          "private, metadata_created, metadata_modified, author", packages)
    _copy(cursor, "package_tag", "id, package_id, tag_id, state", package_tags)
    _copy(cursor, "member", "id, table_id, table_name, group_id, state, capacity", members)
    _copy(cursor, "package_extra", "id, package_id, key, value, state", extras)
    _copy(cursor, "resource", "id, package_id, url, format, name, description, position, "
          "state, created", resources)
    session.commit()
    # Fresh statistics, as autovacuum would give a real portal.
    session.execute(sa.text("ANALYZE"))
    session.commit()
    return ids


def _timed(fn: Callable[[], Any], runs: int = RUNS) -> list[float]:
    fn()  # warm caches and connections
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _p(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100)[pct - 1]


def _index(ini: pathlib.Path, size: int, rates: dict[str, float]) -> None:
    """Index the generated datasets through core's two paths; record their rates."""
    from ckan import model
    from ckan.lib import search

    if size <= 20000:
        # One process, core's `search-index rebuild` code path.
        start = time.perf_counter()
        search.rebuild(defer_commit=True, quiet=True)
        search.commit()
        rates["rebuild, 1 process (datasets/s)"] = size / (time.perf_counter() - start)
    # `search-index rebuild-fast` (this backend's): one process per core, CLI start-up
    # included; first showing each dataset through package_show as core does, then
    # reading batches of datasets together (its default).
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    modes = [("rebuild-fast (datasets/s)", [])]
    if size <= 20000:
        modes.insert(0, ("rebuild-fast --one-by-one (datasets/s)", ["--one-by-one"]))
    for label, options in modes:
        search.clear_all()  # each mode fills an empty index
        model.Session.remove()
        start = time.perf_counter()
        subprocess.run([str(ckan), "-c", str(ini), "search-index", "rebuild-fast", "--restart",
                        *options], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rates[label] = size / (time.perf_counter() - start)
    model.Session.remove()
    indexed = model.Session.execute(
        sa.text("SELECT count(*) FROM postgres_search_document")).scalar()
    assert indexed == size, f"rebuild-fast indexed {indexed} of {size} datasets"
    model.Session.execute(sa.text("ANALYZE postgres_search_document"))
    model.Session.commit()


def _indexed_database(db: str, size: int) -> bool:
    """Whether ``db`` holds ``size`` datasets, all indexed (by an earlier run)."""
    engine = sa.create_engine(f"postgresql://ckan@127.0.0.1:5432/{db}")
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM package) = :size"
                " AND (SELECT count(*) FROM postgres_search_document) = :size"),
                {"size": size}).scalar())
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def measure(size: int, rng: random.Random, reuse: bool = False) -> dict[str, Any]:
    db = f"{os.environ.get('BENCH_DB', 'ckan_bench')}_{size}"
    ini = _ini(db)
    # Generating and indexing 100,000 datasets takes minutes: --reuse times the database
    # of an earlier run (its migrations brought up to date), without the rebuild rates.
    reused = reuse and _indexed_database(db, size)
    if not reused:
        _prepare_database(db, ini)

    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as tk

    make_app(load_config(str(ini)))
    from ckanext.postgres_search import backend

    store = backend.count_store()
    if store is not None:
        store.clear()  # the memory reported at the end is this run's alone

    rates: dict[str, float] = {}
    if reused:
        ckan = pathlib.Path(sys.executable).with_name("ckan")
        subprocess.run([str(ckan), "-c", str(ini), "db", "upgrade", "-p", "postgres_search"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ids = [row[0] for row in model.Session.execute(sa.text("SELECT id FROM package"))]
        model.Session.commit()
    else:
        ids = _generate(model.Session, size)
        _index(ini, size, rates)

    def context() -> dict[str, Any]:
        return {"user": "", "auth_user_obj": None, "ignore_auth": False}

    search_action = tk.get_action("package_search")
    show = tk.get_action("package_show")
    orgs = [f"commune-{i:03d}" for i in range(50)]

    def free_text() -> Any:
        return search_action(context(), {"q": " ".join(rng.sample(WORDS, 2))})

    def text_and_filters() -> Any:
        return search_action(context(), {
            "q": rng.choice(WORDS),
            "fq": f'organization:"{rng.choice(orgs)}" res_format:"{rng.choice(FORMATS)}"'})

    def facets_and_filters() -> Any:
        return search_action(context(), {
            "fq": f'tags:"{rng.choice(WORDS)}" license_id:"{rng.choice(LICENCES)}"',
            "facet.field": ["organization", "tags", "res_format", "license_id", "groups"],
            "facet.limit": 50})

    def facets_only() -> Any:
        return search_action(context(), {
            "facet.field": ["organization", "tags", "res_format", "license_id", "groups"],
            "facet.limit": 50})

    def show_one() -> Any:
        return show(context(), {"id": rng.choice(ids)})

    def facets_after_a_write() -> list[float]:
        # The first landing page after an index write counts again: time that search only.
        samples = []
        for _ in range(20):
            model.Session.execute(sa.text(
                "UPDATE postgres_search_document SET indexed_ts = now()"
                " WHERE index_id = (SELECT index_id FROM postgres_search_document LIMIT 1)"))
            model.Session.commit()
            start = time.perf_counter()
            facets_only()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    timings = {name: _timed(fn) for name, fn in (
        ("package_show", show_one), ("free text", free_text),
        ("free text + 2 filters", text_and_filters),
        ("5 facets + 2 filters", facets_and_filters),
        ("5 facets, no filter", facets_only))}
    timings["5 facets, after a write"] = facets_after_a_write()
    entries, size_bytes = store.memory() if store else (0, 0)
    return {"size": size, "rebuild": rates, "timings": timings,
            "cache": {"entries": entries, "bytes": size_bytes}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated corpus sizes (default: 10000,100000)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the databases an earlier run generated and indexed,"
                             " instead of generating them again")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        # Each size runs in its own process: CKAN binds one database per process.
        print(json.dumps(measure(args.one, random.Random(7), args.reuse)))
        return 0
    results = []
    for size in args.sizes.split(","):
        print(f"generating, indexing and querying {size} datasets...", file=sys.stderr)
        output = subprocess.run([sys.executable, __file__, "--one", size]
                                + (["--reuse"] if args.reuse else []), check=True,
                                stdout=subprocess.PIPE, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))

    print()
    print(f"{'datasets':>9} | {'query':<23} | {'p50 ms':>7} | {'p95 ms':>7} | {'p50 ÷ show':>10}"
          f" | {'p95 ÷ show':>10}")
    print("-" * 81)
    for result in results:
        show_p50 = statistics.median(result["timings"]["package_show"])
        for name, samples in result["timings"].items():
            p50, p95 = statistics.median(samples), _p(samples, 95)
            print(f"{result['size']:>9} | {name:<23} | {p50:7.2f} | {p95:7.2f} | "
                  f"{p50 / show_p50:10.2f} | {p95 / show_p50:10.2f}")
        for name, rate in result["rebuild"].items():
            print(f"{result['size']:>9} | {name:<38} | {rate:7.0f}")
        cache = result["cache"]
        print(f"{result['size']:>9} | counts kept in Redis: {cache['entries']} entries,"
              f" {cache['bytes'] / 1024:.0f} KiB")
        print("-" * 81)
    if len(results) >= 2:
        small, large = results[0], results[-1]
        for name in ("free text", "free text + 2 filters", "5 facets + 2 filters",
                     "5 facets, no filter"):
            growth = (statistics.median(large["timings"][name]) /
                      statistics.median(small["timings"][name]))
            print(f"growth {small['size']}→{large['size']} ({name}): p50 × {growth:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
