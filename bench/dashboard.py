"""Benchmark of the governance dashboard: governance_dashboard and the CSV inventory at 1k and 10k datasets.

Run with `.venv/bin/python bench/dashboard.py [--sizes 1000,10000]` (also part
of `make bench`). Datasets, governance extras, tags, resources, owner services
and reviews are written straight into the tables of a database named
`ckan_bench_dashboard` (dropped and re-created for each size); the actions and
the CSV view are then timed in-process, as a sysadmin (every organization)
and for one organization.
"""
from __future__ import annotations

import argparse
import configparser
import datetime as dt
import io
import json
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
DB = "ckan_bench_dashboard"
PLUGINS = "postgres_search scheming_datasets opendata_governance"
WORDS = ("budget subventions délibérations équipements sportifs piscines transports vélo "
         "stationnement déchets collecte qualité air eau écoles cantine marchés voirie "
         "arbres parcs bibliothèques population naissances élections logement").split()
FREQUENCIES = ("MONTHLY", "ANNUAL", "QUARTERLY", "WEEKLY", "IRREG", "")
SERVICES = ("direction-des-finances", "direction-de-la-mobilite", "direction-de-l-environnement")


def _ini() -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{DB}"
    main["ckan.plugins"] = PLUGINS
    main["scheming.dataset_schemas"] = "ckanext.opendata_governance:schemas/dataset.yaml"
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = ROOT / "bench" / "results" / f"{DB}.ini"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as ini:
        parser.write(ini)
    return path


def _prepare_database(ini: pathlib.Path) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{DB}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), DB], check=True)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    for args in (["db", "init"], ["db", "upgrade", "-p", "postgres_search"],
                 ["db", "upgrade", "-p", "opendata_governance"]):
        subprocess.run([str(ckan), "-c", str(ini), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ")
                               .replace("\\", "\\\\") for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _generate(session: Any, count: int, seed: int = 42) -> None:
    """Insert `count` datasets over 50 organizations, with services, extras and reviews."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 1, 10, 0)
    today = dt.date.today()
    orgs = [(str(uuid.uuid4()), f"commune-{i:03d}", f"Commune n°{i}") for i in range(50)]
    services = [(str(uuid.uuid4()), org[0], name, name.replace("-", " ").capitalize(),
                 True, now, now) for org in orgs for name in SERVICES]
    tags = [(str(uuid.uuid4()), word) for word in sorted(set(WORDS))]
    json_extras = "extras" in {c["name"] for c in sa.inspect(session.bind).get_columns("package")}
    packages, package_tags, extras, resources, reviews = [], [], [], [], []
    for n in range(count):
        pid = str(uuid.uuid4())
        org = rng.choice(orgs)
        words = rng.sample(WORDS, 3)
        values = {
            "owner_service": rng.choice(SERVICES + ("",)),
            "update_frequency": rng.choice(FREQUENCIES),
            "last_data_update": (today - dt.timedelta(days=rng.randint(0, 800))).isoformat(),
            "data_steward": rng.choice(("donnees@example.org", "")),
            "contains_personal_data": rng.choice(("true", "false")),
        }
        values = {key: value for key, value in values.items() if value}
        row = [pid, f"jeu-{n:06d}", f"{words[0].capitalize()} et {words[1]} {2000 + n % 27}",
               " ".join(rng.choices(WORDS, k=20)), rng.choice(("cc-by", "odc-odbl", "")),
               "active", "dataset", org[0], rng.choice(("true", "false")), now, now]
        if json_extras:
            row.append(json.dumps(values, ensure_ascii=False))
        else:
            extras.extend((str(uuid.uuid4()), pid, key, value, "active")
                          for key, value in values.items())
        packages.append(tuple(row))
        for tag in rng.sample(tags, rng.randint(0, 4)):
            package_tags.append((str(uuid.uuid4()), pid, tag[0], "active"))
        for r in range(rng.randint(0, 3)):
            resources.append((str(uuid.uuid4()), pid, f"http://example.org/{n}/{r}.csv",
                              "CSV", f"Fichier {r + 1}", "", r, "active", now))
        if rng.random() < 0.3:
            created = now - dt.timedelta(hours=rng.randint(1, 2000))
            state = rng.choice(("submitted", "approved", "rejected"))
            decided = created + dt.timedelta(hours=rng.randint(1, 300)) \
                if state != "submitted" else None
            reviews.append((str(uuid.uuid4()), pid, org[0], state, created, "f" * 64,
                            "{}", "[]", decided, False))
    cursor = session.connection().connection.cursor()
    _copy(cursor, '"group"', "id, name, title, is_organization, state, type, approval_status, "
          "created, description, image_url",
          [(o[0], o[1], o[2], True, "active", "organization", "approved", now, "", "")
           for o in orgs])
    _copy(cursor, "opendata_governance_service",
          "id, organization_id, name, title, active, created, modified", services)
    _copy(cursor, "tag", "id, name", tags)
    _copy(cursor, "package", "id, name, title, notes, license_id, state, type, owner_org, "
          "private, metadata_created, metadata_modified" + (", extras" if json_extras else ""),
          packages)
    _copy(cursor, "package_tag", "id, package_id, tag_id, state", package_tags)
    if extras:
        _copy(cursor, "package_extra", "id, package_id, key, value, state", extras)
    _copy(cursor, "resource", "id, package_id, url, format, name, description, position, "
          "state, created", resources)
    _copy(cursor, "opendata_governance_review", "id, package_id, organization_id, state, "
          "created, fingerprint, snapshot, checks, decided, override", reviews)
    session.commit()
    session.execute(sa.text("ANALYZE"))
    session.commit()


def _timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm caches and connections
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(size: int) -> dict[str, Any]:
    ini = _ini()
    _prepare_database(ini)

    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as tk

    app = make_app(load_config(str(ini)))
    _generate(model.Session, size)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    token = tk.get_action("api_token_create")(
        {"user": site_user, "ignore_auth": True}, {"user": site_user, "name": "bench"})["token"]
    model.Session.remove()

    def context() -> dict[str, Any]:
        return {"user": site_user, "ignore_auth": False}

    dashboard = tk.get_action("governance_dashboard")
    inventory = tk.get_action("governance_inventory")
    client = Client(app)

    def csv_export(**query: str) -> Any:
        response = client.get("/governance/inventory.csv", query_string=query,
                              headers={"Authorization": token})
        assert response.status_code == 200, response.status_code
        lines = response.get_data().count(b"\r\n")
        return lines

    lines = csv_export()
    assert lines == size + 1, f"the CSV has {lines - 1} rows for {size} datasets"
    runs = 20 if size <= 1000 else 5
    timings = {name: _timed(fn, runs) for name, fn in (
        ("governance_dashboard, all orgs", lambda: dashboard(context(), {})),
        ("governance_dashboard, 1 org",
         lambda: dashboard(context(), {"organization_id": "commune-007"})),
        ("governance_inventory, 1000 rows",
         lambda: inventory(context(), {"limit": 1000})),
        ("inventory.csv, all rows", csv_export),
    )}
    return {"size": size, "timings": timings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes (default: 1000,10000)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    results = []
    for size in args.sizes.split(","):
        print(f"generating and timing {size} datasets...", file=sys.stderr)
        # Each size runs in its own process: CKAN binds one database per process.
        output = subprocess.run([sys.executable, __file__, "--one", size], check=True,
                                stdout=subprocess.PIPE, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print()
    print(f"{'datasets':>9} | {'measure':<32} | {'p50 ms':>8} | {'max ms':>8}")
    print("-" * 68)
    for result in results:
        for name, samples in result["timings"].items():
            print(f"{result['size']:>9} | {name:<32} | {statistics.median(samples):8.1f} | "
                  f"{max(samples):8.1f}")
        print("-" * 68)
    return 0


if __name__ == "__main__":
    sys.exit(main())
