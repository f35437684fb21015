"""Fragments written when datasets change: one job per burst of changes, after which the
catalogue page listing them is warm and still ckanext-dcat's page."""
from __future__ import annotations

from typing import Any

import pytest
import rdflib
from rdflib.compare import isomorphic
from redis.exceptions import ConnectionError as RedisConnectionError

import ckan.lib.jobs as jobs_lib
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from ckanext.suite_dcat import fresh, page_cache
from tests.suite_dcat.dcat_setup import MARKS, dataset_titles, graph_of, organization_with_service

pytestmark = MARKS

CACHE_OPTION = "ckanext.suite_dcat.page_cache_seconds"
TITLE = "DCAT fragments of changed datasets"


@pytest.fixture(autouse=True)
def nothing_pending() -> None:
    """Each test starts with no fragment, no change noted and no job queued."""
    client = connect_to_redis()
    for key in list(client.scan_iter(f"{page_cache.KEY_PREFIX}*")):
        client.delete(key)
    client.delete(fresh.CHANGED_KEY, fresh.QUEUED_KEY)
    jobs_lib.get_queue().empty()


def _fragment_keys() -> list[str]:
    return [key.decode() for key in connect_to_redis().scan_iter(f"{page_cache.KEY_PREFIX}*")]


def _fragment_jobs() -> list[dict[str, Any]]:
    return [job for job in helpers.call_action("job_list", {"ignore_auth": True})
            if job["title"] == TITLE]


def _page(app) -> rdflib.Graph:
    response = app.get("/catalog.ttl")
    assert response.status_code == 200, response.body[:300]
    return graph_of(response.body, "ttl")


def _page_writing_nothing(app, monkeypatch) -> rdflib.Graph:
    """The page, failing if it had to write any fragment."""
    written: list[Any] = []
    real = page_cache._written
    monkeypatch.setattr(page_cache, "_written",
                        lambda *args: written.append(args[1]["title"]) or real(*args))
    page = _page(app)
    monkeypatch.setattr(page_cache, "_written", real)
    assert written == []
    return page


def _whole_page(app) -> rdflib.Graph:
    with helpers.changed_config(CACHE_OPTION, 0):
        return _page(app)


def test_a_burst_of_changes_queues_one_job_that_warms_their_page(app, monkeypatch):
    """Three public datasets created and one updated queue a single job; once it has run,
    the page is read from their fragments and is ckanext-dcat's page. A private dataset
    is not noted and gets no fragment."""
    org = organization_with_service()
    datasets = [factories.Dataset(owner_org=org["id"], title=title, owner_service="finances",
                                  update_frequency="MONTHLY", territory_code="35238",
                                  territorial_level="commune",
                                  resources=[{"url": "https://ville.example/a.csv",
                                              "format": "CSV"}])
                for title in ("Arbres", "Bancs", "Délibérations")]
    helpers.call_action("package_patch", id=datasets[0]["id"], title="Arbres d'alignement")
    private = factories.Dataset(owner_org=org["id"], title="Privé", private=True)

    assert len(_fragment_jobs()) == 1
    noted = {member.decode() for member in connect_to_redis().smembers(fresh.CHANGED_KEY)}
    assert noted == {dataset["id"] for dataset in datasets}
    assert _fragment_keys() == []

    jobs_lib.Worker().work(burst=True)

    keys = _fragment_keys()
    assert sorted(key.split(":")[2] for key in keys) == sorted(d["id"] for d in datasets)
    assert not any(private["id"] in key for key in keys)
    assert connect_to_redis().scard(fresh.CHANGED_KEY) == 0
    page = _page_writing_nothing(app, monkeypatch)
    assert isomorphic(page, _whole_page(app))
    assert dataset_titles(page) == {"Arbres d'alignement", "Bancs", "Délibérations"}


def test_a_change_after_the_job_started_queues_the_next(app, monkeypatch):
    org = organization_with_service()
    dataset = factories.Dataset(owner_org=org["id"], title="Arbres")
    jobs_lib.Worker().work(burst=True)
    assert _fragment_jobs() == []

    helpers.call_action("package_patch", id=dataset["id"], title="Arbres remarquables")

    assert len(_fragment_jobs()) == 1
    jobs_lib.Worker().work(burst=True)
    assert dataset_titles(_page_writing_nothing(app, monkeypatch)) == {"Arbres remarquables"}


def test_the_job_writes_only_what_redis_lacks(app):
    """Run by hand twice, the job writes each fragment once."""
    org = organization_with_service()
    dataset = factories.Dataset(owner_org=org["id"], title="Arbres")
    assert fresh.write_changed() == 1
    fresh.note(dataset)
    assert fresh.write_changed() == 0
    assert len(_fragment_keys()) == 1


def test_with_the_cache_off_nothing_is_noted(app):
    with helpers.changed_config(CACHE_OPTION, 0):
        factories.Dataset(owner_org=organization_with_service()["id"], title="Arbres")
    assert _fragment_jobs() == []
    assert connect_to_redis().scard(fresh.CHANGED_KEY) == 0


def test_redis_down_does_not_stop_a_dataset_s_creation(app, monkeypatch):
    """The change is not noted (the page will write the fragment) and the dataset is
    created as usual."""
    org = organization_with_service()

    def down() -> None:
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(fresh, "connect_to_redis", down)
    dataset = factories.Dataset(owner_org=org["id"], title="Arbres")
    monkeypatch.undo()

    assert helpers.call_action("package_show", id=dataset["id"])["title"] == "Arbres"
    assert _fragment_jobs() == []
