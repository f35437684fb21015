"""CPU time spent by each part of a benchmark run, read from /proc (Linux).

``CPUMeter(roots, groups)`` samples every process a few times a second while it
runs (``with meter: ...``) and adds up, per group, the CPU time (user + system)
each process spent inside the window. A group is a process started by the
benchmark with its descendants (``roots``: name -> pid), or a test on the
command line of any other process (``groups``). Children that a process of a
``children_of`` group forks (rq's work horses, one per job) count while they run
and, once reaped, through their parent's children's time; a process that starts
and ends between two samples without such a parent is not seen, so the figures
are a floor.
"""
from __future__ import annotations

import os
import pathlib
import threading
from typing import Callable, Optional

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> Optional[tuple[int, float, float]]:
    """(parent pid, own CPU seconds, reaped children's CPU seconds)."""
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    # After the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 1-based 14..17.
    own = (int(fields[11]) + int(fields[12])) / _TICK
    children = (int(fields[13]) + int(fields[14])) / _TICK
    return int(fields[1]), own, children


def _cmdline(pid: str) -> str:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in pathlib.Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


class CPUMeter:
    def __init__(self, roots: dict[str, int], groups: dict[str, Callable[[str], bool]],
                 period: float = 0.2, children_of: tuple[str, ...] = ()) -> None:
        """``children_of``: the groups whose processes' reaped children count for them
        (their live children are then left out, so as not to count them twice)."""
        self.roots = {str(pid): name for name, pid in roots.items()}
        self.groups = groups
        self.period = period
        self.children_of = children_of
        self._first: dict[str, tuple[float, float]] = {}
        self._last: dict[str, tuple[int, float, float]] = {}
        self._group: dict[str, Optional[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.seconds: dict[str, float] = {}
        self.machine = 0.0
        self.wall = 0.0

    def _classify(self, pid: str) -> Optional[str]:
        if pid not in self._group:
            self._group[pid] = self._root_group(pid)
            if self._group[pid] is None:
                command = _cmdline(pid)
                self._group[pid] = next((name for name, test in self.groups.items()
                                         if command and test(command)), None)
        return self._group[pid]

    def _root_group(self, pid: str) -> Optional[str]:
        for _level in range(4):
            if pid in self.roots:
                return self.roots[pid]
            stat = _stat(pid)
            if stat is None or stat[0] <= 1:
                return None
            pid = str(stat[0])
        return None

    def _sample(self, first: bool) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            stat = _stat(entry.name)
            if stat is None:
                continue
            if self._classify(entry.name) is None:
                continue
            if first:
                self._first[entry.name] = stat[1:]
            self._last[entry.name] = stat

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self._sample(first=False)

    def __enter__(self) -> "CPUMeter":
        import time
        self._start = time.monotonic()
        self._busy = machine_busy()[0]
        self._sample(first=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        import time
        self._stop.set()
        self._thread.join()
        self._sample(first=False)
        self.wall = time.monotonic() - self._start
        self.machine = machine_busy()[0] - self._busy
        parents = {pid for pid, group in self._group.items() if group in self.children_of}
        seconds = {name: 0.0 for name in [*self.roots.values(), *self.groups]}
        for pid, (ppid, own, children) in self._last.items():
            group = self._group[pid]
            if group is None:
                continue
            if str(ppid) in parents and _stat(pid) is None:
                continue  # reaped: counted in its parent's children's time
            own0, children0 = self._first.get(pid, (0.0, 0.0))
            seconds[group] += own - own0
            if group in self.children_of:
                seconds[group] += children - children0
        self.seconds = seconds
