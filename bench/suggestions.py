"""Benchmark of opening suggestions beside the /dataset page, on a portal of harvested peers.

Run with `.venv/bin/python bench/suggestions.py [--size 100000] [--runs 30]` (also part
of `make bench`). A database named `ckan_bench_suggestions` is dropped and re-created:
1,000 communes of one département (their territories), 90 % of the datasets harvested
from them (territory fields, provenance, resources declaring SCDL and national schemas
in `conforms_to`, tags), the rest in 49 local organizations, published reuses of some
peer datasets; the search index is built with core's `search-index rebuild-fast`. Then,
in one process and alternating, the anonymous `/dataset` page, the
`opening_suggestion_list` API call and the "À ouvrir" page of one commune are timed;
the target is suggestions' p50 ≤ 2 × the `/dataset` page's p50.
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
from werkzeug.test import Client
from ckanext.suite import licences  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
DB = f"{os.environ.get('BENCH_DB', 'ckan_bench')}_suggestions"
PLUGINS = "postgres_search opendata_governance reuse_tracker territorial_consolidation"
MIGRATED = ("postgres_search", "opendata_governance", "reuse_tracker",
            "territorial_consolidation")
PEERS = 1000
WORDS = ("budget subventions délibérations équipements sportifs piscines transports vélo "
         "stationnement déchets collecte qualité air eau écoles cantine menus marchés "
         "voirie arbres parcs bibliothèques population naissances prénoms élections "
         "logement covoiturage").split()
#: What harvested resources declare, as partner portals write it (versioned URLs).
SCHEMAS = (
    "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json",
    "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json",
    "https://schema.data.gouv.fr/schemas/scdl/budget/0.8.3/schema.json",
    "https://schema.data.gouv.fr/schemas/scdl/prenoms/1.1.6/schema.json",
    "https://schema.data.gouv.fr/schemas/scdl/equipements/0.1.5/schema.json",
    "https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/2.3.0/schema.json",
    "https://example.org/schemas/local/horaires.json",
)
NOW = "2026-11-01 10:00:00"


def _ini() -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{DB}"
    main["ckan.plugins"] = PLUGINS
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = ROOT / "bench" / "results" / f"{DB}.ini"
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
    _ckan(ini, "db", "init")
    for plugin in MIGRATED:
        _ckan(ini, "db", "upgrade", "-p", plugin)


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ")
                               .replace("\\", "\\\\") for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _territories(cursor: Any) -> None:
    rows = [("region:99", "99", "region", "Région d'essai", "region d essai", None,
             "{}", "{}"),
            ("departement:99", "99", "departement", "Département d'essai",
             "departement d essai", None, "{region:99}", "{region:99}")]
    for n in range(PEERS + 1):
        code = f"99{n:03d}" if n < PEERS else "98000"
        rows.append((f"commune:{code}", code, "commune", f"Commune {n}", f"commune {n}",
                     3000 + 17 * n, "{departement:99}", "{departement:99,region:99}"))
    _copy(cursor, "territorial_consolidation_territory",
          "id, code, level, name, search_name, population, parent_ids, ancestor_ids, "
          "origin, obsolete, created, modified",
          [(*row, "manual", "false", NOW, NOW) for row in rows])


def _generate(session: Any, size: int, seed: int = 42) -> None:
    """The territories, organizations, datasets, resources, tags and reuses."""
    rng = random.Random(seed)
    cursor = session.connection().connection.cursor()
    _territories(cursor)
    orgs = [(str(uuid.uuid4()), f"commune-{i:04d}", f"Commune {i}") for i in range(50)]
    harvest_org = (str(uuid.uuid4()), "catalogues-moissonnes", "Catalogues moissonnés")
    _copy(cursor, '"group"', "id, name, title, is_organization, state, type, "
          "approval_status, created, description, image_url",
          [(o[0], o[1], o[2], "true", "active", "organization", "approved", NOW, "", "")
           for o in orgs + [harvest_org]])
    # The measured organization stands for the last commune, the 1,000 others are peers.
    _copy(cursor, "territorial_consolidation_organization_territory",
          "organization_id, territory_id, modified", [(orgs[0][0], "commune:98000", NOW)])
    tags = [(str(uuid.uuid4()), word) for word in sorted(set(WORDS))]
    _copy(cursor, "tag", "id, name", tags)
    packages, package_tags, extras, resources, provenance, peer_ids = [], [], [], [], [], []
    harvested = size * 9 // 10
    for n in range(size):
        pid = str(uuid.uuid4())
        words = rng.sample(WORDS, 3)
        peer = n < harvested
        owner = harvest_org if peer else rng.choice(orgs[1:])
        packages.append((pid, f"jeu-{n:06d}", f"{words[0].capitalize()} {words[1]} {n}",
                         " ".join(rng.choices(WORDS, k=20)), "etalab-2.0", "active",
                         "dataset", owner[0], "false", NOW, NOW))
        for tag in rng.sample(tags, rng.randint(1, 4)):
            package_tags.append((str(uuid.uuid4()), pid, tag[0], "active"))
        for r in range(rng.randint(1, 2)):
            declared = rng.choice(SCHEMAS) if rng.random() < 0.3 else None
            resources.append((str(uuid.uuid4()), pid, f"https://data.example.org/{n}/{r}.csv",
                              "CSV", f"Fichier {r}", r, "active", NOW,
                              json.dumps({"conforms_to": declared}) if declared else None))
        if peer:
            code = f"99{n % PEERS:03d}"
            peer_ids.append(pid)
            extras += [(str(uuid.uuid4()), pid, "territory_code", code, "active"),
                       (str(uuid.uuid4()), pid, "territorial_level", "commune", "active")]
            provenance.append((pid, "source-99", "ckan", f"https://data.{code}.example.fr",
                               pid, "[]", NOW, code, "commune"))
    _copy(cursor, "package", "id, name, title, notes, license_id, state, type, owner_org, "
          "private, metadata_created, metadata_modified", packages)
    _copy(cursor, "package_tag", "id, package_id, tag_id, state", package_tags)
    _copy(cursor, "package_extra", "id, package_id, key, value, state", extras)
    _copy(cursor, "resource", "id, package_id, url, format, name, position, state, created, "
          "extras", resources)
    _copy(cursor, "territorial_consolidation_provenance",
          "package_id, harvest_source_id, portal_kind, portal_url, remote_id, "
          "resource_urls, harvested, territory_code, territorial_level", provenance)
    reuses = [(str(uuid.uuid4()), f"reutilisation-{i}", f"Réutilisation {i}",
               f"https://reuses.example.org/{i}") for i in range(200)]
    _copy(cursor, "reuse_tracker_reuse", "id, name, title, description, url, type, state, "
          "featured, created, modified, published, link_failures, extras",
          [(r[0], r[1], r[2], "", r[3], "application", "published", "false", NOW, NOW, NOW,
            0, "{}") for r in reuses])
    _copy(cursor, "reuse_tracker_reuse_dataset", "reuse_id, package_id, created",
          [(reuse[0], package, NOW) for reuse in reuses
           for package in rng.sample(peer_ids, 3)])
    session.commit()
    session.execute(sa.text("ANALYZE"))
    session.commit()


def measure(size: int, runs: int, keep: bool = False) -> dict[str, Any]:
    ini = _ini()
    if not keep:
        _prepare_database(ini)

    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as tk

    app = make_app(load_config(str(ini)))
    if not keep:
        _generate(model.Session, size)
        _ckan(ini, "search-index", "rebuild-fast")
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    token = tk.get_action("api_token_create")(
        {"user": site_user, "ignore_auth": True},
        {"user": site_user, "name": f"bench-{uuid.uuid4().hex[:8]}"})["token"]
    model.Session.remove()
    client = Client(app)

    def get(path: str, headers: dict[str, str]) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            return response
        return call

    answer = get("/api/3/action/opening_suggestion_list?organization_id=commune-0000",
                 {"Authorization": token})().get_json()["result"]
    top = answer["suggestions"][0]
    calls = {
        "/dataset page (anonymous)": get("/dataset/", {}),
        "opening_suggestion_list (API)": get(
            "/api/3/action/opening_suggestion_list?organization_id=commune-0000",
            {"Authorization": token}),
        "\"À ouvrir\" page": get("/fr/organization/to-open/commune-0000",
                                 {"Authorization": token}),
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()  # warm caches and connections
    # Alternating, so that the machine's load weighs on every measure alike.
    for _ in range(runs):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {"size": size, "timings": samples,
            "top": f"{top['title']} ({top['score']}): "
                   f"{next(r['text'] for r in top['reasons'] if r['kind'] == 'peers')}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100000, help="datasets (default 100000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each (default 30)")
    parser.add_argument("--keep", action="store_true",
                        help="time the portal a previous run left (same --size), skip seeding")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.size, args.runs, args.keep)))
        return 0
    print(f"generating, indexing and timing {args.size} datasets...", file=sys.stderr)
    # In its own process: CKAN binds one database per process.
    output = subprocess.run([sys.executable, __file__, "--one", "--size", str(args.size),
                             "--runs", str(args.runs), *(["--keep"] if args.keep else [])],
                            check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    baseline = statistics.median(result["timings"]["/dataset page (anonymous)"])
    print()
    print(f"{result['size']} datasets, {PEERS} peer communes; first suggestion: {result['top']}")
    print(f"{'measure':<32} | {'p50 ms':>8} | {'p95 ms':>8} | {'÷ /dataset p50':>14}")
    print("-" * 72)
    for name, samples in result["timings"].items():
        p50 = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{name:<32} | {p50:8.1f} | {p95:8.1f} | {p50 / baseline:14.2f}")
    print("-" * 72)
    ratio = statistics.median(result["timings"]["opening_suggestion_list (API)"]) / baseline
    print(f"target: suggestions p50 ≤ 2 × /dataset p50: {ratio:.2f} × "
          f"({'met' if ratio <= 2 else 'missed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
