"""The shared SSRF-safe client's time limit holds against a server that drips its body."""
from __future__ import annotations

import http.server
import threading
import time
from typing import Iterator

import pytest

from ckanext.suite import safe_http


class _Drip(http.server.BaseHTTPRequestHandler):
    finished = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):  # 100 bytes over 20 seconds
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
            _Drip.finished.set()
        except OSError:
            pass  # the client hung up, as it should

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip_server() -> Iterator[str]:
    _Drip.finished.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow"
    server.shutdown()
    server.server_close()


def test_a_dripping_body_is_cut_at_the_deadline(drip_server: str):
    """A body sent a byte at a time fails with the time limit, long before the server ends."""
    with pytest.raises(safe_http.FetchError) as raised:
        with safe_http.fetch(drip_server, max_bytes=1000, timeout=1,
                             allowlist=["127.0.0.1"]) as fetched:
            fetched.read()
    assert raised.value.retryable
    assert not _Drip.finished.is_set()
