"""Benchmark of the CKAN partner harvest: ours against ckanext-harvest's stock `ckan` harvester.

Run with `.venv/bin/python bench/harvest.py [--size 2000] [--small 500]` (also part of
`make bench`). A partner CKAN gets `size` datasets with 3 resources each, written straight
into its tables (database `$BENCH_DB_peer`, default `ckan_bench_harvest_peer`), indexed, and
served by `ckan run` on 127.0.0.1. Local portals (`..._ours`, `..._stock`, same plugins)
then harvest it, each job run synchronously in its own process (gather, fetch and import
called in-process the same way for both, as the queue's consumers call them): a first harvest
and a re-harvest of the unchanged partner. Our harvester also harvests the first `small`
datasets alone (in a third portal, `..._ours_small`), to compare its peak RSS at two sizes.
Prints a table and the ratios; besides wall time, each run's CPU time (the harvest process
and the PostgreSQL backends of its portal), which other load on a shared machine does not
inflate.
"""
from __future__ import annotations

import argparse
import configparser
import datetime as dt
import json
import os
import pathlib
import resource
import socket
import subprocess
import sys
import time
import uuid
from typing import Any
from ckanext.suite import licences  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASE_DB = os.environ.get("BENCH_DB", "ckan_bench_harvest")
LOCAL_PLUGINS = ("postgres_search scheming_datasets opendata_governance harvest ckan_harvester "
                 "territorial_consolidation territorial_ckan_harvester")
MIGRATED = ("postgres_search", "harvest", "opendata_governance", "territorial_consolidation")
CKAN = pathlib.Path(sys.executable).with_name("ckan")


def _ini(database: str, plugins: str, site_url: str = "http://127.0.0.1:5000") -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{database}"
    main["ckan.site_url"] = site_url
    main["ckan.plugins"] = plugins
    main["scheming.dataset_schemas"] = "ckanext.opendata_governance:schemas/dataset.yaml"
    main["ckanext.territorial_consolidation.harvest_allowlist"] = "127.0.0.1"
    main["ckanext.territorial_consolidation.harvest_page_size"] = "1000"
    main["ckan.harvest.mq.redis_db"] = "15"
    main["ckan.redis.url"] = "redis://127.0.0.1:6379/15"
    main["ckan.storage_path"] = f"/tmp/{database}-storage"
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = ROOT / "bench" / "results" / f"{database}.ini"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as ini:
        parser.write(ini)
    return path


def _env() -> dict[str, str]:
    # The ini says everything: CKAN_* variables of a test shell must not override it.
    return {key: value for key, value in os.environ.items() if not key.startswith("CKAN_")}


def _ckan(ini: pathlib.Path, *args: str) -> None:
    subprocess.run([str(CKAN), "-c", str(ini), *args], check=True, env=_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _prepare_database(database: str, ini: pathlib.Path, plugins: tuple[str, ...]) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{database}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), database], check=True,
                   stdout=subprocess.DEVNULL)
    _ckan(ini, "db", "init")
    for plugin in plugins:
        _ckan(ini, "db", "upgrade", "-p", plugin)


def _fill_partner(database: str, size: int, small: int) -> None:
    """``size`` public datasets with 3 resources each; the first ``small`` in their own
    organization, so that a source can harvest them alone."""
    import psycopg2
    from psycopg2.extras import execute_values

    now = dt.datetime(2026, 10, 1, 8, 0)
    orgs = [(str(uuid.uuid4()), name) for name in ("ville-petite", "ville-grande")]
    packages, resources, extras = [], [], []
    frequencies = ("monthly", "annual", "weekly", "irregular")
    for index in range(size):
        package_id = str(uuid.uuid4())
        org_id = orgs[0][0] if index < small else orgs[1][0]
        modified = now + dt.timedelta(seconds=index)
        packages.append((package_id, f"jeu-{index:05d}", f"Jeu de données {index}",
                         "Description " * 20, "odc-odbl", "dataset", org_id, False, "active",
                         modified, modified))
        extras.append((str(uuid.uuid4()), package_id, "frequency",
                       frequencies[index % len(frequencies)], "active"))
        for position, fmt in enumerate(("CSV", "JSON", "GeoJSON")):
            resources.append((str(uuid.uuid4()), package_id,
                              f"https://data.ville.example/{index}/data.{fmt.lower()}",
                              fmt, f"Données {fmt}", position, "active", modified, modified))
    with psycopg2.connect(f"postgresql://ckan@127.0.0.1:5432/{database}") as conn:
        with conn.cursor() as cursor:
            execute_values(cursor, 'INSERT INTO "group" (id, name, title, type, is_organization, '
                           "state, approval_status, created) VALUES %s",
                           [(i, n, n, "organization", True, "active", "approved", now)
                            for i, n in orgs])
            execute_values(cursor, "INSERT INTO package (id, name, title, notes, license_id, "
                           "type, owner_org, private, state, metadata_created, "
                           "metadata_modified) VALUES %s", packages, page_size=1000)
            execute_values(cursor, "INSERT INTO package_extra (id, package_id, key, value, "
                           "state) VALUES %s", extras, page_size=1000)
            execute_values(cursor, "INSERT INTO resource (id, package_id, url, format, name, "
                           "position, state, created, metadata_modified) VALUES %s",
                           resources, page_size=1000)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker(ini: pathlib.Path, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--worker", str(ini), *args], env=_env(),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- in the worker process -------------------------------------------------------------

def _load(ini: str) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    return app


def _setup(peer_url: str, kind: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user}
    org = tk.get_action("organization_create")(dict(context), {"name": f"partenaires-{kind}"})
    sources = {}
    for label, organization in (("small", "ville-petite"), ("all", None)):
        if kind == "ours":
            config: dict[str, Any] = {"territory": "commune:35238"}
            if organization:
                config["filters"] = {"organizations": [organization]}
            source_type = "territorial_ckan"
        else:
            config = {"organizations_filter_include": [organization]} if organization else {}
            source_type = "ckan"
        source = tk.get_action("harvest_source_create")(dict(context), {
            "name": f"source-{kind}-{label}", "title": f"{kind} {label}",
            "url": peer_url + ("/" if label == "small" else ""), "source_type": source_type,
            "owner_org": org["id"], "config": json.dumps(config)})
        sources[label] = source["id"]
    return sources


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process of this machine (Linux), 0 once it is gone."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_cpu(model: Any) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving this portal's database, by pid."""
    import sqlalchemy as sa

    pids = model.Session.execute(sa.text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars()
    return {pid: _cpu_seconds(pid) for pid in pids}


def _run(source_id: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    job_dict = tk.get_action("harvest_job_create")({"user": site_user},
                                                   {"source_id": source_id, "run": False})
    job = HarvestJob.get(job_dict["id"])
    harvester = queue.get_harvester(job.source.type)
    # CPU time besides wall time: on a shared machine it tells what the run itself cost.
    database_before = _database_cpu(model)
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    # What the queue's consumers do: the gather consumer marks the job running and gathers,
    # the fetch consumer fetches and imports each object (the test helper
    # ckanext.harvest.tests.lib.run_harvest_job also shows every imported dataset again).
    job.status = "Running"
    job.save()
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")({"user": site_user}, {"source_id": source_id})
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    cpu += sum(spent - database_before.get(pid, 0.0)
               for pid, spent in _database_cpu(model).items())
    statuses: dict[str, int] = {}
    for status, in model.Session.query(HarvestObject.report_status).filter_by(
            harvest_job_id=job_dict["id"]):
        statuses[status or "none"] = statuses.get(status or "none", 0) + 1
    return {"seconds": seconds, "cpu_seconds": cpu, "statuses": statuses,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def worker(ini: str, command: str, *args: str) -> None:
    app = _load(ini)
    with app._wsgi_app.test_request_context():
        if command == "setup":
            result = _setup(args[0], args[1])
        elif os.environ.get("BENCH_PROFILE"):
            # --profile: the run under cProfile, its statistics beside the results.
            import cProfile
            profiler = cProfile.Profile()
            result = profiler.runcall(_run, args[0])
            stem = os.environ["BENCH_PROFILE"] + f"-{pathlib.Path(ini).stem}"
            number = 1
            while pathlib.Path(f"{stem}-{number}.prof").exists():
                number += 1
            profiler.dump_stats(f"{stem}-{number}.prof")
        else:
            result = _run(args[0])
    print(json.dumps(result))


# -- orchestration ---------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--profile", action="store_true",
                        help="profile each run (bench/results/*.prof; slower, for reading)")
    options = parser.parse_args()
    if options.profile:
        os.environ["BENCH_PROFILE"] = str(ROOT / "bench" / "results" / "harvest")

    peer_db = f"{BASE_DB}_peer"
    # The small run has its own portal: harvesting the same partner datasets twice in one
    # portal would make the second run detect (and mark) duplicates, which the stock
    # harvester never does.
    locals_ = {"ours-small": f"{BASE_DB}_ours_small", "ours": f"{BASE_DB}_ours",
               "stock": f"{BASE_DB}_stock"}
    port = _free_port()
    peer_url = f"http://127.0.0.1:{port}"
    peer_ini = _ini(peer_db, "postgres_search", peer_url)
    print(f"Preparing the partner ({options.size} datasets x 3 resources)...", flush=True)
    _prepare_database(peer_db, peer_ini, ("postgres_search",))
    _fill_partner(peer_db, options.size, options.small)
    _ckan(peer_ini, "search-index", "rebuild")
    log = open(ROOT / "bench" / "results" / f"{peer_db}.log", "wb")
    server = subprocess.Popen([str(CKAN), "-c", str(peer_ini), "run", "-H", "127.0.0.1",
                               "-p", str(port), "--disable-reloader", "-t"],
                              env=_env(), stdout=log, stderr=subprocess.STDOUT)
    rows = []
    try:
        import requests
        for _ in range(300):
            try:
                if requests.get(peer_url + "/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        inis = {}
        for kind, database in locals_.items():
            print(f"Preparing the local portal {database}...", flush=True)
            inis[kind] = _ini(database, LOCAL_PLUGINS)
            _prepare_database(database, inis[kind], MIGRATED)
        sources = {kind: _worker(inis[kind], "setup", peer_url, kind.split("-")[0])
                   for kind in inis}
        plan = [("ours-small", "small", f"first harvest ({options.small})"),
                ("ours", "all", f"first harvest ({options.size})"),
                ("ours", "all", "re-harvest, unchanged"),
                ("stock", "all", f"first harvest ({options.size})"),
                ("stock", "all", "re-harvest, unchanged")]
        for kind, label, run in plan:
            print(f"Running {kind}: {run}...", flush=True)
            result = _worker(inis[kind], "run", sources[kind][label])
            rows.append({"harvester": kind.split("-")[0], "run": run, **result})
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    print()
    print(f"{'harvester':<10} {'run':<26} {'seconds':>9} {'CPU s':>8} {'peak RSS MB':>12}"
          "  objects")
    for row in rows:
        print(f"{row['harvester']:<10} {row['run']:<26} {row['seconds']:>9.2f} "
              f"{row['cpu_seconds']:>8.2f} {row['peak_rss_mb']:>12.1f}  "
              f"{json.dumps(row['statuses'], sort_keys=True)}")
    ours_small, ours_first, ours_again, stock_first, stock_again = rows
    print()
    print(f"first harvest, stock / ours:              {stock_first['seconds'] / ours_first['seconds']:.2f}x"
          f"  (target >= 2)")
    print(f"  the same in CPU time (harvest process and its database backends): "
          f"{stock_first['cpu_seconds'] / ours_first['cpu_seconds']:.2f}x")
    print(f"ours, first harvest / unchanged re-harvest: {ours_first['seconds'] / ours_again['seconds']:.2f}x"
          f"  (target >= 10)")
    print(f"stock, first harvest / unchanged re-harvest: {stock_first['seconds'] / stock_again['seconds']:.2f}x")
    print(f"ours, peak RSS {options.size} / {options.small} datasets:     "
          f"{ours_first['peak_rss_mb'] / ours_small['peak_rss_mb']:.2f}  (target: flat, ~1)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], *sys.argv[4:])
        sys.exit(0)
    sys.exit(main())
