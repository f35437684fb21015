"""A live portal in a subprocess and a headless Chromium driven by Playwright."""
from __future__ import annotations

import configparser
import os
import pathlib
import sys
from typing import Iterator, Optional

import pytest

from ckanext.suite import licences
from tests.live_server import free_port, serving

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
#: The password of the users the journeys create.
PASSWORD = "Motdepasse-Solide-2026"
#: The suite's dataset schema, with its owner service field.
GOVERNANCE_SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"
#: In ckan.ini.in's order, which decides whose templates come first.
PORTAL_PLUGINS = ("postgres_search activity scheming_datasets scheming_organizations "
                  "opendata_governance validation reuse_tracker territorial_consolidation "
                  "harvest")


def _write_ini(path: pathlib.Path, port: int,
               settings: Optional[dict[str, str]] = None) -> None:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # keep key case
    parser.read(ROOT / "test.ini")
    main = parser["app:main"]
    # test.ini names the licence register relative to itself; this file lives elsewhere.
    main["licenses_group_url"] = licences.register_url()
    main["ckan.site_url"] = f"http://127.0.0.1:{port}"
    main["ckan.plugins"] = PORTAL_PLUGINS
    main["scheming.dataset_schemas"] = "ckanext.scheming:ckan_dataset.yaml"
    main["scheming.organization_schemas"] = "ckanext.scheming:org_with_dept_id.json"
    main["ckan.locale_default"] = "fr"
    for key, value in (settings or {}).items():
        main[key] = value
    with path.open("w") as ini:
        parser.write(ini)


@pytest.fixture
def portal_settings() -> dict[str, str]:
    """Options the live portal's ini overrides; a test module redefines this fixture to change them."""
    return {}


@pytest.fixture
def live_portal(tmp_path: pathlib.Path, portal_settings: dict[str, str]) -> Iterator[str]:
    """Serve the portal with the whole suite on a free loopback port; yield its URL."""
    port = free_port()
    ini = tmp_path / "portal.ini"
    _write_ini(ini, port, portal_settings)
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    command = [str(ckan), "-c", str(ini), "run", "--host", "127.0.0.1", "--port", str(port),
               "--disable-reloader"]
    with serving(command, port, tmp_path / "portal.log", os.environ, ROOT) as url:
        yield url


@pytest.fixture
def browser_page() -> Iterator[object]:
    """A Playwright page in Debian's headless Chromium (no browser download)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
        try:
            yield page
        finally:
            browser.close()


def log_in(page, portal: str, name: str) -> None:
    """Log ``name`` in through the login form (password ``PASSWORD``) and check that the
    page header now links their profile."""
    page.goto(portal + "/user/login")
    page.fill("input[name=login]", name)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert page.locator(f"a[href*='/user/{name}']").count() > 0
