"""A partner CKAN's package_search replayed on 127.0.0.1 from the answer recorded on demo.ckan.org."""
from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from tests.territorial_consolidation.replay_server import (FIXTURES, Lies, Reply, ReplayServer,
                                                           json_reply)

__all__ = ["CkanPortal", "ckan_recorded", "ckan_records"]


def ckan_recorded() -> list[dict[str, Any]]:
    """The three datasets of the package_search answer recorded from demo.ckan.org."""
    body = json.loads((FIXTURES / "ckan" / "demo.ckan.org_package_search.json").read_text())
    return body["result"]["results"]


def ckan_records(count: int) -> list[dict[str, Any]]:
    """``count`` datasets made from the recorded ones: copy ``i`` of recorded dataset
    ``i % 3`` gets its own id, name, title and resource ids (derived), sorted by id."""
    recorded = ckan_recorded()
    records = []
    for index in range(count):
        record = copy.deepcopy(recorded[index % len(recorded)])
        record["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record['id']}/{index}"))
        record["name"] = f"{record['name'][:80]}-{index}"
        record["title"] = f"{record['title']} ({index})"
        for resource in record["resources"]:
            resource["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record['id']}/{resource['id']}"))
            resource["package_id"] = record["id"]
        records.append(record)
    return sorted(records, key=lambda record: record["id"])


class CkanPortal(Lies):
    """A CKAN's ``package_search``, paged by ``rows``/``start`` and sorted by id, as the
    harvester asks it."""

    PATH = "/api/3/action/package_search"

    def __init__(self, server: ReplayServer, records: list[dict[str, Any]]) -> None:
        self.server = server
        self.records = records
        server.route(self.PATH, self._search)

    def _search(self, query: dict[str, str], server: ReplayServer) -> Reply:
        rows = int(query.get("rows") or 10)
        start = int(query.get("start") or 0)
        return json_reply({"help": "", "success": True, "result": {
            "count": self.total(self.records), "sort": "id asc", "facets": {},
            "search_facets": {}, "results": self.listed(self.records, start, rows)}})
