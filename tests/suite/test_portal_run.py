"""The pieces `make run` starts: the portal's plugins, gunicorn on the WSGI entry, the
harvest scheduler and the start-up log."""
from __future__ import annotations

import configparser
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import urllib.parse
from typing import Iterator, Optional

import pytest
import requests

from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers

from tests.live_server import free_port, serving
from tests.smtp import SMTPTestServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def _portal_option(key: str) -> str:
    """An option of ``[app:main]`` in ckan.ini.in, the configuration `make run` writes."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(ROOT / "ckan.ini.in")
    return parser["app:main"][key]


def _redis_db() -> int:
    path = urllib.parse.urlsplit(os.environ.get("CKAN_REDIS_URL")
                                 or config["ckan.redis.url"]).path.strip("/")
    return int(path) if path.isdigit() else 0


def _test_ini(tmp_path: pathlib.Path, **options: str) -> pathlib.Path:
    """test.ini with ``options`` changed, its harvest queue in this run's Redis database."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    main["ckan.harvest.mq.redis_db"] = str(_redis_db())
    for key, value in options.items():
        main[key] = value
    path = tmp_path / "portal.ini"
    with path.open("w") as ini:
        parser.write(ini)
    return path


@pytest.mark.ckan_config("ckan.plugins", _portal_option("ckan.plugins"))
@pytest.mark.ckan_config("scheming.dataset_schemas", _portal_option("scheming.dataset_schemas"))
@pytest.mark.ckan_config("scheming.organization_schemas",
                         _portal_option("scheming.organization_schemas"))
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_portal_configuration_offers_the_four_harvesters():
    """With ckan.ini.in's plugins an administrator can add each kind of partner portal."""
    names = {harvester["name"] for harvester in helpers.call_action("harvesters_info_show")}
    assert names == {"territorial_ckan", "territorial_udata", "territorial_ods",
                     "territorial_dcat"}


def test_portal_configuration_shares_ckan_redis_url_with_the_harvest_queues():
    """ckan.ini.in names no separate Redis for the harvest queues, so CKAN_REDIS_URL moves
    the jobs and the harvest queues together."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(ROOT / "ckan.ini.in")
    assert not [key for key in parser["app:main"] if key.startswith("ckan.harvest.mq.")
                and key != "ckan.harvest.mq.type"]


@pytest.fixture
def gunicorn(tmp_path: pathlib.Path) -> Iterator[str]:
    """gunicorn started as `make run` starts it (same settings module, two workers),
    on a free port against the test database; its base URL."""
    port = free_port()
    ini = _test_ini(tmp_path, **{"ckan.plugins": "postgres_search reuse_tracker",
                                 "ckan.site_url": f"http://127.0.0.1:{port}"})
    env = dict(os.environ, CKAN_INI=str(ini), WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="2")
    env.pop("CKAN_SITE_URL", None)
    command = [str(BIN / "gunicorn"), "-c", "python:ckanext.suite.gunicorn_conf"]
    with serving(command, port, tmp_path / "gunicorn.log", env, ROOT) as url:
        yield url


@pytest.mark.ckan_config("ckan.plugins", "postgres_search reuse_tracker")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_gunicorn_serves_the_api_through_the_wsgi_entry(gunicorn: str):
    """The WSGI entry builds CKAN from CKAN_INI: the action API answers with our plugins."""
    response = requests.get(gunicorn + "/api/3/action/status_show", timeout=30)
    assert response.status_code == 200
    assert response.headers["Server"].startswith("gunicorn")
    result = response.json()["result"]
    assert "reuse_tracker" in result["extensions"]
    assert result["site_url"] == gunicorn


@pytest.mark.ckan_config("ckan.plugins", "postgres_search reuse_tracker")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_gunicorn_serves_core_and_plugin_static_files_with_caching(gunicorn: str):
    """Core's and the plugins' public files come with Cache-Control and a validator, and a
    second request with that validator costs a 304; unknown paths still reach CKAN."""
    for path in ("/base/images/placeholder-user.png", "/reuse_tracker/reuses.css"):
        response = requests.get(gunicorn + path, timeout=30)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "max-age=3600, public", path
        again = requests.get(gunicorn + path, timeout=30,
                             headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, path
    missing = requests.get(gunicorn + "/base/images/no-such-file.png", timeout=30)
    assert missing.status_code == 404


@pytest.mark.ckan_config("ckan.plugins", "postgres_search reuse_tracker")
@pytest.mark.usefixtures("with_plugins")
def test_static_folders_let_plugins_override_core():
    """Plugin folders come after core's, as WhiteNoise lets a later folder win, and the
    compiled webassets are served under their URL."""
    from ckanext.suite import wsgi

    folders = wsgi.static_folders(config)
    paths = [folder for folder, _prefix in folders]
    core = next(i for i, path in enumerate(paths) if path.endswith("ckan/public"))
    plugin = next(i for i, path in enumerate(paths) if path.endswith("reuse_tracker/public"))
    assert core < plugin
    assert all(prefix in ("", "webassets/") for _folder, prefix in folders)


def _finished_gather_job() -> str:
    """A harvest job whose gather is over and which has nothing left to import: the state
    in which only ``harvester run`` marks it finished."""
    from ckanext.harvest.model import HarvestJob

    organization = factories.Organization()
    source = helpers.call_action(
        "harvest_source_create", {"user": factories.Sysadmin()["name"]},
        name="partenaire", title="Partenaire", url="http://127.0.0.1:1/",
        source_type="territorial_ckan", owner_org=organization["id"],
        config=json.dumps({"territory": "commune:35238"}))
    site_user = helpers.call_action("get_site_user")["name"]
    job_dict = helpers.call_action("harvest_job_create", {"user": site_user},
                                   source_id=source["id"], run=False)
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.gather_started = job.gather_finished = dt.datetime.utcnow()
    job.save()
    model.Session.remove()
    return job_dict["id"]


def _job_status(job_id: str) -> Optional[str]:
    from ckanext.harvest.model import HarvestJob

    model.Session.remove()
    job = HarvestJob.get(job_id)
    return job.status if job else None


@pytest.mark.ckan_config("ckan.plugins", "postgres_search harvest territorial_consolidation "
                         "territorial_ckan_harvester")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_scheduler_once_runs_harvester_run(tmp_path: pathlib.Path):
    """``harvest_scheduler.py --once`` runs ``ckan harvester run``: a job whose gather is over
    is marked finished, and the run's exit code is the scheduler's."""
    job_id = _finished_gather_job()
    ini = _test_ini(tmp_path, **{"ckan.plugins": "postgres_search harvest "
                                 "territorial_consolidation territorial_ckan_harvester"})
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "harvest_scheduler.py"), "-c", str(ini),
         "--once"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "harvester run finished (exit code 0)" in result.stdout
    assert _job_status(job_id) == "Finished"


@pytest.mark.ckan_config("ckan.plugins", "postgres_search reuse_tracker")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_scheduler_also_flushes_the_mail_outbox(tmp_path: pathlib.Path):
    """``make run`` gives the scheduler ``--command "mail-outbox flush"`` too: a mail left
    in the outbox (the worker could not send it) reaches the mail server."""
    from ckanext.suite import mail as outbox

    server = SMTPTestServer()
    server.start()
    try:
        outbox.queue("reuse_tracker", [("Agent", "agent@example.org")], "Objet", "Corps")
        ini = _test_ini(tmp_path, **{"ckan.plugins": "postgres_search reuse_tracker",
                                     "smtp.server": f"127.0.0.1:{server.port}",
                                     "smtp.mail_from": "portail@example.org"})
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "harvest_scheduler.py"), "-c", str(ini),
             "--once", "--command", "mail-outbox flush"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "mail-outbox flush finished (exit code 0)" in result.stdout
        assert [message["To"] for message in server.messages] == ["Agent <agent@example.org>"]
    finally:
        server.stop()


def test_scheduler_reports_a_failing_run(tmp_path: pathlib.Path):
    """A run that fails (here: no such configuration file) is logged with its exit code,
    which ``--once`` passes on."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "harvest_scheduler.py"),
         "-c", str(tmp_path / "missing.ini"), "--once"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"harvester run finished (exit code {result.returncode})" in result.stdout


_LOG_PROBE = r"""
import logging, logging.config, sys
logging.config.fileConfig(sys.argv[1], disable_existing_loggers=False)
try:
    raise ConnectionRefusedError(111, "Connection refused")
except ConnectionRefusedError as error:
    logging.getLogger("ckan.lib.mailer").exception(error)
try:
    raise ValueError("a real bug")
except ValueError:
    logging.getLogger("ckan.views").exception("unexpected")
"""


def test_portal_logging_keeps_failed_mails_on_one_line():
    """With ckan.ini.in's logging, core's failed-SMTP record is one line without traceback,
    while other errors keep theirs."""
    result = subprocess.run([sys.executable, "-c", _LOG_PROBE, str(ROOT / "ckan.ini.in")],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    mailer = [line for line in result.stderr.splitlines() if "[ckan.lib.mailer]" in line]
    assert len(mailer) == 1 and "Connection refused" in mailer[0]
    assert result.stderr.count("Traceback") == 1
    assert "ValueError: a real bug" in result.stderr


def test_validation_table_is_created_without_loading_plugins():
    """`make run`'s first step creates ckanext-validation's table from the database URL
    alone, once (a second call finds it)."""
    import sqlalchemy as sa

    from ckanext.suite import validation_compat

    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS validation"))
    url = str(model.meta.engine.url.render_as_string(hide_password=False))
    assert validation_compat.create_table_at(url) is True
    assert sa.inspect(model.meta.engine).has_table("validation")
    assert validation_compat.create_table_at(url) is False
