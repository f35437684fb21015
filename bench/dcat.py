"""Benchmark of the DCAT catalogue: a Turtle page of 100 datasets against package_search rows=100.

Run with `make bench` (or `.venv/bin/python bench/dcat.py [--size 10000]`). The datasets
are generated and indexed as bench/search.py does; both requests then go through the
portal's HTTP stack in-process (the Flask test client, anonymous), the catalogue with
the suite's plugins and profile loaded, in the same run. The whole catalogue is then
walked page by page while the process's resident memory is sampled.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from werkzeug.test import Client

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNS = 15
PLUGINS = ("postgres_search opendata_governance territorial_consolidation dcat "
           "structured_data suite_dcat")
_SPEC = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
seeding = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(seeding)


def _rss_mb() -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _prepare(db: str) -> pathlib.Path:
    ini = seeding._ini(db)
    text = ini.read_text().replace("ckan.plugins = postgres_search\n",
                                   f"ckan.plugins = {PLUGINS}\n")
    ini.write_text(text)
    seeding._prepare_database(db, ini)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    for plugin in ("opendata_governance", "territorial_consolidation"):
        subprocess.run([str(ckan), "-c", str(ini), "db", "upgrade", "-p", plugin], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return ini


def _timed(client: Any, urls: list[str]) -> list[float]:
    client.get(urls[0])  # warm caches and connections
    samples = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def measure(size: int) -> dict[str, Any]:
    db = f"{os.environ.get('BENCH_DB', 'ckan_bench')}_dcat_{size}"
    ini = _prepare(db)

    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    seeding._generate(model.Session, size)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    subprocess.run([str(ckan), "-c", str(ini), "search-index", "rebuild-fast"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    model.Session.remove()
    client = Client(app)
    rng = random.Random(7)
    pages = -(-size // 100)
    search = _timed(client, [f"/api/3/action/package_search?rows=100&start={100 * rng.randrange(pages)}"
                             for _ in range(RUNS)])
    catalogue = _timed(client, [f"/catalog.ttl?page={1 + rng.randrange(pages)}"
                                for _ in range(RUNS)])
    rss, walked = [], 0
    for page in range(1, pages + 1):
        response = client.get(f"/catalog.ttl?page={page}")
        assert response.status_code == 200, page
        walked += response.get_data(as_text=True).count("a dcat:Dataset")
        rss.append(_rss_mb())
    return {"size": size, "search": search, "catalogue": catalogue, "rss": rss,
            "walked": walked, "pages": pages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.size)))
        return 0
    print(f"generating and indexing {args.size} datasets, then requesting...", file=sys.stderr)
    output = subprocess.run([sys.executable, __file__, "--one", "--size", str(args.size)],
                            check=True, stdout=subprocess.PIPE, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    search_p50 = statistics.median(result["search"])
    print()
    print(f"{'datasets':>9} | {'request':<40} | {'p50 ms':>8} | {'max ms':>8} | {'÷ search':>8}")
    print("-" * 86)
    for name, key in (("package_search rows=100 (API)", "search"),
                      ("/catalog.ttl, one page of 100 datasets", "catalogue")):
        samples = result[key]
        p50 = statistics.median(samples)
        print(f"{result['size']:>9} | {name:<40} | {p50:8.1f} | {max(samples):8.1f} | "
              f"{p50 / search_p50:8.2f}")
    rss = result["rss"]
    print("-" * 86)
    print(f"whole catalogue walked: {result['pages']} pages, {result['walked']} datasets; "
          f"RSS after page 1 {rss[0]:.0f} MB, middle {rss[len(rss) // 2]:.0f} MB, "
          f"last {rss[-1]:.0f} MB (growth {rss[-1] - rss[0]:+.0f} MB)")
    ratio = statistics.median(result["catalogue"]) / search_p50
    print(f"catalogue page ÷ package_search: {ratio:.2f} (target ≤ 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
