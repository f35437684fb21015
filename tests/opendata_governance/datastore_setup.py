"""Shared set-up of the DataStore tests: the real DataStore, ckanext-xloader, and the
portal served over HTTP on 127.0.0.1 (the worker downloads uploads from it and reports
back to it, as in production)."""
from __future__ import annotations

import threading
from typing import Any, Iterator, Optional

import pytest
import rq
from werkzeug.serving import make_server

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.config.middleware import make_app
from ckan.lib import jobs as jobs_lib
from ckan.tests import helpers

PLUGINS = "postgres_search datastore xloader datatables_view text_view image_view opendata_governance"
MARKS = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
         pytest.mark.ckan_config("ckanext.xloader.formats", "csv tsv xls xlsx ods"),
         pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_queues")]


@pytest.fixture
def served_portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The portal's WSGI application served on a free loopback port, with
    ckanext-xloader pointed at it and given a token of the site user; its URL."""
    site_user = helpers.call_action("get_site_user", {"ignore_auth": True})
    token = helpers.call_action("api_token_create", {"ignore_auth": True,
                                                     "user": site_user["name"]},
                                user=site_user["name"], name="xloader")["token"]
    monkeypatch.setitem(tk.config, "ckanext.xloader.api_token", token)
    server = make_server("127.0.0.1", 0, make_app(tk.config), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(tk.config, "ckanext.xloader.site_url", url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


class _InProcessWorker(jobs_lib.Worker):
    """CKAN's worker running each job in the test process instead of a forked work
    horse: the same queue, registries, job functions and clean-up after each job
    (``perform_job``), without the horse's ``load_environment``, which costs a second
    per job and dominated the DataStore tests' time."""

    def execute_job(self, job: Any, queue: Any) -> None:
        model.Session.remove()
        rq.SimpleWorker.execute_job(self, job, queue)


def run_jobs(fork: Optional[bool] = None) -> None:
    """Run every queued job (xloader's included) until the queue is empty: in forked
    work horses as the portal's worker does, or in this process.

    In this process by default on CKAN 2.11 only. On 2.12 a job run in the test process
    waits until timeouts end it (the data dictionary's ALTER TABLE after xloader's
    load: seen as 80 s and untyped columns, not yet understood), so 2.12 forks."""
    if fork is None:
        fork = tk.check_ckan_version(min_version="2.12")
    worker = jobs_lib.Worker() if fork else _InProcessWorker()
    worker.work(burst=True)


def datastore_records(resource_id: str, **params: Any) -> dict[str, Any]:
    return helpers.call_action("datastore_search", {"ignore_auth": True},
                               resource_id=resource_id, **params)


def upload_resource(content: bytes, filename: str, name: str, fmt: str = "CSV",
                    dataset: dict[str, Any] | None = None) -> dict[str, Any]:
    """A resource of ``dataset`` (a new one by default) uploaded by a sysadmin, as the
    resource form sends a file; xloader's job is queued (``run_jobs`` runs it)."""
    from ckan.tests import factories

    from tests.opendata_governance.checks_setup import upload

    user = factories.Sysadmin()
    dataset = dataset or factories.Dataset()
    return helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name=name, format=fmt, upload=upload(content, filename))
