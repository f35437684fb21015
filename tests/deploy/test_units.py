"""deploy/: the systemd units pass `systemd-analyze verify`, the timers run the README's cron
lines, the nginx site passes `nginx -t`, and the production ini generator's output."""
from __future__ import annotations

import configparser
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from tests.deploy import live

DEPLOY = live.ROOT / "deploy"
UNITS = DEPLOY / "systemd"
VENV = pathlib.Path(sys.executable).parent.parent
SERVICES = ("ckan-web", "ckan-worker", "ckan-gather", "ckan-fetch")


def _installed_units(target: pathlib.Path) -> list[pathlib.Path]:
    """The units as an administrator installs them, with this checkout and virtualenv
    standing for /opt/ckan/src and /opt/ckan/venv."""
    copies = []
    for unit in sorted(UNITS.iterdir()):
        text = (unit.read_text().replace("/opt/ckan/venv", str(VENV))
                .replace("/opt/ckan/src", str(live.ROOT)))
        copy = target / unit.name
        copy.write_text(text)
        copies.append(copy)
    return copies


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def test_units_pass_systemd_analyze_verify(tmp_path):
    """systemd's own checker accepts every unit: directives, commands that exist, calendars."""
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--generators=no",
         *map(str, _installed_units(tmp_path))], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_verify_catches_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt directive and a missing program are reported."""
    broken = tmp_path / "ckan-broken.service"
    broken.write_text("[Service]\nExecStart=/nonexistent/ckan jobs worker\nRestrat=always\n")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", "--generators=no",
                             str(broken)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "Restrat" in result.stderr and "/nonexistent/ckan" in result.stderr


def test_long_running_services_run_web_jobs_and_harvest_consumers():
    """The web service runs gunicorn with the suite's settings; the others CKAN's worker commands."""
    commands = {name: _unit(f"{name}.service")["Service"]["ExecStart"] for name in SERVICES}
    assert "/opt/ckan/venv/bin/gunicorn " in commands["ckan-web"]
    assert commands["ckan-web"].endswith("--config python:ckanext.suite.gunicorn_conf")
    assert commands["ckan-worker"].endswith(" jobs worker")
    assert commands["ckan-gather"].endswith(" harvester gather-consumer")
    assert commands["ckan-fetch"].endswith(" harvester fetch-consumer")
    target = _unit("ckan.target")["Unit"]
    timers = [f"{timer.name}" for timer in UNITS.glob("*.timer")]
    assert set(target["Wants"].split()) == {f"{name}.service" for name in SERVICES} | set(timers)


def _readme_cron() -> dict[str, str]:
    """The README's cron lines: command after the ini → the cron schedule."""
    readme = (live.ROOT / "README.md").read_text()
    return {command.strip(): schedule for schedule, command in re.findall(
        r"`([\d*/]+ [\d*/]+ \* \* \*) ckan -c /etc/ckan/ckan.ini ([^`]+)`", readme)}


def _calendar(expression: str) -> str:
    result = subprocess.run(["systemd-analyze", "calendar", expression],
                            capture_output=True, text=True, check=True)
    return re.search(r"Normalized form: (.+)", result.stdout).group(1).strip()


def _cron_as_calendar(schedule: str) -> str:
    minute, hour = schedule.split()[:2]
    minute = minute.replace("*/", "0/")
    return _calendar(f"*-*-* {hour if hour != '*' else '*'}:{minute}:00")


def test_timers_run_the_readme_cron_lines_on_their_schedule():
    """Each cron line of the README has a timer starting a service that runs the same
    command at the same times."""
    cron = _readme_cron()
    assert len(cron) >= 4
    timers = {}
    for timer in UNITS.glob("*.timer"):
        service = _unit(timer.with_suffix(".service").name)["Service"]["ExecStart"]
        command = service.split(" -c /etc/ckan/ckan.ini ", 1)[1]
        timers[command] = _calendar(_unit(timer.name)["Timer"]["OnCalendar"])
    assert {command: _cron_as_calendar(schedule) for command, schedule in cron.items()} == timers


def test_nginx_site_passes_nginx_t(tmp_path):
    """nginx's own configuration test accepts the site."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    main = live.nginx_conf(tmp_path)
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def _production_ini(tmp_path: pathlib.Path, name: str = "ckan.ini") -> configparser.ConfigParser:
    path = live.write_production_ini(tmp_path / name, "postgresql://ckan:pw@db/ckan",
                                     tmp_path / "storage", 8443)
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_nginx_forwards_the_visitor_and_matches_ckan_limits(tmp_path):
    """nginx sends the visitor's address and scheme, accepts uploads up to CKAN's
    ckan.max_resource_size and serves the webassets folder CKAN compiles into."""
    site = (DEPLOY / "nginx" / "ckan.conf").read_text()
    main = _production_ini(tmp_path)["app:main"]
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    size = re.search(r"client_max_body_size (\d+)m;", site).group(1)
    assert size == main["ckan.max_resource_size"]
    webassets = re.search(r"location /webassets/ \{\s+alias ([^;]+);", site).group(1)
    assert webassets.rstrip("/") == "/var/lib/ckan/webassets"
    assert main["ckanext.suite.proxy_hops"] == "1"


def test_production_ini_has_debug_off_fresh_secrets_site_and_smtp(tmp_path):
    """Two generated files share no secret; debug is off; site URL and SMTP are set."""
    first, second = (_production_ini(tmp_path, name) for name in ("a.ini", "b.ini"))
    assert first["DEFAULT"]["debug"] == "false"
    main, other = first["app:main"], second["app:main"]
    assert main["ckan.site_url"] == "http://127.0.0.1:8443"
    assert main["sqlalchemy.url"] == "postgresql://ckan:pw@db/ckan"
    assert (main["smtp.server"], main["smtp.mail_from"]) == (
        "127.0.0.1:2525", "portail@example.org")
    for key in ("SECRET_KEY", "api_token.jwt.encode.secret"):
        assert len(main[key]) >= 40 and main[key] != other[key]
        assert "@" not in main[key]
    assert main["api_token.jwt.encode.secret"] == main["api_token.jwt.decode.secret"]
    assert oct((tmp_path / "a.ini").stat().st_mode & 0o777) == "0o600"


def test_production_ini_names_the_licence_register_wherever_it_is_written(tmp_path):
    """Written outside the checkout, the file still finds the suite's licence register
    (ckan.ini.in names it relative to itself)."""
    main = _production_ini(tmp_path)["app:main"]
    url = main["licenses_group_url"]
    assert url.startswith("file:///") and "%(here)s" not in url
    assert pathlib.Path(url[len("file://"):]).is_file()


def test_production_ini_is_not_overwritten(tmp_path):
    """An existing configuration (with its secrets) is kept unless --force is given."""
    _production_ini(tmp_path)
    with pytest.raises(subprocess.CalledProcessError):
        _production_ini(tmp_path)


def test_production_ini_refuses_a_site_url_that_is_not_http(tmp_path):
    """A site URL CKAN could not serve is refused by name, and no file is written."""
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "make-ckan-ini.py"), "--site-url", "portail.example.org",
         "--db-url", "postgresql://ckan@db/ckan", "--smtp-server", "smtp:25",
         "--mail-from", "portail@example.org", "--site-title", "Open data de Bruz",
         "--out", str(tmp_path / "ckan.ini")], capture_output=True, text=True)
    assert result.returncode != 0
    assert "--site-url" in result.stderr
    assert not (tmp_path / "ckan.ini").exists()
