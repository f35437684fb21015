"""Benchmark of the personal-data scanner: throughput, peak RSS, recall and false positives.

Run with `.venv/bin/python bench/scan.py [--sizes 20,200]` (sizes in MB). Each
size is generated into a temporary directory (realistic French rows: first
names from the real prénoms file, Ille-et-Vilaine communes from the COG,
SIRETs, amounts, dates, free-text comments) with planted NIR, IBAN, e-mail and
phone values at known rows; the scan and `frictionless validate` (no schema,
the yardstick) each run in their own subprocess for a clean peak RSS.
"""
from __future__ import annotations

import argparse
import csv
import json
import pathlib
import random
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
FIXTURES = ROOT / "tests" / "fixtures"
REAL_FILES = {
    # file (copies of the real examples, see tests/fixtures/**/SOURCES.md): findings a
    # human reviewer expects (the rest are false positives)
    "scan/subventions_exemple_valide.csv": set(),
    "scdl/subventions/exemple_invalide_erreurs_cellules.csv": set(),
    "scan/subventions_exemple_invalide_erreurs_colonnes.csv": set(),
    "scan/prenoms-nouveaux-nes_exemple-valide.csv": set(),
    "scan/prenoms-nouveaux-nes_exemple-invalide.csv": set(),
    "scan/lieux-covoiturage_exemple-valide.csv": set(),
    "scan/lieux-covoiturage_exemple-invalide.csv": set(),
    "scan/decp_exemple-valide.csv": set(),
    # contact_personne holds a named agent's address (jean.martin@ign.fr):
    # personal data by the GDPR's definition, so reporting it is expected.
    "scan/catalogue-etalab_exemple-valide.csv": {("contact_personne", "email")},
}
PLANTED_KINDS = ("nir", "iban", "email", "phone")
PLANT_EVERY = 997  # one planted value every ~1000 rows, at known row numbers


def _nir(rng: random.Random) -> str:
    dept = rng.choice(["35", "75", "2A", "2B", "13"])
    body = f"{rng.choice('12')}{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{dept}" \
           f"{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    number = int(body.replace("2A", "19").replace("2B", "18"))
    key = 97 - number % 97
    b = body
    return f"{b[0]} {b[1:3]} {b[3:5]} {b[5:7]} {b[7:10]} {b[10:13]} {key:02d}"


def _iban(rng: random.Random) -> str:
    bban = f"{rng.randint(10000, 99999)}{rng.randint(10000, 99999)}" \
           f"{rng.randint(0, 10**11 - 1):011d}{rng.randint(0, 99):02d}"
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "FR00")) % 97
    iban = f"FR{check:02d}{bban}"
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def _phone(rng: random.Random) -> str:
    digits = f"0{rng.choice('1234567')}{rng.randint(10, 99)}{rng.randint(10, 99)}" \
             f"{rng.randint(10, 99)}{rng.randint(10, 99)}"
    pairs = [digits[i:i + 2] for i in range(0, 10, 2)]
    style = rng.randrange(3)
    if style == 0:
        return " ".join(pairs)
    if style == 1:
        return ".".join(pairs)
    return "+33 " + digits[1] + " " + " ".join(pairs[1:])


def generate(path: pathlib.Path, megabytes: int, seed: int = 5,
             person_column: bool = False) -> dict[str, int]:
    """Write a realistic CSV of about ``megabytes`` MB; return planted counts."""
    rng = random.Random(seed)
    with open(DATA / "prenoms-nouveaux-nes_exemple-valide.csv", encoding="utf-8") as f:
        names = [r["ENFANT_PRENOM"] for r in csv.DictReader(f)]
    with open(DATA / "cog2026_communes.subset-dep35.csv", encoding="utf-8") as f:
        communes = [(r["COM"], r["LIBELLE"]) for r in csv.DictReader(f)]
    objets = ["Fonctionnement", "Investissement", "Manifestation culturelle",
              "Aide à l'équipement sportif", "Projet éducatif local"]
    comments = ["Dossier complet, versement en deux fois",
                "Demande reçue le {d}, suivie par {p}",
                "Relance envoyée ; pièces justificatives attendues", "",
                "Subvention reconduite (délibération n° {n})"]
    services = ["Direction des sports", "Service culture", "Pôle vie associative",
                "Direction de l'éducation"]
    planted = {k: 0 for k in PLANTED_KINDS}
    target = megabytes * 1_000_000
    with open(path, "w", encoding="utf-8", newline="") as out:
        # With a person column the street-address prefilter runs too.
        fourth = "nom_referent" if person_column else "service_instructeur"
        out.write("id;date_demande;commune;code_insee;siret_structure;montant;objet;"
                  f"{fourth};commentaire\n")
        row, size, lines = 0, 0, []
        while size < target:
            row += 1
            code, commune = rng.choice(communes)
            d = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            comment = rng.choice(comments).format(d=d, n=rng.randint(1, 999),
                                                  p=rng.choice(names))
            if row % PLANT_EVERY == 0:
                kind = PLANTED_KINDS[(row // PLANT_EVERY) % 4]
                value = {"nir": _nir, "iban": _iban, "phone": _phone,
                         "email": lambda r: f"{rng.choice(names).lower()}.martin{r.randint(1, 99)}@exemple.fr"}[kind](rng)
                comment = f"Contact du demandeur : {value}"
                planted[kind] += 1
            line = (f"{row};{d};{commune};{code};{rng.randint(10**13, 10**14 - 1)};"
                    f"{rng.randint(100, 250000)}.{rng.randint(0, 99):02d};{rng.choice(objets)};"
                    f"{rng.choice(services)};\"{comment}\"\n")
            lines.append(line)
            size += len(line.encode("utf-8"))
            if len(lines) >= 10000:
                out.write("".join(lines))
                lines = []
        out.write("".join(lines))
    planted["rows"] = row
    return planted


def _worker_scan(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from ckanext.opendata_governance.scan import scan_path
    started, cpu = time.perf_counter(), time.process_time()
    report = scan_path(path)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"elapsed": elapsed, "cpu": cpu, "rss_mb": rss, "report": report}))


def _worker_frictionless(path: str) -> None:
    import os
    import frictionless
    # frictionless refuses absolute paths outside the working directory as unsafe.
    os.chdir(os.path.dirname(path))
    started, cpu = time.perf_counter(), time.process_time()
    result = frictionless.validate(os.path.basename(path))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"elapsed": elapsed, "cpu": cpu, "rss_mb": rss, "valid": result.valid,
                      "rows": result.tasks[0].stats.get("rows"),
                      "errors": [e.note for e in result.tasks[0].errors[:3]]}))


def _run(worker: str, path: pathlib.Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--worker", worker, str(path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _table(title: str, head: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    print(f"\n{title}")
    for r in [head, ["-" * w for w in widths]] + rows:
        print("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20,200", help="comma-separated sizes in MB")
    parser.add_argument("--no-frictionless", action="store_true")
    parser.add_argument("--person-column", action="store_true",
                        help="name the 8th column nom_referent (a person column)")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        {"scan": _worker_scan, "frictionless": _worker_frictionless}[args.worker[0]](args.worker[1])
        return
    perf, recall = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            path = pathlib.Path(tmp) / f"bench_{size}mb.csv"
            planted = generate(path, size, person_column=args.person_column)
            mb = path.stat().st_size / 1e6
            scan = _run("scan", path)
            fl = None if args.no_frictionless else _run("frictionless", path)
            if fl is not None and fl["rows"] != scan["report"]["rows"]:
                sys.exit(f"frictionless did not read the whole file: {fl}")
            found: dict[str, int] = {}
            extra = 0
            for f in scan["report"]["findings"]:
                if f["column"] == "nom_referent":
                    continue  # expected by name when --person-column is given
                if f["column"] == "commentaire" and f["kind"] in PLANTED_KINDS:
                    found[f["kind"]] = found.get(f["kind"], 0) + f["count"]
                else:
                    extra += 1
            perf.append([f"{mb:.0f}", scan["report"]["rows"], f"{scan['elapsed']:.2f}",
                         f"{scan['cpu']:.2f}", f"{mb / scan['cpu']:.0f}",
                         f"{scan['rss_mb']:.0f}",
                         "-" if fl is None else f"{fl['elapsed']:.2f}",
                         "-" if fl is None else f"{fl['cpu']:.2f}",
                         "-" if fl is None else f"{scan['cpu'] / fl['cpu']:.3f}",
                         scan["report"]["candidate_lines"], extra])
            for kind in PLANTED_KINDS:
                got = found.get(kind, 0)
                recall.append([f"{mb:.0f}", kind, planted[kind], got,
                               f"{min(got, planted[kind]) / max(planted[kind], 1):.4f}",
                               max(got - planted[kind], 0)])
            path.unlink()
    # CPU seconds are the one-core figure: wall time also counts waiting
    # for a core on a shared machine.
    _table("Throughput (one core) and peak RSS", ["MB", "rows", "scan wall s", "scan cpu s",
           "MB/s (cpu)", "RSS MB", "frictionless wall s", "frictionless cpu s",
           "scan/frictionless (cpu)", "candidate lines", "other findings"], perf)
    _table("Recall on planted values", ["MB", "kind", "planted", "found", "recall",
                                        "false+"], recall)
    confusion = []
    sys.path.insert(0, str(ROOT))
    from ckanext.opendata_governance.scan import scan_path
    tp = fp = fn = 0
    for rel, expected in REAL_FILES.items():
        report = scan_path(str(FIXTURES / rel))
        got = {(f["column"], f["kind"]) for f in report["findings"]}
        tp += len(got & expected)
        fp += len(got - expected)
        fn += len(expected - got)
        confusion.append([rel, report["rows"], len(expected), len(got & expected),
                          len(got - expected), len(expected - got),
                          ", ".join(f"{c}:{k}" for c, k in sorted(got)) or "-"])
    _table("Real example files: findings versus expected", ["file", "rows", "expected",
           "true+", "false+", "false-", "findings"], confusion)
    print(f"\nTotal on real files: true+ {tp}, false+ {fp}, false- {fn}")


if __name__ == "__main__":
    main()
