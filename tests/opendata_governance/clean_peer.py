"""A loopback HTTP peer serving a small table without personal data, for the fixtures' files."""
from __future__ import annotations

import http.server
import threading
from typing import Optional

__all__ = ["CLEAN_CSV", "ALLOWLIST", "clean_url"]

#: Amounts by commune: nothing the personal-data scanner or statistical secrecy flags.
CLEAN_CSV = b"commune;montant\nRennes;1200\nBruz;800\nCesson-S\xc3\xa9vign\xc3\xa9;950\n"

#: The fetch_allow-list the governance tests run with, so that the checks reach this peer.
ALLOWLIST = "127.0.0.1"

_server: Optional[http.server.ThreadingHTTPServer] = None
_lock = threading.Lock()


class _CleanHandler(http.server.BaseHTTPRequestHandler):
    def _headers(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(CLEAN_CSV)))
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802  (http.server's naming)
        self._headers()

    def do_GET(self) -> None:  # noqa: N802
        self._headers()
        self.wfile.write(CLEAN_CSV)

    def log_message(self, *args: object) -> None:
        pass


def _address() -> tuple[str, int]:
    global _server
    with _lock:
        if _server is None:
            # One peer for the whole test process: fixtures build URLs outside any
            # fixture scope (factories, helper functions), so it outlives each test.
            _server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CleanHandler)
            threading.Thread(target=_server.serve_forever, daemon=True).start()
        return _server.server_address[0], _server.server_address[1]


def clean_url(name: str = "budget.csv") -> str:
    """A URL on 127.0.0.1 whose file is CLEAN_CSV, whatever the name; the checks reach it
    when fetch_allowlist holds ALLOWLIST (as the governance tests' MARKS set it)."""
    host, port = _address()
    return f"http://{host}:{port}/{name.lstrip('/')}"
