"""Benchmark of the DataStore: xloader's load against PostgreSQL's COPY, datastore_search
against package_show, and a dataset page with a table preview against one without.

Run with `make bench` (or `.venv/bin/python bench/datastore.py [--quick]`).
A French SCDL-like subsidies CSV (``;``-separated, UTF-8) of 20 MB and 200 MB is
generated, uploaded to a resource of a portal served on 127.0.0.1 and loaded by
xloader's real job in a real jobs worker (it downloads the file over HTTP and posts
its status back, as in production); the same file is then given to PostgreSQL's own
``COPY`` into a plain table, the physical limit. Each load runs in its own process,
whose jobs worker's forked work horse gives the peak RSS. ``datastore_search`` (two
filters and a sort) is then timed on the largest table (1,000,000 rows; 100,000 with
``--quick``) against ``package_show``, and the dataset page with its table preview
against the same page without views.
"""
from __future__ import annotations

import argparse
import configparser
import datetime
import io
import json
import os
import pathlib
import random
import resource as rusage
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCHEMA_URL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
PLUGINS = "postgres_search datastore xloader datatables_view opendata_governance"
COLUMNS = ("nomAttribuant;idAttribuant;dateConvention;referenceDecision;nomBeneficiaire;"
           "idBeneficiaire;rnaBeneficiaire;objet;montant;nature;conditionsVersement;"
           "datesPeriodeVersement;idRAE;notificationUE;pourcentageSubvention;"
           "dispositifAide").split(";")
COMMUNES = ("ANTIBES", "RENNES", "NANTES", "LILLE", "BORDEAUX", "MONTPELLIER", "DIJON",
            "BREST", "AMIENS", "LIMOGES", "POITIERS", "ANGERS", "ROUEN", "NÎMES", "SÈTE",
            "ÉVRY", "CRÉTEIL", "ORLÉANS", "BÉZIERS", "CAEN")
OBJETS = ("Fonctionnement", "Projet éducatif de quartier", "Fête de la musique",
          "Équipement sportif", "Aide à l'emploi associatif", "Festival d'été",
          "Classe de découverte", "Rénovation énergétique du local")
SIRETS = tuple(str(21000000000000 + 7919 * n) for n in range(20))
ASSOS = ("ASSOCIATION SPORTIVE", "COMITÉ DES FÊTES", "AMICALE LAÏQUE", "THÉÂTRE",
         "ÉCOLE DE MUSIQUE", "CLUB DE L'ÂGE D'OR", "RESTOS DU CŒUR", "ENTENTE CYCLISTE")


def _ini(db: str, redis_db: int, storage: pathlib.Path) -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    from ckanext.suite import licences
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{db}"
    main["ckan.datastore.write_url"] = f"postgresql://ckan@127.0.0.1:5432/{db}_datastore"
    main["ckan.datastore.read_url"] = (
        f"postgresql://datastore_ro@127.0.0.1:5432/{db}_datastore")
    main["ckan.redis.url"] = f"redis://127.0.0.1:6379/{redis_db}"
    main["ckan.storage_path"] = str(storage)
    main["ckan.max_resource_size"] = "1024"
    main["ckan.plugins"] = PLUGINS
    main["ckan.datastore.default_fts_index_field_types"] = "tsvector"  # as ckan.ini.in
    main["ckan.views.default_views"] = "datatables_view"
    main["ckanext.xloader.formats"] = "csv"
    main["ckanext.xloader.max_content_length"] = str(1024 ** 3)
    main["ckanext.xloader.job_timeout"] = "3600"
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = RESULTS / f"{db}.ini"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as ini:
        parser.write(ini)
    return path


def _prepare_database(db: str, ini: pathlib.Path) -> None:
    for name in (f"{db}_datastore", db):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                        f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), db], check=True)
    venv = pathlib.Path(sys.executable).parent.parent
    subprocess.run([str(ROOT / "scripts" / "ensure-datastore-db.sh"), str(venv), db],
                   check=True)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    for args in (["db", "init"], ["db", "upgrade"]):
        subprocess.run([str(ckan), "-c", str(ini), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def generate(path: pathlib.Path, size: int, seed: int = 19) -> int:
    """Write a SCDL-like subsidies CSV of about ``size`` bytes; its number of rows."""
    rng = random.Random(seed)
    communes = list(zip(COMMUNES, SIRETS))
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(";".join(COLUMNS) + "\n")
        written = 0
        while written < size:
            block = io.StringIO()
            for _ in range(2000):
                commune, siret = rng.choice(communes)
                year = rng.randint(2015, 2026)
                day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                amount = round(rng.lognormvariate(8, 1.5), 2)
                block.write(";".join((
                    f"COMMUNE DE {commune}", siret, day,
                    f"DELIB N° {rng.randint(1, 999)}-{year % 100:02d}",
                    f"{rng.choice(ASSOS)} DE {commune} N°{rng.randint(1, 400)}",
                    str(rng.randrange(10**13, 10**14)), f"W{rng.randrange(10**8, 10**9)}",
                    rng.choice(OBJETS), f"{amount}",
                    rng.choice(("aide en numéraire", "aide en nature")),
                    rng.choice(("unique", "échelonné", "autre")),
                    f"{year}-01-01/{year}-12-31", "", rng.choice(("oui", "non")),
                    f"{rng.randint(1, 100) / 100}", "")) + "\n")
            text = block.getvalue()
            out.write(text)
            written += len(text.encode("utf-8"))
            rows += 2000
    return rows


def _serve(make_app: Callable[..., Any], config: Any) -> Any:
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, make_app(config), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _portal(ini: pathlib.Path) -> tuple[Any, Any]:
    """CKAN loaded from ``ini`` and served on a loopback port, xloader pointed at it."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as tk
    config = load_config(str(ini))
    app = make_app(config)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    token = tk.get_action("api_token_create")(
        {"ignore_auth": True, "user": site_user["name"]},
        {"user": site_user["name"], "name": "xloader"})["token"]
    tk.config["ckanext.xloader.api_token"] = token
    server = _serve(make_app, tk.config)
    tk.config["ckanext.xloader.site_url"] = f"http://127.0.0.1:{server.server_port}"
    return app, site_user


def load(ini: pathlib.Path, csv_path: pathlib.Path, name: str) -> dict[str, Any]:
    """Upload the file to a new resource, run xloader's job in a jobs worker and COPY
    the same file into a plain table; the timings and the work horse's peak RSS."""
    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage
    import ckan.plugins.toolkit as tk
    from ckan.lib import jobs as jobs_lib

    _app, site_user = _portal(ini)
    context = {"ignore_auth": True, "user": site_user["name"]}
    dataset = tk.get_action("package_create")(dict(context), {
        "name": f"subventions-{name.lower()}", "title": f"Subventions ({name})",
        "notes": "Subventions versées aux associations."})
    with csv_path.open("rb") as stream:
        res = tk.get_action("resource_create")(dict(context), {
            "package_id": dataset["id"], "name": "Subventions", "format": "CSV",
            "conforms_to": SCHEMA_URL,
            "upload": FileStorage(stream=stream, filename=f"{name}.csv",
                                  content_type="text/csv")})
    start = time.perf_counter()
    jobs_lib.Worker().work(burst=True)
    total_s = time.perf_counter() - start
    horse_rss = rusage.getrusage(rusage.RUSAGE_CHILDREN).ru_maxrss / 1024
    status = tk.get_action("xloader_status")(dict(context), {"resource_id": res["id"]})
    assert status["status"] == "complete", status
    logs = status["task_info"]["logs"]
    started = datetime.datetime.fromisoformat(logs[0]["timestamp"])
    xloader_s = (datetime.datetime.fromisoformat(logs[-1]["timestamp"])
                 - started).total_seconds()
    # xloader sets datastore_active, and says so, once the rows and their full-text
    # column are in: filters, sort and q= answer from then on (its indexes follow).
    queryable = [entry for entry in logs
                 if entry["message"].startswith("Data now available to users")]
    queryable_s = (datetime.datetime.fromisoformat(queryable[0]["timestamp"])
                   - started).total_seconds()
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    rows = engine.connect().execute(
        sa.text(f'SELECT count(*) FROM "{res["id"]}"')).scalar()
    # PostgreSQL's own COPY of the same file into a plain table of text columns.
    raw = engine.raw_connection()
    cursor = raw.cursor()
    table = f"copy_{name}"
    cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
    cursor.execute(f'CREATE TABLE "{table}" ({", ".join(f"{c!r} text" for c in COLUMNS)})'
                   .replace("'", '"'))
    raw.commit()
    start = time.perf_counter()
    with csv_path.open("rb") as stream:
        cursor.copy_expert(f'COPY "{table}" FROM STDIN WITH (FORMAT csv, HEADER true, '
                           f"DELIMITER ';')", stream)
    raw.commit()
    copy_s = time.perf_counter() - start
    cursor.execute(f'DROP TABLE "{table}"')
    raw.commit()
    return {"name": name, "bytes": csv_path.stat().st_size, "rows": rows,
            "resource_id": res["id"], "package_id": dataset["id"],
            "xloader_s": xloader_s, "queryable_s": queryable_s, "total_s": total_s,
            "copy_s": copy_s, "horse_rss_mb": horse_rss}


def _timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def query(ini: pathlib.Path, resource_id: str, package_id: str, runs: int) -> dict[str, Any]:
    """datastore_search (two filters, a sort) against package_show; the dataset page
    with its table preview against the same page without views."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(str(ini)))
    rng = random.Random(3)
    search = tk.get_action("datastore_search")
    show = tk.get_action("package_show")

    def context() -> dict[str, Any]:
        return {"user": "", "ignore_auth": False}

    sample = search(context(), {"resource_id": resource_id, "limit": 200,
                                "offset": 1000})["records"]
    natures = ("aide en numéraire", "aide en nature")

    def search_broad() -> Any:  # one attributor of 20, one nature: 1/40 of the rows
        return search(context(), {
            "resource_id": resource_id, "limit": 20, "sort": "dateConvention desc",
            "filters": {"idAttribuant": rng.choice(SIRETS), "nature": rng.choice(natures)}})

    def search_selective() -> Any:  # one beneficiary association, one nature
        row = rng.choice(sample)
        return search(context(), {
            "resource_id": resource_id, "limit": 20, "sort": "dateConvention desc",
            "filters": {"rnaBeneficiaire": row["rnaBeneficiaire"], "nature": row["nature"]}})

    assert search_broad()["records"] and search_selective()["records"]
    timings = {"package_show": _timed(lambda: show(context(), {"id": package_id}), runs),
               "datastore_search, 2 filters (1 row)": _timed(search_selective, runs),
               "datastore_search, 2 filters (1/40)": _timed(search_broad, runs)}
    from werkzeug.test import Client
    client = Client(app)
    views = tk.get_action("resource_view_list")({"ignore_auth": True}, {"id": resource_id})
    if not views:  # a second run on the same table (the first deleted its views)
        views = [tk.get_action("resource_view_create")({"ignore_auth": True}, {
            "resource_id": resource_id, "view_type": "datatables_view",
            "title": "Tableau"})]
    name = show(context(), {"id": package_id})["name"]
    resource_id_ = resource_id

    def page() -> Any:
        response = client.get(f"/dataset/{name}/resource/{resource_id_}")
        assert response.status_code == 200
        return response

    assert views[0]["id"] in page().get_data(as_text=True)
    timings["page with preview"] = _timed(page, max(runs // 4, 20))
    for view in views:
        tk.get_action("resource_view_delete")({"ignore_auth": True}, {"id": view["id"]})
    model.Session.remove()
    assert views[0]["id"] not in page().get_data(as_text=True)
    timings["page without views"] = _timed(page, max(runs // 4, 20))
    return {"timings": timings}


def _child(*args: str) -> dict[str, Any]:
    """Run one step in its own process; its log (xloader's job log) goes to a file."""
    with (RESULTS / "datastore.log").open("a") as log:
        output = subprocess.run([sys.executable, __file__, *args], check=True,
                                stdout=subprocess.PIPE, stderr=log, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 MB and 20 MB files (CI-sized) instead of 20 MB and 200 MB")
    parser.add_argument("--load", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--query", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "ckan_bench") + "_ds",
                        help="CKAN database to (re)create; its DataStore is <db>_datastore")
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load(pathlib.Path(args.load[0]), pathlib.Path(args.load[1]),
                              args.load[2])))
        return 0
    if args.query:
        print(json.dumps(query(pathlib.Path(args.query[0]), args.query[1], args.query[2],
                               int(args.query[3]))))
        return 0
    db = args.db
    redis_db = int(os.environ.get("BENCH_REDIS_DB", "11"))
    storage = RESULTS / f"{db}-storage"
    ini = _ini(db, redis_db, storage)
    print("preparing the database...", file=sys.stderr)
    _prepare_database(db, ini)
    sizes = {"2MB": 2 * 10**6, "20MB": 20 * 10**6} if args.quick else {
        "20MB": 20 * 10**6, "200MB": 200 * 10**6}
    loads = []
    for name, size in sizes.items():
        path = RESULTS / f"subventions-{name}.csv"
        if not path.exists() or abs(path.stat().st_size - size) > size // 10:
            print(f"generating {path.name}...", file=sys.stderr)
            generate(path, size)
        print(f"loading {path.name} (xloader, then COPY)...", file=sys.stderr)
        loads.append(_child("--load", str(ini), str(path), name))
    largest = loads[-1]
    print(f"querying {largest['rows']:,} rows...", file=sys.stderr)
    result = _child("--query", str(ini), largest["resource_id"], largest["package_id"],
                    "40" if args.quick else "100")
    print()
    print(f"{'file':>6} | {'rows':>9} | {'queryable s':>11} | {'xloader job s':>13} | "
          f"{'+ indexes s':>11} | {'COPY s':>7} | {'queryable ÷ COPY':>16} | "
          f"{'job ÷ COPY':>10} | {'worker peak RSS MB':>18}")
    print("-" * 132)
    for row in loads:
        print(f"{row['name']:>6} | {row['rows']:>9,} | {row['queryable_s']:11.1f} | "
              f"{row['xloader_s']:13.1f} | {row['total_s']:11.1f} | {row['copy_s']:7.1f} | "
              f"{row['queryable_s'] / row['copy_s']:16.1f} | "
              f"{row['xloader_s'] / row['copy_s']:10.1f} | {row['horse_rss_mb']:18.0f}")
    print("-" * 132)
    timings = result["timings"]
    p50 = {name: statistics.median(samples) for name, samples in timings.items()}
    for name in timings:
        print(f"{name:<36} p50 {p50[name]:8.1f} ms")
    for name in ("datastore_search, 2 filters (1 row)", "datastore_search, 2 filters (1/40)"):
        print(f"{name} + sort, {largest['rows']:,} rows ÷ package_show: "
              f"{p50[name] / p50['package_show']:.2f} (target ≤ 2)")
    print(f"page with preview ÷ page without views: "
          f"{p50['page with preview'] / p50['page without views']:.2f} (target ≤ 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
