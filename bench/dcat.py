"""Benchmark of the DCAT catalogue: a Turtle page of 100 datasets against package_search rows=100.

Run with `make bench` (or `.venv/bin/python bench/dcat.py [--size 10000]`). The datasets
are generated and indexed as bench/search.py does; the requests then go through the
portal's HTTP stack in-process (the Flask test client, anonymous), the catalogue with
the suite's plugins and profile loaded, in the same run: package_search, the Turtle page
written whole (the fragment cache off), cold (no fragment in Redis), warm (the same
page again) and after its datasets changed (no fragment, then the job that writes the
fragments of changed datasets, `suite_dcat/fresh.py`, run as the worker runs it). The whole catalogue is then walked page by page while the process's
resident memory is sampled, and the Redis memory of the fragments it left is summed.
Databases: `BENCH_DB` (prefix of the PostgreSQL name), `BENCH_REDIS_DB` (default 13),
which the benchmark empties of fragments.
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
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
CACHE_OPTION = "ckanext.suite_dcat.page_cache_seconds"
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
    text = text.replace("ckan.redis.url = redis://127.0.0.1:6379/1\n",
                        f"ckan.redis.url = redis://127.0.0.1:6379/{REDIS_DB}\n")
    ini.write_text(text)
    seeding._prepare_database(db, ini)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    for plugin in ("opendata_governance", "territorial_consolidation"):
        subprocess.run([str(ckan), "-c", str(ini), "db", "upgrade", "-p", plugin], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return ini


def _get_ms(client: Any, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def _timed(client: Any, urls: list[str]) -> list[float]:
    client.get(urls[0])  # warm caches and connections
    return [_get_ms(client, url) for url in urls]


def _fragment_keys() -> list[bytes]:
    from ckan.lib.redis import connect_to_redis
    from ckanext.suite_dcat.page_cache import KEY_PREFIX

    return list(connect_to_redis().scan_iter(f"{KEY_PREFIX}*", count=1000))


def _forget_fragments() -> None:
    from ckan.lib.redis import connect_to_redis

    keys = _fragment_keys()
    if keys:
        connect_to_redis().delete(*keys)


def _fragments_memory() -> tuple[int, int]:
    """How many fragments Redis holds and the bytes they take (MEMORY USAGE)."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    keys = _fragment_keys()
    return len(keys), sum(redis.memory_usage(key) or 0 for key in keys)


def _cold_and_warm(client: Any, urls: list[str]) -> tuple[list[float], list[float]]:
    """Each page with no fragment in Redis, then the same page again."""
    cold, warm = [], []
    for url in urls:
        _forget_fragments()
        cold.append(_get_ms(client, url))
        warm.append(_get_ms(client, url))
    return cold, warm


def _after_changes(app: Any, client: Any, urls: list[str]) -> tuple[list[float], list[float]]:
    """Each page with no fragment in Redis, its datasets then noted as changed and the
    job that writes their fragments run (as the worker runs it after edits or a harvest):
    the job's milliseconds per dataset, and the page's milliseconds after it."""
    from ckan.lib.redis import connect_to_redis
    from ckanext.suite_dcat import fresh, page_search

    per_dataset, pages = [], []
    for url in urls:
        _forget_fragments()
        number = int(url.rsplit("=", 1)[1])
        with app._wsgi_app.test_request_context():
            found = page_search.search({"user": "", "auth_user_obj": None},
                                       {"page": number, "format": "ttl"})["results"]
            connect_to_redis().sadd(fresh.CHANGED_KEY, *[dataset["id"] for dataset in found])
            start = time.perf_counter()
            written = fresh.write_changed()
            per_dataset.append((time.perf_counter() - start) * 1000 / max(1, written))
        pages.append(_get_ms(client, url))
    return per_dataset, pages


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
    urls = [f"/catalog.ttl?page={1 + rng.randrange(pages)}" for _ in range(RUNS)]
    from ckan.common import config

    seconds = config[CACHE_OPTION]
    config[CACHE_OPTION] = 0
    whole = _timed(client, urls)
    config[CACHE_OPTION] = seconds
    cold, warm = _cold_and_warm(client, urls)
    job, changed = _after_changes(app, client, urls[:5])
    _forget_fragments()
    rss, walked = [], 0
    for page in range(1, pages + 1):
        response = client.get(f"/catalog.ttl?page={page}")
        assert response.status_code == 200, page
        walked += response.get_data(as_text=True).count("a dcat:Dataset")
        rss.append(_rss_mb())
    fragments, fragment_bytes = _fragments_memory()
    _forget_fragments()
    return {"size": size, "search": search, "whole": whole, "cold": cold, "warm": warm,
            "changed": changed, "job": job,
            "rss": rss, "walked": walked, "pages": pages, "fragments": fragments,
            "fragment_bytes": fragment_bytes}


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
    print(f"{'datasets':>9} | {'request':<42} | {'p50 ms':>8} | {'max ms':>8} | {'÷ search':>8}")
    print("-" * 88)
    for name, key in (("package_search rows=100 (API)", "search"),
                      ("/catalog.ttl page, cache off (whole)", "whole"),
                      ("/catalog.ttl page, cold (no fragment)", "cold"),
                      ("/catalog.ttl page, warm (same page again)", "warm"),
                      ("/catalog.ttl page, its datasets changed", "changed")):
        samples = result[key]
        p50 = statistics.median(samples)
        print(f"{result['size']:>9} | {name:<42} | {p50:8.1f} | {max(samples):8.1f} | "
              f"{p50 / search_p50:8.2f}")
    rss = result["rss"]
    print("-" * 88)
    print(f"whole catalogue walked: {result['pages']} pages, {result['walked']} datasets; "
          f"RSS after page 1 {rss[0]:.0f} MB, middle {rss[len(rss) // 2]:.0f} MB, "
          f"last {rss[-1]:.0f} MB (growth {rss[-1] - rss[0]:+.0f} MB)")
    print(f"fragments in Redis after the walk: {result['fragments']}, "
          f"{result['fragment_bytes'] / 2 ** 20:.1f} MB (MEMORY USAGE), "
          f"{result['fragment_bytes'] / max(1, result['fragments']) / 1024:.1f} KB each")
    print(f"the job writing the fragments of changed datasets (run before the last row): "
          f"{statistics.median(result['job']):.1f} ms a dataset")
    for key in ("cold", "warm", "changed"):
        ratio = statistics.median(result[key]) / search_p50
        print(f"catalogue page {key} ÷ package_search: {ratio:.2f} (target ≤ 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
