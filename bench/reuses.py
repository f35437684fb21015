"""Benchmark of the reuse pages: the gallery and the dataset page's reuse block at 10,000 reuses.

Run with `.venv/bin/python bench/reuses.py [--reuses 10000 --datasets 5000 --runs 40]
[--keep]` (also part of `make bench`). Organizations, datasets with a resource, reuses and their
dataset links are written straight into the tables of a database named by `BENCH_DB`
(default `ckan_bench_reuses`, dropped and re-created) and the search index is rebuilt.
Two portals then serve that database side by side: one with `reuse_tracker`, one
without it. Requests alternate between them, so that both see the same machine load.

Targets (issue 6): the dataset page with the reuse block at most 1.15 x the same page
without the plugin; the gallery at most 2 x the core `/dataset` page.
"""
from __future__ import annotations

import argparse
import configparser
import io
import os
import pathlib
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import requests
import sqlalchemy as sa
from ckanext.suite import licences  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "ckan_bench_reuses")
WITH = "postgres_search reuse_tracker"
WITHOUT = "postgres_search"
WORDS = ("budget subventions délibérations équipements sportifs piscines transports vélo "
         "stationnement déchets collecte qualité air eau écoles cantine marchés voirie "
         "arbres parcs bibliothèques population naissances élections logement").split()
TYPES = ("application", "visualization", "api", "news_article", "paper", "idea",
         "hardware", "other")
TOPICS = ("transport_and_mobility", "environment_and_energy", "economy_and_business",
          "culture_and_recreation", "health", None)


def _ini(name: str, plugins: str) -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{DB}"
    main["ckan.plugins"] = plugins
    main["ckan.storage_path"] = str(ROOT / "bench" / "results" / "storage-reuses")
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = ROOT / "bench" / "results" / f"{DB}-{name}.ini"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as ini:
        parser.write(ini)
    return path


def _ckan(ini: pathlib.Path, *args: str) -> None:
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    subprocess.run([str(ckan), "-c", str(ini), *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _prepare_database(ini: pathlib.Path) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{DB}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), DB], check=True)
    for args in (("db", "init"), ("db", "upgrade", "-p", "postgres_search"),
                 ("db", "upgrade", "-p", "reuse_tracker")):
        _ckan(ini, *args)


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ")
                               .replace("\\", "\\\\") for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _generate(engine: Any, reuses: int, datasets: int, seed: int = 42) -> None:
    """Insert the organizations, datasets (one in ten private), reuses and their links."""
    rng = random.Random(seed)
    now = "2026-11-01 10:00:00"
    orgs = [(str(uuid.uuid4()), f"commune-{i:02d}", f"Commune n°{i}") for i in range(20)]
    packages, resources, package_ids = [], [], []
    for n in range(datasets):
        pid = str(uuid.uuid4())
        package_ids.append(pid)
        words = rng.sample(WORDS, 3)
        # One dataset in ten is private: the reuse block must filter them out.
        packages.append((pid, f"jeu-{n:05d}", f"{words[0].capitalize()} et {words[1]} {n}",
                         " ".join(rng.choices(WORDS, k=25)), "cc-by", "active", "dataset",
                         rng.choice(orgs)[0], "true" if n % 10 == 9 else "false", now, now))
        resources.append((str(uuid.uuid4()), pid, f"https://example.org/{n}.csv", "CSV",
                          f"Fichier {words[2]}", "", 0, "active", now))
    # A few datasets are reused a lot, most rarely: weights decrease with the rank.
    weights = [1 / (rank + 1) ** 0.5 for rank in range(datasets)]
    reuse_rows: list[tuple] = []
    links: list[tuple[str, str, str]] = []
    for n in range(reuses):
        rid = str(uuid.uuid4())
        state = "published" if n % 20 else rng.choice(("pending", "rejected", "archived"))
        created = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d} 12:00:00"
        words = rng.sample(WORDS, 3)
        reuse_rows.append((
            rid, f"reutilisation-{n:05d}", f"{words[0].capitalize()} : {words[1]} et {words[2]}",
            "Une **application** qui utilise " + " ".join(rng.choices(WORDS, k=20)),
            f"https://reuses.example.org/{n}", rng.choice(TYPES), rng.choice(TOPICS),
            state, "true" if n % 500 == 0 else "false", created, created,
            created if state != "pending" else None, 0, "{}"))
        chosen = set(rng.choices(range(datasets), weights, k=rng.randint(1, 6)))
        links.extend((rid, package_ids[index], created) for index in chosen)
    with engine.begin() as connection:
        cursor = connection.connection.cursor()
        _copy(cursor, '"group"', "id, name, title, is_organization, state, type, "
              "approval_status, created, description, image_url",
              [(o[0], o[1], o[2], True, "active", "organization", "approved", now, "", "")
               for o in orgs])
        _copy(cursor, "package", "id, name, title, notes, license_id, state, type, owner_org, "
              "private, metadata_created, metadata_modified", packages)
        _copy(cursor, "resource", "id, package_id, url, format, name, description, position, "
              "state, created", resources)
        _copy(cursor, "reuse_tracker_reuse", "id, name, title, description, url, type, topic, "
              "state, featured, created, modified, published, link_failures, extras",
              reuse_rows)
        _copy(cursor, "reuse_tracker_reuse_dataset", "reuse_id, package_id, created", links)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        # As autovacuum leaves a settled portal: statistics, and the visibility map that
        # lets index-only scans skip the table.
        connection.execute(sa.text(
            "VACUUM ANALYZE reuse_tracker_reuse, reuse_tracker_reuse_dataset"))
        connection.execute(sa.text("ANALYZE"))


def _existing(engine: Any, reuses: int, datasets: int) -> bool:
    """Whether the database already holds this corpus, indexed (for ``--keep``)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text(
                "SELECT (SELECT count(*) FROM reuse_tracker_reuse), "
                "(SELECT count(*) FROM package), "
                "(SELECT count(*) FROM postgres_search_document)")).one()
    except sa.exc.SQLAlchemyError:
        return False
    return tuple(found) == (reuses, datasets, datasets)


def _pages_to_time(engine: Any) -> dict[str, str]:
    """The public datasets to time: the most reused one and a median one, with their links."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT p.name, count(d.reuse_id) FROM package p "
            "LEFT JOIN reuse_tracker_reuse_dataset d ON d.package_id = p.id "
            "WHERE NOT p.private GROUP BY p.name ORDER BY 2 DESC, 1")).all()
        links = connection.execute(sa.text(
            "SELECT count(*) FROM reuse_tracker_reuse_dataset")).scalar()
    middle = rows[len(rows) // 2]
    return {"most reused": rows[0][0], "most reused links": str(rows[0][1]),
            "typical": middle[0], "typical links": str(middle[1]), "links": str(links)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(ini: pathlib.Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    process = subprocess.Popen(
        [str(ckan), "-c", str(ini), "run", "--host", "127.0.0.1", "--port", str(port),
         "--disable-reloader"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(url + "/api/3/action/status_show", timeout=2).ok:
                return process, url
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the portal of {ini.name} did not start")
        time.sleep(0.3)


def _p(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100)[pct - 1]


def _measure(pages: list[tuple[str, str, str]], runs: int) -> dict[str, list[float]]:
    """Time each (label, base URL, path) page ``runs`` times, round-robin across pages."""
    sessions = {base: requests.Session() for _label, base, _path in pages}
    samples: dict[str, list[float]] = {label: [] for label, _base, _path in pages}
    for label, base, path in pages:  # warm templates, caches and connections
        for _ in range(3):
            response = sessions[base].get(base + path, timeout=60)
            assert response.status_code == 200, (label, response.status_code)
    for _ in range(runs):
        for label, base, path in pages:
            start = time.perf_counter()
            response = sessions[base].get(base + path, timeout=60)
            samples[label].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (label, response.status_code)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuses", type=int, default=10000)
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database of a previous run when it holds the same corpus")
    args = parser.parse_args()

    with_ini, without_ini = _ini("with", WITH), _ini("without", WITHOUT)
    engine = sa.create_engine(f"postgresql://ckan@127.0.0.1:5432/{DB}")
    if args.keep and _existing(engine, args.reuses, args.datasets):
        print(f"set-up: kept the corpus of {DB}", file=sys.stderr)
    else:
        engine.dispose()
        phases = [time.perf_counter()]
        _prepare_database(with_ini)
        phases.append(time.perf_counter())
        _generate(engine, args.reuses, args.datasets)
        phases.append(time.perf_counter())
        _ckan(without_ini, "search-index", "rebuild-fast")
        phases.append(time.perf_counter())
        print(f"set-up: {args.reuses} reuses, {args.datasets} datasets: schema "
              f"{phases[1] - phases[0]:.1f} s, bulk insert {phases[2] - phases[1]:.1f} s, "
              f"search index (core rebuild-fast) {phases[3] - phases[2]:.1f} s",
              file=sys.stderr)
    names = _pages_to_time(engine)
    engine.dispose()

    servers = [_serve(with_ini), _serve(without_ini)]
    (_p1, on), (_p2, off) = servers
    popular, typical = names["most reused"], names["typical"]
    pages = [
        (f"dataset page, {names['most reused links']} reuses, plugin on", on,
         f"/dataset/{popular}"),
        (f"dataset page, {names['most reused links']} reuses, plugin off", off,
         f"/dataset/{popular}"),
        (f"dataset page, {names['typical links']} reuses, plugin on", on, f"/dataset/{typical}"),
        (f"dataset page, {names['typical links']} reuses, plugin off", off,
         f"/dataset/{typical}"),
        ("/reuses gallery", on, "/reuses"),
        ("/reuses?sort=datasets", on, "/reuses?sort=datasets"),
        ("/reuses?page=400", on, "/reuses?page=400"),
        ("/reuses?q=vélo&type=application", on, "/reuses?q=v%C3%A9lo&type=application"),
        ("core /dataset, plugin on", on, "/dataset"),
        ("core /dataset, plugin off", off, "/dataset"),
    ]
    try:
        samples = _measure(pages, args.runs)
    finally:
        for process, _url in servers:
            process.terminate()
            process.wait(timeout=10)

    width = max(len(label) for label, _base, _path in pages)
    print()
    print(f"{'page':<{width}} | {'p50 ms':>7} | {'p95 ms':>7}")
    print("-" * (width + 22))
    for label, _base, _path in pages:
        print(f"{label:<{width}} | {statistics.median(samples[label]):7.1f} | "
              f"{_p(samples[label], 95):7.1f}")

    def ratio(numerator: str, denominator: str) -> float:
        return statistics.median(samples[numerator]) / statistics.median(samples[denominator])

    labels = [label for label, _base, _path in pages]
    checks = [
        ("dataset page with block ÷ without plugin (most reused)", ratio(labels[0], labels[1]),
         1.15),
        ("dataset page with block ÷ without plugin (typical)", ratio(labels[2], labels[3]), 1.15),
        ("/reuses gallery ÷ core /dataset (plugin off)", ratio(labels[4], labels[9]), 2.0),
        ("/reuses gallery ÷ core /dataset (plugin on)", ratio(labels[4], labels[8]), 2.0),
    ]
    print()
    label_width = max(len(label) for label, _value, _target in checks)
    print(f"{'ratio of p50':<{label_width}} | {'value':>6} | {'target':>6} | verdict")
    print("-" * (label_width + 29))
    for label, value, target in checks:
        verdict = "ok" if value <= target else "MISSED"
        print(f"{label:<{label_width}} | {value:6.2f} | {target:6.2f} | {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
