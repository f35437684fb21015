"""Shared set-up of the harvest tests: plugins, a second real CKAN as partner, sources and runs."""
from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from typing import Any, Optional

import pytest
import requests

from ckan import model
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: In ckan.ini.in's order: territorial_consolidation's harvest templates before harvest's.
PLUGINS = ("postgres_search scheming_datasets opendata_governance "
           "territorial_consolidation harvest territorial_ckan_harvester")
SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"
PASSWORD = "Correct-horse-battery-1"
SOURCE_TYPE = "territorial_ckan"

#: Marks every harvest test: our plugins, the portal's schema, a clean database, and a
#: harvest queue in this run's own Redis database.
MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.ckan_config("ckanext.territorial_consolidation.harvest_allowlist",
                            "127.0.0.1"),
    pytest.mark.ckan_config("ckanext.territorial_consolidation.harvest_retries", "0"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "harvest_redis_db"),
]


def redis_db_number(url: Optional[str]) -> int:
    """The database number of a Redis URL (``redis://host:port/8`` → 8; none → 0)."""
    path = urllib.parse.urlsplit(url or "").path.strip("/")
    return int(path) if path.isdigit() else 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peer_database(test_url: str) -> str:
    """The partner's database name beside the test database: ``x`` → ``x_peer``, and
    ``x_212`` → ``x_peer_212``."""
    name = urllib.parse.urlsplit(test_url).path.strip("/") or "ckan_test"
    if name.endswith("_212"):
        return name[:-4] + "_peer_212"
    return name + "_peer"


_PEER_INIT = r"""
import contextlib, io, sys
from ckan.cli.cli import ckan
ini, password = sys.argv[1], sys.argv[2]
for args in (["db", "init"], ["db", "upgrade", "-p", "postgres_search"],
             ["user", "add", "peeradmin", "email=peer@example.org", "password=" + password],
             ["sysadmin", "add", "peeradmin"]):
    ckan.main(["-c", ini, *args], standalone_mode=False)
out = io.StringIO()
with contextlib.redirect_stdout(out):
    ckan.main(["-c", ini, "user", "token", "add", "peeradmin", "harvest", "--quiet"],
              standalone_mode=False)
print("TOKEN=" + out.getvalue().strip().splitlines()[-1])
"""


class CkanPeer:
    """A second, real CKAN (this suite's test configuration on its own database, plugin
    postgres_search only, like a plain partner portal) served by ``ckan run`` on 127.0.0.1.

    :param database: the partner's database (dropped and re-created by :meth:`start`)
    """

    def __init__(self, database: str, python: str = sys.executable,
                 ini: pathlib.Path = ROOT / "test.ini") -> None:
        self.database = database
        self.python = python
        self.ini = ini
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = ""
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._log = None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["CKAN_SQLALCHEMY_URL"] = f"postgresql://ckan@127.0.0.1:5432/{self.database}"
        env["CKAN_SITE_URL"] = self.url
        env["CKAN_INI"] = str(self.ini)
        return env

    def start(self) -> "CkanPeer":
        # A fresh database each session: the partner starts empty.
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                        f'DROP DATABASE IF EXISTS "{self.database}"'], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(ROOT / "scripts" / "ensure-db.sh"), self.database], check=True,
                       stdout=subprocess.DEVNULL)
        init = subprocess.run([self.python, "-c", _PEER_INIT, str(self.ini), PASSWORD],
                              env=self._env(), capture_output=True, text=True, check=True)
        self.token = [line for line in init.stdout.splitlines()
                      if line.startswith("TOKEN=")][-1][len("TOKEN="):]
        ckan = pathlib.Path(self.python).with_name("ckan")
        self._log = open(f"/tmp/ckan-peer-{self.database}.log", "wb")
        self._process = subprocess.Popen(
            [str(ckan), "-c", str(self.ini), "run", "-H", "127.0.0.1", "-p", str(self.port),
             "--disable-reloader", "-t"],
            env=self._env(), stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the partner CKAN stopped; see {self._log.name}")
            try:
                if requests.get(self.url + "/api/3/action/status_show", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("the partner CKAN did not start within 60 s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        if self._log is not None:
            self._log.close()

    def call(self, action: str, **data: Any) -> Any:
        """Call an action of the partner over HTTP as its sysadmin."""
        response = requests.post(f"{self.url}/api/3/action/{action}", json=data,
                                 headers={"Authorization": self.token}, timeout=60)
        body = response.json()
        if not body.get("success"):
            raise AssertionError(f"{action} failed on the partner: {body.get('error')}")
        return body["result"]

    def organization(self) -> dict[str, Any]:
        """A new organization on the partner: each test harvests its own."""
        return self.call("organization_create", name=f"org-{uuid.uuid4().hex[:12]}",
                         title="Ville partenaire")

    def dataset(self, organization: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A public dataset of ``organization`` on the partner, with two resources."""
        name = fields.pop("name", None) or f"ds-{uuid.uuid4().hex[:12]}"
        data = {
            "name": name, "title": fields.pop("title", f"Jeu {name}"),
            "notes": "Données de la ville", "owner_org": organization["id"],
            "license_id": "odc-odbl", "private": False,
            "tags": [{"name": "budget"}],
            "extras": [{"key": "frequency", "value": "monthly"}],
            "resources": [
                {"name": "Données CSV", "format": "CSV",
                 "url": f"https://data.ville.example/{name}.csv"},
                {"name": "Données JSON", "format": "JSON",
                 "url": f"https://data.ville.example/{name}.json",
                 "conforms_to": "https://schema.data.gouv.fr/schemas/scdl/subventions/"
                                "2.1.1/schema.json"},
            ],
        }
        data.update(fields)
        return self.call("package_create", **data)


def make_source(organization: dict[str, Any], url: str, config: Optional[dict] = None,
                user: Optional[dict[str, Any]] = None, source_type: str = SOURCE_TYPE,
                ) -> dict[str, Any]:
    """A harvest source of ``organization`` created through ckanext-harvest's action."""
    user = user or factories.Sysadmin()
    return helpers.call_action(
        "harvest_source_create", {"user": user["name"]},
        name=f"source-{uuid.uuid4().hex[:10]}", title="Portail partenaire", url=url,
        source_type=source_type, owner_org=organization["id"],
        config=json.dumps(config if config is not None
                          else {"territory": "commune:35238"}))


def run_job(source_id: str) -> HarvestJob:
    """Run one harvest job of the source synchronously (gather, fetch, import), then let
    ckanext-harvest mark it finished, as its queues and ``harvester run`` would."""
    from ckanext.harvest.tests import lib

    user = helpers.call_action("get_site_user")["name"]
    job_dict = helpers.call_action("harvest_job_create", {"user": user},
                                   source_id=source_id, run=False)
    job = HarvestJob.get(job_dict["id"])
    harvester = queue.get_harvester(job.source.type)
    lib.run_harvest_job(job, harvester)
    helpers.call_action("harvest_jobs_run", {"user": user}, source_id=source_id)
    model.Session.remove()
    return HarvestJob.get(job_dict["id"])


def harvested(source_id: str) -> dict[str, dict[str, Any]]:
    """The local datasets of a source, by remote id, as package_show gives them."""
    from ckanext.territorial_consolidation.model import Provenance

    rows = model.Session.query(Provenance).filter_by(harvest_source_id=source_id).all()
    result = {}
    for row in rows:
        result[row.remote_id] = helpers.call_action("package_show", id=row.package_id)
    return result


def extras_of(package: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in package.get("extras") or []}


__all__ = ["CkanPeer", "MARKS", "PLUGINS", "SCHEMA", "extras_of", "free_port", "harvested",
           "job_errors", "make_source", "peer_database", "redis_db_number", "run_job"]


def job_errors(job: HarvestJob) -> list[str]:
    """Gather and object error messages of a job."""
    from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError

    messages = [e.message for e in model.Session.query(HarvestGatherError)
                .filter_by(harvest_job_id=job.id)]
    messages += [e.message for e in model.Session.query(HarvestObjectError)
                 .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
                 .filter(HarvestObject.harvest_job_id == job.id)]
    return messages
