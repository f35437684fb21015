"""A CKAN web server in a subprocess (``ckan run`` or gunicorn), for tests that need a real one."""
from __future__ import annotations

import contextlib
import pathlib
import socket
import subprocess
import time
from typing import Iterator, Mapping, Sequence

import requests

__all__ = ["free_port", "serving"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(command: Sequence[str], port: int, log_path: pathlib.Path,
            env: Mapping[str, str], cwd: pathlib.Path, start_timeout: float = 90,
            ) -> Iterator[str]:
    """Run ``command`` (a server listening on ``port``), wait until it answers
    ``status_show``, yield its base URL, then stop it. If it exits or does not answer
    within ``start_timeout`` seconds, the end of its log is raised."""
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT,
                                   env=dict(env), cwd=cwd)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    if requests.get(url + "/api/3/action/status_show", timeout=30).ok:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not serve the portal:\n"
                                       + log_path.read_text(errors="replace")[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
