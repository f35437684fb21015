"""The licence register: the file CKAN reads, the site's licence list, and the mapping to it."""
from __future__ import annotations

import json
import pathlib

import pytest
import yaml

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.suite import licences

ROOT = pathlib.Path(__file__).resolve().parents[2]
EU = "http://publications.europa.eu/resource/authority/licence/"
REGISTER_IDS = ["etalab-2.0", "etalab-1.0", "odc-odbl", "cc-by-4.0", "cc-by-sa-4.0",
                "cc-zero", "notspecified", "other-closed"]


def test_register_file_is_a_ckan_licence_list():
    """The file is a JSON list in CKAN's licence format, each entry titled in French and
    English, with an EU licence-authority URI where the licence has one."""
    raw = licences.REGISTER_FILE.read_bytes()
    raw.decode("ascii")  # CKAN opens the file in the system's encoding: keep it ASCII.
    entries = json.loads(raw)
    assert [entry["id"] for entry in entries] == REGISTER_IDS
    for entry in entries:
        assert {"title", "title_en", "url", "od_conformance", "osd_conformance", "status",
                "maintainer", "family", "is_generic", "eu_uri"} <= entry.keys()
        assert entry["eu_uri"] is None or entry["eu_uri"].startswith(EU)
    by_id = {entry["id"]: entry for entry in entries}
    assert by_id["etalab-2.0"]["eu_uri"] == EU + "ETALAB_2_0"
    assert by_id["odc-odbl"]["eu_uri"] == EU + "ODC_BL"
    assert by_id["cc-by-sa-4.0"]["title"].startswith(
        "Creative Commons Attribution \u2013 Partage dans les m\u00eames conditions")


def test_site_reads_the_register_file():
    """test.ini, like the portal's ckan.ini.in, points licenses_group_url at the file."""
    assert tk.config["licenses_group_url"] == licences.register_url()
    assert (f"licenses_group_url = file://%(here)s/"
            f"{licences.REGISTER_FILE.relative_to(ROOT)}") in (ROOT / "ckan.ini.in").read_text()


def test_the_register_is_the_default_when_the_site_sets_none():
    """A site without licenses_group_url gets the suite's register; a site's own stays."""
    config: dict[str, str] = {"licenses_group_url": ""}
    licences.use_suite_register(config)
    assert config["licenses_group_url"] == licences.register_url()
    own = {"licenses_group_url": "https://licences.example.org/list.json"}
    licences.use_suite_register(own)
    assert own["licenses_group_url"] == "https://licences.example.org/list.json"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_license_list_is_the_register():
    """license_list answers the register in its order: Licence Ouverte 2.0 first, French
    titles, EU URIs."""
    listed = helpers.call_action("license_list")
    assert [licence["id"] for licence in listed] == REGISTER_IDS
    assert listed[0]["title"] == "Licence Ouverte / Open Licence 2.0"
    assert listed[0]["eu_uri"] == EU + "ETALAB_2_0"
    assert licences.default_id() == "etalab-2.0"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_dataset_under_licence_ouverte_is_open_and_titled_in_french():
    """package_show gives a Licence Ouverte 2.0 dataset its French title and isopen."""
    dataset = helpers.call_action("package_create", name="budget", license_id="etalab-2.0")
    assert dataset["license_title"] == "Licence Ouverte / Open Licence 2.0"
    assert dataset["isopen"] is True
    closed = helpers.call_action("package_create", name="closed", license_id="other-closed")
    assert closed["isopen"] is False


def test_openness_titles_and_uris_come_from_the_register():
    """is_open, title and eu_uri read the register; an id outside it is not open."""
    assert licences.is_open("etalab-2.0") and licences.is_open("cc-zero")
    assert not licences.is_open("other-closed") and not licences.is_open("notspecified")
    assert not licences.is_open("other-at") and not licences.is_open(None)
    assert licences.title("odc-odbl", "en") == "Open Data Commons Open Database License 1.0 (ODbL)"
    assert licences.title("notspecified") == "Licence non sp\u00e9cifi\u00e9e"
    assert licences.title("lov2") == "lov2"
    assert licences.eu_uri("cc-by-4.0") == EU + "CC_BY_4_0"
    assert licences.eu_uri("notspecified") is None


@pytest.mark.parametrize("old, new", [
    ("lov2", "etalab-2.0"), ("fr-lo", "etalab-1.0"), ("other-at", "etalab-2.0"),
    ("other-pd", "cc-zero"),
    ("cc-by", "cc-by-4.0"), ("cc-by-sa", "cc-by-sa-4.0"), ("cc-nc", "other-closed"),
    ("etalab-2.0", None), ("gfdl", None), ("", None),
])
def test_migration_targets(old, new):
    """The demo's other-at and other-pd and the aliases of register licences have a
    target; register ids and unrecognised ids have none."""
    assert licences.migration_target(old) == new


def test_other_at_is_moved_by_the_migration_but_never_guessed_by_a_harvest():
    """A partner's "other-at" is any attribution licence: a harvest does not call it
    Licence Ouverte."""
    assert licences.map_licence("other-at") == "notspecified"
    assert licences.migration_target("other-at", {"other-at": "odc-odbl"}) == "odc-odbl"
    assert licences.migration_target("gfdl", {"gfdl": "not-a-licence"}) is None


def test_demo_datasets_use_register_ids():
    """The demo's datasets carry register ids; its Licence Ouverte data is etalab-2.0."""
    path = ROOT / "ckanext" / "opendata_governance" / "demo_data" / "demo.yaml"
    datasets = yaml.safe_load(path.read_text())["datasets"]
    assert {dataset["license_id"] for dataset in datasets} <= set(REGISTER_IDS)
    ouverte = [d for d in datasets if "Licence Ouverte" in (d.get("notes") or "")]
    assert ouverte and {d["license_id"] for d in ouverte} == {"etalab-2.0"}
