"""Fixtures of the territorial consolidation tests: the partner CKAN, harvest sources, queues."""
from __future__ import annotations

import os
from typing import Any, Callable, Iterator

import pytest

from tests.territorial_consolidation import harvest_setup


@pytest.fixture
def harvest_redis_db(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """Point ckanext-harvest's queues at this run's Redis database (``CKAN_REDIS_URL``'s),
    so that parallel runs never share a queue; test.ini says 1."""
    number = harvest_setup.redis_db_number(os.environ.get("CKAN_REDIS_URL")
                                           or ckan_config.get("ckan.redis.url"))
    monkeypatch.setitem(ckan_config, "ckan.harvest.mq.redis_db", number)
    return number


@pytest.fixture(scope="session")
def ckan_peer() -> Iterator[harvest_setup.CkanPeer]:
    """A second real CKAN on 127.0.0.1 (its own database), shared by the session."""
    url = os.environ.get("CKAN_SQLALCHEMY_URL", "postgresql://ckan@127.0.0.1:5432/ckan_test")
    peer = harvest_setup.CkanPeer(harvest_setup.peer_database(url)).start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def harvest_source() -> Callable[..., dict[str, Any]]:
    """Return a function creating a harvest source (see ``harvest_setup.make_source``)."""
    return harvest_setup.make_source
