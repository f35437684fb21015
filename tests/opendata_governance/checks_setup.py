"""Shared set-up of the data checks tests: a loopback HTTP server serving files, uploads."""
from __future__ import annotations

import functools
import http.server
import io
import pathlib
import threading
from typing import Any, Iterator

import pytest
from werkzeug.datastructures import FileStorage

from ckan.tests import helpers

from ckanext.opendata_governance import checks

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
SUBVENTIONS = FIXTURES / "scdl" / "subventions"


@pytest.fixture
def file_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving the test fixtures folder; its URL."""
    handler = functools.partial(_QuietHandler, directory=str(FIXTURES))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def upload(content: bytes, name: str = "data.csv") -> FileStorage:
    """A file as the resource form sends it."""
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type="text/csv")


def result_of(check_id: str, package_id: str,
              resource_id: str | None = None) -> dict[str, Any]:
    """The result of one check on a stored dataset (and one of its resources)."""
    package = helpers.call_action("package_show", id=package_id)
    results = [r for r in checks.run_all(package, resource_ids=[resource_id] if resource_id
                                         else None)
               if r["check_id"] == check_id and (resource_id is None
                                                 or r["resource_id"] == resource_id)]
    assert len(results) == 1, results
    return results[0]
