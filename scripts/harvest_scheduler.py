#!/usr/bin/env python3
"""Run ``ckan harvester run`` (or other ``ckan`` commands) every minute, as cron would,
until stopped.

``harvester run`` sends the jobs created from the web interface (or due by their
source's schedule) to the gather queue and marks finished jobs as such; without it a
job waits forever. ``make run`` also gives ``--command "mail-outbox flush"``, which
retries the mails the mail server refused. Usage::

    harvest_scheduler.py -c ckan.ini [--command "harvester run" ...] [--every 60]
                         [--once] [--ckan PATH]

Each run is a fresh ``ckan`` process (what cron or a systemd timer does), so a failing
run is logged and the next one still happens. SIGINT/SIGTERM stop the loop and the
run in progress.
"""
from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import signal
import subprocess
import sys
import threading
from typing import Optional

__all__ = ["main", "run_once"]

_stop = threading.Event()
_current: Optional[subprocess.Popen[bytes]] = None


def _log(message: str) -> None:
    print(f"{dt.datetime.now().isoformat(timespec='seconds')} {message}", flush=True)


def run_once(ckan: str, ini: str, timeout: float, command: str = "harvester run") -> int:
    """One ``ckan -c INI COMMAND``; its output goes to ours. Returns its exit code."""
    global _current
    _current = subprocess.Popen([ckan, "-c", ini, *command.split()])
    try:
        code = _current.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _current.kill()
        code = _current.wait()
        _log(f"{command} killed after {timeout:.0f} s")
    finally:
        _current = None
    _log(f"{command} finished (exit code {code})")
    return code


def _stop_on_signal(signum: int, frame: object) -> None:
    _stop.set()
    if _current is not None and _current.poll() is None:
        _current.terminate()


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="the CKAN configuration file")
    parser.add_argument("--command", action="append", metavar="COMMAND",
                        help='a ckan command to run, e.g. "mail-outbox flush" (repeatable; '
                             'default: "harvester run")')
    parser.add_argument("--every", type=float, default=60.0, help="seconds between runs")
    parser.add_argument("--once", action="store_true",
                        help="run each command once and exit with the first failing code")
    parser.add_argument("--ckan", default=str(pathlib.Path(sys.executable).with_name("ckan")),
                        help="the ckan command (default: the one beside this Python)")
    args = parser.parse_args(argv)
    commands = args.command or ["harvester run"]
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    # A run never takes longer than the interval: the next one would pile up behind it.
    timeout = max(args.every, 30.0)
    if args.once:
        codes = [run_once(args.ckan, args.config, timeout, command) for command in commands]
        return next((code for code in codes if code), 0)
    _log("running {} every {:.0f} s".format(
        ", ".join(f"'ckan {command}'" for command in commands), args.every))
    while not _stop.is_set():
        for command in commands:
            if not _stop.is_set():
                run_once(args.ckan, args.config, timeout, command)
        _stop.wait(args.every)
    _log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
