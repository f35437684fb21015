"""The CKAN partner harvester's mapping, filters and its handling of lying partners."""
from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest

from ckanext.territorial_consolidation.harvesters.base import RemoteDataset
from ckanext.territorial_consolidation.harvesters.ckan import TerritorialCkanHarvester
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from tests.territorial_consolidation.replay_server import FIXTURES

RECORD = {
    "id": "0b8e5b0a-1111-4222-8333-444455556666", "name": "budget-primitif",
    "title": "Budget primitif", "notes": "Le budget voté", "private": False, "state": "active",
    "license_id": "lov2", "license_title": "Licence Ouverte v2.0",
    "metadata_modified": "2026-10-01T08:30:00.123456",
    "organization": {"name": "ville-de-rennes"},
    "tags": [{"name": "Finances Publiques"}, {"name": "budget"}],
    "tracking_summary": {"total": 12},
    "extras": [{"key": "frequency", "value": "http://purl.org/cld/freq/annual"},
               {"key": "uri", "value": "https://data.rennes.fr/dataset/budget-primitif"},
               {"key": "harvest_object_id", "value": "x"},
               {"key": "temporal_start", "value": "2026-01-01"}],
    "resources": [
        {"id": "r1", "name": "Budget 2026", "format": "CSV", "url": "https://data.rennes.fr/b.csv",
         "schema": "https://schema.data.gouv.fr/scdl/budget/schema.json"},
        {"id": "r2", "name": "Sans URL", "format": "PDF", "url": ""},
    ],
}


def _remote() -> RemoteDataset:
    return TerritorialCkanHarvester._remote("https://data.rennes.fr", RECORD)


def test_remote_record_identity():
    """The remote id, page, modified date and declared URI come from the CKAN record."""
    remote = _remote()
    assert remote.remote_id == RECORD["id"]
    assert remote.remote_url == "https://data.rennes.fr/dataset/budget-primitif"
    assert remote.modified == dt.datetime(2026, 10, 1, 8, 30, 0, 123456)
    assert remote.identifier == "https://data.rennes.fr/dataset/budget-primitif"
    assert "tracking_summary" not in remote.raw


def test_package_maps_licence_frequency_and_tags():
    """Licence and frequency are mapped to portal values and tags are munged."""
    package = TerritorialCkanHarvester().to_package(_remote(), {})
    assert package["license_id"] == "etalab-2.0"
    assert package["update_frequency"] == "ANNUAL"
    assert [t["name"] for t in package["tags"]] == ["finances-publiques", "budget"]


def test_recorded_partner_licences_map_into_the_register():
    """demo.ckan.org's recorded records: CKAN's "cc-by" becomes the register's
    "cc-by-4.0", its "other-open" (unknown to the register) "notspecified"."""
    path = FIXTURES / "ckan" / "demo.ckan.org_package_search.json"
    records = json.loads(path.read_text())["result"]["results"]
    mapped = {record["license_id"]: TerritorialCkanHarvester().to_package(
        TerritorialCkanHarvester._remote("https://demo.ckan.org", record), {})["license_id"]
        for record in records}
    assert mapped == {"cc-by": "cc-by-4.0", "other-open": "notspecified"}


def test_package_resources_keep_remote_id_and_schema():
    """Resources carry remote_id and conforms_to; one without URL is left out."""
    package = TerritorialCkanHarvester().to_package(_remote(), {})
    assert package["resources"] == [{
        "url": "https://data.rennes.fr/b.csv", "name": "Budget 2026", "format": "CSV",
        "description": "", "remote_id": "r1",
        "conforms_to": "https://schema.data.gouv.fr/scdl/budget/schema.json"}]


def test_package_extras_drop_partner_harvest_keys():
    """The partner's own harvest extras are not copied; temporal coverage is."""
    extras = {e["key"]: e["value"] for e in
              TerritorialCkanHarvester().to_package(_remote(), {})["extras"]}
    assert "harvest_object_id" not in extras and "frequency" not in extras
    assert extras["temporal_start"] == "2026-01-01"


@pytest.mark.parametrize("url", ["https://data.rennes.fr", "https://data.rennes.fr/",
                                 "https://data.rennes.fr/api/3/action",
                                 "https://data.rennes.fr/api/3"])
def test_api_base_accepts_portal_or_api_url(url):
    """The portal root is found from its home or API address."""
    assert TerritorialCkanHarvester.api_base(url) == "https://data.rennes.fr"


def test_filters_become_a_search_filter():
    """Organization and group filters and the incremental date become an fq query."""
    fq = TerritorialCkanHarvester()._fq(
        {"filters": {"organizations": ["a", "b"], "organizations_exclude": ["c"],
                     "groups": ["g"]}}, dt.datetime(2026, 1, 2, 3, 4, 5))
    assert fq == ('organization:("a" OR "b") -organization:"c" groups:("g") '
                  'metadata_modified:{2026-01-02T03:04:05.000000Z TO *]')


def test_unknown_filter_is_refused():
    """A filter key the CKAN harvester does not know is refused, naming it."""
    with pytest.raises(ValueError, match="tags"):
        TerritorialCkanHarvester().parse_config({"filters": {"tags": ["x"]}})


@pytest.fixture
def partner() -> Iterator[Callable[[Callable[[int], Any]], str]]:
    """A tiny partner on 127.0.0.1 whose answer to each package_search page is scripted."""
    servers = []

    def start(answer: Callable[[int], Any]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                start_at = int(self.path.split("start=")[1].split("&")[0])
                body = answer(start_at)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def _list(url: str) -> list[str]:
    client = HarvestClient(allowlist=["127.0.0.1"], retries=0)
    harvester = TerritorialCkanHarvester()
    return [r.remote_id for r in harvester.iter_remote(url, {"page_size": 2}, client, None)]


def _page(count: int, ids: list[str]) -> dict[str, Any]:
    return {"success": True, "result": {"count": count, "results": [
        {"id": i, "name": i, "state": "active"} for i in ids]}}


def test_pages_are_followed_until_count(partner):
    """package_search pages are followed until the announced count is reached."""
    url = partner(lambda start: _page(3, ["a", "b", "c"][start:start + 2]))
    assert _list(url) == ["a", "b", "c"]


def test_count_changing_while_paging_is_an_error(partner):
    """A partner whose count changes during paging fails the gather (it may have skipped some)."""
    url = partner(lambda start: _page(3 if start == 0 else 2, ["a", "b", "c"][start:start + 2]))
    with pytest.raises(HarvestFetchError, match="changed"):
        _list(url)


@pytest.mark.parametrize("body", [b"<html>maintenance</html>",
                                  {"success": False, "error": {"message": "boom"}},
                                  {"success": True, "result": {"count": "3"}}])
def test_lying_partner_is_an_error(partner, body):
    """Invalid JSON, an unsuccessful answer or a malformed result fail the gather."""
    url = partner(lambda start: body)
    with pytest.raises(HarvestFetchError):
        _list(url)


def test_private_records_listed_by_mistake_are_skipped(partner):
    """A record flagged private in a partner's answer is never listed."""
    page = _page(2, ["a", "b"])
    page["result"]["results"][1]["private"] = True
    url = partner(lambda start: page)
    assert _list(url) == ["a"]
