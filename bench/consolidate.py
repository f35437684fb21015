"""Benchmark of the consolidation engine against frictionless validation plus concatenation.

Run with `.venv/bin/python bench/consolidate.py [--files 200] [--rows 5000]` (also part of
`make bench`). It generates SCDL subventions 2.1.1 files (about 2 % of rows with
errors, 1 % duplicated across communes with different modification dates, one file
in ten in CP1252 with ``;`` and decimal commas), then, in the same run and each in a
fresh process:

- the yardstick: frictionless's validation of every file, then a plain
  concatenation of the files (what a script without our engine would do);
- the engine directly on the local files (validation, normalisation, provenance,
  de-duplication, output), with its peak RSS, at 20 % and 100 % of the files;
- the engine again on the unchanged files (incremental run).

The engine runs directly on local files for those rows. A last, smaller part
(``--action-files`` files, 20 by default: 100,000 rows) goes end to end through CKAN
in a database of its own (env ``BENCH_DB``, default ``ckan_bench_consolidate``,
dropped and re-created): the files are uploaded as resources of commune
organizations, and ``consolidation_run`` runs during the call (discovery, reading
the uploads, publishing the resource, recording the run), first and unchanged.
"""
from __future__ import annotations

import argparse
import configparser
import functools
import io
import json
import os
import pathlib
import random
import resource
import subprocess
import sys
import tempfile
import time
from ckanext.suite import licences  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "fixtures" / "consolidation" / "subventions" / "schema.json"
KEY = ["idAttribuant", "dateConvention", "nomBeneficiaire", "objet"]
HEADER = ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
          "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "objet", "montant",
          "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE",
          "notificationUE", "pourcentageSubvention", "dispositifAide"]
OBJETS = ("Fonctionnement", "Projet culturel", "Équipement sportif", "Festival d'été",
          "Aide à l'emploi", "Soutien scolaire")


def _row(rng: random.Random, commune: int, number: int, french: bool) -> list[str]:
    siret = f"2135{commune:04d}{number % 1000000:06d}"
    montant = f"{rng.randint(100, 90000)}.{rng.randint(0, 99):02d}"
    row = [f"Commune {commune}", f"{21350000000000 + commune:014d}",
           f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
           f"DEL-{number}", f"Association {commune}-{number}", siret,
           f"W{rng.randint(100000000, 999999999)}", rng.choice(OBJETS), montant,
           "aide en numéraire", "unique", "2024-01-01/2024-12-31", "",
           rng.choice(("oui", "non")), f"0.{rng.randint(1, 99):02d}", ""]
    if french:
        row[8] = row[8].replace(".", ",")
    roll = rng.random()
    if roll < 0.005:
        row[1] = "pas-un-siret"  # pattern
    elif roll < 0.01:
        row[2] = "31/02/2024x"  # type
    elif roll < 0.015:
        row[9] = "aide en espèces"  # enum
    elif roll < 0.02:
        row[8] = ""  # required
    return row


def generate(folder: pathlib.Path, files: int, rows: int, seed: int = 9) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    previous: list[list[str]] = []
    for index in range(files):
        french = index % 10 == 9
        lines = []
        for number in range(rows):
            if previous and rng.random() < 0.01:
                lines.append(rng.choice(previous))  # the same grant in another file
            else:
                lines.append(_row(rng, index, number, french))
        previous = lines[:50]
        delimiter = ";" if french else ","
        text = "\n".join(delimiter.join(cells) for cells in [HEADER] + lines) + "\n"
        path = folder / f"commune-{index:03d}.csv"
        path.write_bytes(text.encode("cp1252" if french else "utf-8"))
        os.utime(path, (1_700_000_000 + index * 3600, 1_700_000_000 + index * 3600))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_yardstick(folder: pathlib.Path, files: int) -> dict:
    import frictionless

    schema = frictionless.Schema.from_descriptor(json.loads(SCHEMA.read_text()))
    paths = sorted(folder.glob("commune-*.csv"))[:files]
    start, cpu = time.perf_counter(), _cpu()
    errors = 0
    for path in paths:
        report = frictionless.Resource(path=path.name, basepath=str(folder),
                                       schema=schema).validate(limit_errors=10 ** 9)
        errors += len(report.tasks[0].errors)
    validated = time.perf_counter()
    with tempfile.NamedTemporaryFile("wb", dir=folder.parent, delete=True) as out:
        for number, path in enumerate(paths):
            with path.open("rb") as source:
                if number:
                    source.readline()
                while chunk := source.read(1 << 20):
                    out.write(chunk)
    end = time.perf_counter()
    return {"seconds": end - start, "cpu": _cpu() - cpu, "validate": validated - start,
            "concat": end - validated, "errors": errors, "rss": _maxrss_mb()}


def child_engine(folder: pathlib.Path, files: int, workdir: pathlib.Path) -> dict:
    from ckanext.territorial_consolidation.consolidation import engine
    from ckanext.territorial_consolidation.consolidation.schema import parse_schema

    schema = parse_schema(SCHEMA.read_bytes())
    state_path = workdir / "state.json"
    previous = json.loads(state_path.read_text()) if state_path.exists() else None

    def source(path: pathlib.Path) -> engine.Source:
        stat = path.stat()
        return engine.Source(
            resource_id=path.stem, open=functools.partial(open, path, "rb"),
            fingerprint=f"{stat.st_size}:{stat.st_mtime_ns}",
            territory_code=f"35{int(path.stem[-3:]):03d}",
            dataset_url=f"https://example.org/dataset/{path.stem}",
            last_modified=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stat.st_mtime)))

    sources = [source(path) for path in sorted(folder.glob("commune-*.csv"))[:files]]
    start, cpu = time.perf_counter(), _cpu()
    result = engine.consolidate(schema, sources, str(workdir), previous,
                                engine.Options(key=KEY))
    seconds = time.perf_counter() - start
    state_path.write_text(json.dumps(result.state))
    report = result.report
    return {"seconds": seconds, "cpu": _cpu() - cpu, "rss": _maxrss_mb(),
            "rows_in": report["rows_in"],
            "rows_out": report["rows_out"], "rejected": report["rows_rejected"],
            "duplicates": report["duplicates"], "reused": report["sources_reused"],
            "changed": report["changed"]}


def _ini(db: str, storage: pathlib.Path) -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = f"postgresql://ckan@127.0.0.1:5432/{db}"
    main["ckan.plugins"] = "postgres_search territorial_consolidation"
    main["ckan.storage_path"] = str(storage)
    parser["logger_root"]["level"] = "ERROR"
    parser["logger_ckan"]["level"] = "ERROR"
    path = storage / f"{db}.ini"
    with path.open("w") as ini:
        parser.write(ini)
    return path


def child_action(folder: pathlib.Path, files: int, storage: pathlib.Path) -> dict:
    """Upload the files as communes' resources, then time consolidation_run twice."""
    from werkzeug.datastructures import FileStorage

    db = os.environ.get("BENCH_DB", "ckan_bench_consolidate")
    storage.mkdir(parents=True, exist_ok=True)
    ini = _ini(db, storage)
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{db}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), db], check=True,
                   stdout=subprocess.DEVNULL)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    for args in (["db", "init"], ["db", "upgrade", "-p", "postgres_search"],
                 ["db", "upgrade", "-p", "territorial_consolidation"]):
        subprocess.run([str(ckan), "-c", str(ini), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as tk

    make_app(load_config(str(ini)))
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def call(action: str, **data: object) -> dict:
        return tk.get_action(action)({"user": site}, data)

    call("territory_create", level="epci", code="243500139", name="Rennes Métropole")
    call("organization_create", name="rennes-metropole")
    url = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
    for path in sorted(folder.glob("commune-*.csv"))[:files]:
        code = f"35{int(path.stem[-3:]):03d}"
        call("territory_create", level="commune", code=code, name=f"Commune {code}",
             parent_ids=["epci:243500139"])
        org = call("organization_create", name=f"commune-{code}")
        call("territory_organization_set", organization_id=org["id"],
             territory_id=f"commune:{code}")
        package = call("package_create", name=f"subventions-{code}", owner_org=org["id"])
        call("resource_create", package_id=package["id"], format="CSV", conforms_to=url,
             upload=FileStorage(io.BytesIO(path.read_bytes()), filename=path.name))
    consolidation = call("consolidation_create", name="bench", organization_id="rennes-metropole",
                         schema_url=url, schema=json.loads(SCHEMA.read_text()),
                         scope_territory_id="epci:243500139", dedup_key=KEY)
    timings = []
    for _round in range(2):
        start = time.perf_counter()
        run = call("consolidation_run", id=consolidation["id"], background=False)
        timings.append(time.perf_counter() - start)
        assert run["state"] in ("succeeded", "unchanged"), run
    return {"first": timings[0], "again": timings[1], "rows_out": run["report"]["rows_out"],
            "state": run["state"], "rss": _maxrss_mb()}


def _spawn(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--action-files", type=int, default=20)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, folder, files = args.child[0], pathlib.Path(args.child[1]), int(args.child[2])
        if kind == "yardstick":
            print(json.dumps(child_yardstick(folder, files)))
        elif kind == "action":
            print(json.dumps(child_action(folder, files, pathlib.Path(args.child[3]))))
        else:
            print(json.dumps(child_engine(folder, files, pathlib.Path(args.child[3]))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-consolidate-") as tmp:
        folder = pathlib.Path(tmp) / "sources"
        started = time.perf_counter()
        generate(folder, args.files, args.rows)
        print(f"generated {args.files} files x {args.rows} rows in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        small = max(1, args.files // 5)
        yardstick = _spawn("yardstick", str(folder), str(args.files))
        small_run = _spawn("engine", str(folder), str(small), str(pathlib.Path(tmp) / "w1"))
        full = _spawn("engine", str(folder), str(args.files), str(pathlib.Path(tmp) / "w2"))
        again = _spawn("engine", str(folder), str(args.files), str(pathlib.Path(tmp) / "w2"))
        action_files = min(args.action_files, args.files)
        action = _spawn("action", str(folder), str(action_files),
                        str(pathlib.Path(tmp) / "storage")) if action_files else None
    rows = args.files * args.rows
    table = [
        ("yardstick: frictionless validate + concat", rows, yardstick),
        (f"engine, first run ({small} files)", small * args.rows, small_run),
        (f"engine, first run ({args.files} files)", rows, full),
        (f"engine, unchanged re-run ({args.files} files)", rows, again),
    ]
    print(f"\n{'run':<48} {'rows':>9} {'seconds':>9} {'CPU s':>8} {'peak RSS MB':>12}")
    for label, count, figures in table:
        print(f"{label:<48} {count:>9} {figures['seconds']:>9.2f} {figures['cpu']:>8.2f} "
              f"{figures['rss']:>12.0f}")
    if action:
        print(f"\nend to end through consolidation_run ({action_files} files, "
              f"{action_files * args.rows} rows, uploads in CKAN): first run "
              f"{action['first']:.2f} s, unchanged re-run {action['again']:.2f} s "
              f"({action['first'] / action['again']:.0f}x), {action['rows_out']} rows "
              f"published, peak RSS {action['rss']:.0f} MB")
    print(f"\nyardstick detail: validate {yardstick['validate']:.2f} s, concatenation "
          f"{yardstick['concat']:.2f} s, {yardstick['errors']} errors found")
    print(f"engine detail: {full['rows_in']} rows read, {full['rejected']} rejected, "
          f"{full['duplicates']} duplicates, {full['rows_out']} published; "
          f"re-run reused {again['reused']} sources, changed={again['changed']}")
    # Wall-clock time decides; CPU time is printed because a shared machine skews wall time.
    ratio = yardstick["seconds"] / full["seconds"]
    cpu_ratio = yardstick["cpu"] / full["cpu"]
    speedup = full["seconds"] / again["seconds"]
    growth = full["rss"] / small_run["rss"]
    print(f"\nfull consolidation vs yardstick: {ratio:.1f}x faster in wall time, "
          f"{cpu_ratio:.1f}x in CPU time (target >= 1x): {'OK' if ratio >= 1 else 'MISSED'}")
    print(f"peak RSS {full['rss']:.0f} MB at {rows} rows (target < 500 MB): "
          f"{'OK' if full['rss'] < 500 else 'MISSED'}; {small * args.rows} -> {rows} rows: "
          f"x{growth:.2f} (flat target <= 1.25): {'OK' if growth <= 1.25 else 'MISSED'}")
    print(f"unchanged re-run: {speedup:.0f}x faster than the first run (target >= 20x): "
          f"{'OK' if speedup >= 20 else 'MISSED'}")


if __name__ == "__main__":
    main()
