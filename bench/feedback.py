"""Load test of feedback: 50 concurrent clients post 2,000 feedback items to a running portal.

Run with `.venv/bin/python bench/feedback.py [--clients 50] [--items 2000]
[--server gunicorn|dev|both] [--smtp-down]` (also part of `make bench`). A portal (plugins
postgres_search and reuse_tracker) and a jobs worker are started on a free loopback port
against the database `BENCH_DB` (default `ckan_bench_feedback`, dropped and re-created
for each server; Redis database `BENCH_REDIS_DB`, default 15), with their mail going to a
real SMTP server on 127.0.0.1. The portal is served by gunicorn as `make run` serves it
(`ckanext.suite.gunicorn_conf`, `WEB_WORKERS`/`WEB_THREADS`), by CKAN's development
server (`ckan run --threaded`, what `make dev` runs), or (default) by both in turn,
followed by their p95 ratio (target: gunicorn <= 0.25 x dev). Each client is a user with an API token, posting `feedback_create` over
HTTP. The run checks that every item is in the database, that every routing mail
arrived once and that no request got a 5xx, then prints latencies beside a baseline:
the same clients calling core's `package_show` on the same dataset (the cost of any
authenticated API call on this server), and the CPU time each part spent per request
(web server, jobs worker, PostgreSQL, the bench itself; bench/cpu.py).

`--smtp-down`: nothing listens on the portal's SMTP port while the clients post and for
`--down-seconds` after, while the worker tries the mails; then the worker stops, the
SMTP server starts on that port and
`ckan mail-outbox flush --retry-now` runs (twice: the second must send nothing). The
run also counts tracebacks and outbox warnings in the portal's and worker's logs.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import configparser
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable

import redis
import requests
import sqlalchemy as sa

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import SMTPTestServer  # noqa: E402
from bench.cpu import CPUMeter  # noqa: E402
from ckanext.suite import licences  # noqa: E402

DB = os.environ.get("BENCH_DB", "ckan_bench_feedback")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "15"))
DB_URL = f"postgresql://ckan@127.0.0.1:5432/{DB}"
PLUGINS = "postgres_search reuse_tracker"
KINDS = ("question", "problem", "update_request", "thanks")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ini(port: int, smtp_address: str, clients: int) -> pathlib.Path:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["sqlalchemy.url"] = DB_URL
    main["ckan.plugins"] = PLUGINS
    main["ckan.site_url"] = f"http://127.0.0.1:{port}"
    main["ckan.redis.url"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    # As in production: a job per mail (test.ini leaves mails to the tests' flushes).
    main["ckanext.suite.mail_send_by_job"] = "true"
    # One database connection per concurrent request: the dev server runs a thread each.
    main["sqlalchemy.pool_size"] = str(min(clients, 20))
    main["sqlalchemy.max_overflow"] = str(max(clients - 20, 0) + 10)
    main["sqlalchemy.pool_timeout"] = "120"
    for key, value in SMTPTestServer.config_options_for(smtp_address).items():
        main[key] = str(value).lower() if isinstance(value, bool) else str(value)
    # Warnings kept: each failed mail attempt is one (ckanext.suite.mail).
    parser["logger_root"]["level"] = "WARNING"
    parser["logger_ckan"]["level"] = "ERROR"
    path = ROOT / "bench" / "results" / f"{DB}.ini"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as ini:
        parser.write(ini)
    return path


def _ckan(ini: pathlib.Path, *args: str) -> str:
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    result = subprocess.run([str(ckan), "-c", str(ini), *args], check=True,
                            capture_output=True, text=True)
    return result.stdout


def _prepare_database(ini: pathlib.Path) -> str:
    """A fresh database with the plugins' tables and a sysadmin; return its API token."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{DB}"'], check=True)
    subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), DB], check=True)
    # Jobs left by an earlier run (mails of a dropped database) would hold up the worker.
    redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").flushdb()
    for args in (["db", "init"], ["db", "upgrade", "-p", "postgres_search"],
                 ["db", "upgrade", "-p", "reuse_tracker"]):
        _ckan(ini, *args)
    _ckan(ini, "user", "add", "bench-admin", "email=bench-admin@example.org",
          "password=Bench-password-123")
    _ckan(ini, "sysadmin", "add", "bench-admin")
    output = _ckan(ini, "user", "token", "add", "bench-admin", "bench")
    return output.strip().splitlines()[-1].strip()


SERVERS = {
    "gunicorn": "gunicorn -c python:ckanext.suite.gunicorn_conf (make run)",
    "dev": "ckan run --threaded (make dev)",
}


def _start_portal(ini: pathlib.Path, port: int, server: str) -> subprocess.Popen:
    bin_dir = pathlib.Path(sys.executable).parent
    log = (ROOT / "bench" / "results" / f"{DB}.log").open("w")
    env = dict(os.environ)
    if server == "gunicorn":
        command = [str(bin_dir / "gunicorn"), "-c", "python:ckanext.suite.gunicorn_conf"]
        env.update(CKAN_INI=str(ini), WEB_BIND=f"127.0.0.1:{port}")
    else:
        command = [str(bin_dir / "ckan"), "-c", str(ini), "run", "--host", "127.0.0.1",
                   "--port", str(port), "--disable-reloader", "--threaded"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                               env=env)
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show",
                            timeout=2).ok:
                return process
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the portal did not start; see bench/results/" + DB + ".log")
        time.sleep(0.3)


def _action(url: str, token: str, action: str, **data: Any) -> Any:
    response = requests.post(f"{url}/api/3/action/{action}", json=data,
                             headers={"Authorization": token}, timeout=60)
    response.raise_for_status()
    return response.json()["result"]


def _populate(url: str, admin_token: str, clients: int) -> tuple[str, list[str], int]:
    """An organization with an admin (who receives the mails), a dataset, one user with
    an API token per client; and how many admins each feedback is mailed to."""
    organization = _action(url, admin_token, "organization_create", name="commune-bench",
                           title="Commune de Bench")
    admin = _action(url, admin_token, "user_create", name="org-admin",
                    email="org-admin@example.org", password="Bench-password-123")
    _action(url, admin_token, "organization_member_create", id=organization["id"],
            username=admin["name"], role="admin")
    dataset = _action(url, admin_token, "package_create", name="budget-bench",
                      title="Budget", owner_org=organization["id"])
    tokens = []
    for n in range(clients):
        user = _action(url, admin_token, "user_create", name=f"client-{n:03d}",
                       email=f"client-{n:03d}@example.org", password="Bench-password-123")
        tokens.append(_action(url, admin_token, "api_token_create", user=user["name"],
                              name="bench")["token"])
    admins = [user for user in _action(url, admin_token, "organization_show",
                                       id=organization["id"])["users"]
              if user["capacity"] == "admin"]
    return dataset["id"], tokens, len(admins)


def _run(clients: int, items: int, call: Callable[[int, int], requests.Response]
         ) -> tuple[list[float], dict[int, int], float]:
    """``items`` calls spread over ``clients`` threads; latencies (ms), status counts, wall time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        session_items = range(index, items, clients)
        for item in session_items:
            start = time.perf_counter()
            try:
                status = call(index, item).status_code
            except requests.RequestException:
                status = 599  # a connection error counts as a server failure
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    return latencies, statuses, time.perf_counter() - start


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _start_worker(ini: pathlib.Path) -> subprocess.Popen:
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    log = (ROOT / "bench" / "results" / f"{DB}-worker.log").open("w")
    return subprocess.Popen([str(ckan), "-c", str(ini), "jobs", "worker"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _outbox(engine: sa.engine.Engine, where: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(
            f"SELECT count(*) FROM reuse_tracker_mail_outbox WHERE {where}")).scalar() or 0)


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _log_counts() -> tuple[int, int]:
    """Tracebacks, and outbox warnings (one per failed attempt), in the portal's and
    worker's logs."""
    text = "".join((ROOT / "bench" / "results" / name).read_text(errors="replace")
                   for name in (f"{DB}.log", f"{DB}-worker.log"))
    return text.count("Traceback"), text.count("[ckanext.suite.mail]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--smtp-down", action="store_true",
                        help="post while no mail server listens, then start it and flush")
    parser.add_argument("--down-seconds", type=float, default=60,
                        help="how long the worker alone sends (or, with --smtp-down, the "
                             "outage lasts) after the posts, before the flush")
    parser.add_argument("--server", choices=("both", *SERVERS), default="both")
    args = parser.parse_args()
    servers = list(SERVERS) if args.server == "both" else [args.server]
    p95 = {}
    failed = 0
    for server in servers:
        code, p95[server] = _bench(args, server)
        failed |= code
    if len(p95) == 2:
        ratio = p95["gunicorn"] / p95["dev"]
        print(f"\nfeedback_create p95: gunicorn {p95['gunicorn']:.1f} ms, dev server "
              f"{p95['dev']:.1f} ms: {ratio:.2f}x (target <= 0.25x: "
              f"{'met' if ratio <= 0.25 else 'NOT met'})")
    return failed


def _bench(args: argparse.Namespace, server: str) -> tuple[int, float]:
    """One server's run: the table, the checks; (exit code, feedback_create's p95)."""

    # Down: the port stays closed (connections refused) until the server is made on it.
    smtp_port = _free_port()
    smtp = None if args.smtp_down else SMTPTestServer(port=smtp_port)
    if smtp is not None:
        smtp.start()
    port = _free_port()
    ini = _ini(port, f"127.0.0.1:{smtp_port}", args.clients)
    admin_token = _prepare_database(ini)
    portal = _start_portal(ini, port, server)
    worker = _start_worker(ini)
    url = f"http://127.0.0.1:{port}"
    engine = sa.create_engine(DB_URL)
    flushes: list[str] = []
    try:
        package_id, tokens, admins = _populate(url, admin_token, args.clients)
        expected = args.items * admins
        sessions = [requests.Session() for _ in tokens]
        for session, token in zip(sessions, tokens):
            session.headers["Authorization"] = token

        def post(client: int, item: int) -> requests.Response:
            return sessions[client].post(f"{url}/api/3/action/feedback_create", json={
                "package_id": package_id, "kind": KINDS[item % 4],
                "body": f"Retour n°{item} : la colonne montant de la ligne {item} est vide.",
                "rating": item % 5 + 1}, timeout=120)

        def read(client: int, item: int) -> requests.Response:
            return sessions[client].get(f"{url}/api/3/action/package_show",
                                        params={"id": package_id}, timeout=120)

        runs, cpu = {}, {}
        for name, call in (("feedback_create", post), ("package_show (baseline)", read)):
            with CPUMeter(
                    {"web": portal.pid, "worker": worker.pid, "bench": os.getpid()},
                    {"postgres": lambda command: command.startswith("postgres") and f": ckan {DB} " in command},
                    children_of=("worker",)) as cpu[name]:
                runs[name] = _run(args.clients, args.items, call)
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT count(*) FROM reuse_tracker_feedback")
                                  ).scalar()
            ratings = conn.execute(sa.text(
                "SELECT count(*) FROM reuse_tracker_feedback_rating")).scalar()
        if args.smtp_down:
            # The worker attempts the mails (all refused) while the clients post and for
            # --down-seconds after; then it stops, the server is back, and cron's flush runs.
            _wait(lambda: _outbox(engine, "attempts = 0") == 0, args.down_seconds)
            _stop(worker)
            tried = _outbox(engine, "attempts >= 1")
            smtp = SMTPTestServer(port=smtp_port)
            smtp.start()
            for _flush in range(2):
                start = time.perf_counter()
                output = _ckan(ini, "mail-outbox", "flush", "--retry-now").strip()
                flushes.append(f"{output} ({time.perf_counter() - start:.1f} s)")
        else:
            # The worker sends while the clients post and for --down-seconds after; then
            # cron's flush sends what it has not reached yet.
            assert smtp is not None
            _wait(lambda: len(smtp.messages) >= expected, args.down_seconds)
            _stop(worker)
            tried = len(smtp.messages)
            start = time.perf_counter()
            output = _ckan(ini, "mail-outbox", "flush").strip()
            flushes.append(f"{output} ({time.perf_counter() - start:.1f} s)")
        time.sleep(2)  # a duplicate sent late would show
        mails = len(smtp.messages)
        distinct = len({message["Message-ID"] for message in smtp.messages})
        left = _outbox(engine, "state <> 'sent'")
    finally:
        _stop(portal)
        _stop(worker)
        engine.dispose()
        if smtp is not None:
            smtp.stop()
    tracebacks, warnings = _log_counts()

    mode = "SMTP down while posting, then back and flushed" if args.smtp_down else "SMTP up"
    print(f"\n{args.clients} concurrent clients, {args.items} requests each run, "
          f"portal: {SERVERS[server]} ({PLUGINS}) + ckan jobs worker; {mode}\n")
    header = f"{'action':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'req/s':>8}  statuses"
    print(header)
    print("-" * len(header))
    for name, (latencies, statuses, wall) in runs.items():
        print(f"{name:<26}{_percentile(latencies, 50):>9.1f}{_percentile(latencies, 95):>9.1f}"
              f"{max(latencies):>9.1f}{len(latencies) / wall:>8.1f}  "
              + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items())))
    print(f"\nCPU ms per request (web server, jobs worker with its work horses, PostgreSQL "
          f"backends of the bench database, bench clients and SMTP server; whole machine "
          f"busy, of {os.cpu_count()} cores x wall):")
    for name, meter in cpu.items():
        count = len(runs[name][0])
        print(f"{name:<26}" + ", ".join(
            f"{group} {seconds * 1000 / count:.1f}" for group, seconds in meter.seconds.items())
            + f"; machine {meter.machine * 1000 / count:.1f} "
            f"({meter.machine / (meter.wall * (os.cpu_count() or 1)):.0%} busy)")
    create, baseline = runs["feedback_create"][0], runs["package_show (baseline)"][0]
    print(f"\nratio feedback_create / package_show: p50 "
          f"{_percentile(create, 50) / _percentile(baseline, 50):.2f}x, p95 "
          f"{_percentile(create, 95) / _percentile(baseline, 95):.2f}x")
    server_errors = sum(n for run in runs.values() for code, n in run[1].items() if code >= 500)
    print(f"feedback stored: {stored} / {args.items}; ratings stored: {ratings} "
          f"(one per client); 5xx: {server_errors}; routing mails delivered: {mails} / "
          f"{expected} ({admins} organization admins each), {distinct} distinct; "
          f"left in the outbox unsent: {left}")
    if args.smtp_down:
        print(f"while down: {tried} of {expected} mails tried by the worker (each refused); "
              "after: " + "; then ".join(f"flush {output}" for output in flushes))
    else:
        print(f"{tried} of {expected} mails sent by the worker; then flush {flushes[0]}")
    print(f"logs: {tracebacks} tracebacks, {warnings} outbox warning lines")
    failures = []
    if stored != args.items:
        failures.append(f"{args.items - stored} feedback items lost")
    if server_errors:
        failures.append(f"{server_errors} responses were 5xx or connection errors")
    if any(code != 200 for code in runs["feedback_create"][1]):
        failures.append("some feedback_create calls did not answer 200")
    if ratings != args.clients:
        failures.append(f"{ratings} ratings stored for {args.clients} users")
    if mails != expected or distinct != expected:
        failures.append(f"{mails} mails ({distinct} distinct) for {args.items} items to "
                        f"{admins} admins")
    if tracebacks:
        failures.append(f"{tracebacks} tracebacks in the logs")
    print("FAILED: " + "; ".join(failures) if failures else "OK: none lost, no 5xx, "
          "each mail delivered once, no traceback")
    return (1 if failures else 0), _percentile(create, 95)


if __name__ == "__main__":
    sys.exit(main())
