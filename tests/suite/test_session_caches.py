"""The test session's caches (tests/session_caches.py) keep each test's view of CKAN intact.

Each cache trades repeated work for shared state; these tests check that what a
test gets is still its own (copies, not shared objects) and still correct.
"""
from __future__ import annotations

import inspect
import os

import pytest
import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import CKANConfig
from ckan.config import environment
from ckan.config.declaration import Declaration, Key
from ckan.tests import factories, helpers


def _suite_options() -> dict:
    return {
        "version": 1,
        "groups": [{"annotation": "Cache test", "section": "app:main", "options": [
            {"key": "ckanext.cache_test.hosts", "type": "list", "default": ["a", "b"],
             "description": "A list option."},
        ]}],
    }


def test_each_declaration_gets_its_own_copy_of_a_cached_option():
    """A default changed in place in one declaration is not seen by the next one."""
    first = Declaration()
    first.load_dict(_suite_options())
    option = first[Key.from_string("ckanext.cache_test.hosts")]
    option.default.append("changed")

    second = Declaration()
    second.load_dict(_suite_options())
    assert second[Key.from_string("ckanext.cache_test.hosts")].default == ["a", "b"]


def test_core_declaration_is_replayed_whole():
    """The cached core declaration declares the same options as core's file."""
    declaration = Declaration()
    declaration.load_core_declaration()
    assert Key.from_string("ckan.site_url") in declaration
    assert declaration[Key.from_string("ckan.datasets_per_page")].default == 20


def test_a_cached_scheming_schema_is_a_fresh_copy_each_time():
    """A schema changed by one load is read unchanged by the next."""
    from ckanext.scheming import plugins as scheming

    schema = scheming._load_schema("ckanext.scheming:ckan_dataset.yaml")
    schema["dataset_fields"].clear()
    again = scheming._load_schema("ckanext.scheming:ckan_dataset.yaml")
    assert any(field["field_name"] == "title" for field in again["dataset_fields"])


def test_same_database_options_share_one_engine_and_another_database_gets_its_own():
    url = "postgresql://ckan@127.0.0.1:5432/cache_test_a"
    first = environment.engine_from_config({"sqlalchemy.url": url})
    assert environment.engine_from_config({"sqlalchemy.url": url}) is first
    other = environment.engine_from_config(
        {"sqlalchemy.url": "postgresql://ckan@127.0.0.1:5432/cache_test_b"})
    assert other is not first
    assert str(other.url).endswith("/cache_test_b")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_emptying_the_tables_keeps_the_migration_state():
    """``reset_db``'s one-statement emptying removes every row of core's tables and
    leaves alembic's version."""
    factories.Dataset()
    version = model.Session.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert version
    model.repo.delete_all()
    assert model.Session.query(model.Package).count() == 0
    assert model.Session.query(model.User).count() == 0
    assert model.Session.execute(
        sa.text("SELECT version_num FROM alembic_version")).all() == version


def test_template_directory_is_found_beside_the_calling_file():
    """add_template_directory resolves a folder relative to the plugin file calling it."""
    config = CKANConfig({})
    tk.add_template_directory(config, "templates")
    expected = os.path.join(os.path.dirname(__file__), "templates")
    assert config["plugin_template_paths"] == [expected]


def test_other_callers_of_inspect_stack_still_get_source_lines():
    here = inspect.stack()[0]
    assert here.filename == __file__
    assert here.code_context and "inspect.stack()" in here.code_context[0]


def test_load_all_updates_the_config_once(monkeypatch, ckan_config):
    """Loading the plugins runs update_config once: on CKAN 2.11 not once more for
    first unloading the system plugin left loaded; the plugins are loaded all the same."""
    from ckan.plugins import core

    getattr(p, "unload_non_system_plugins", p.unload_all)()
    calls = []
    update = environment.update_config
    monkeypatch.setattr(environment, "update_config", lambda: (calls.append(1), update()))
    monkeypatch.setitem(ckan_config, "ckan.plugins", "postgres_search")
    with helpers.changed_config("ckan.plugins", "postgres_search"):
        core.load_all()
        try:
            assert p.plugin_loaded("postgres_search")
            assert len(calls) == 1
        finally:
            getattr(p, "unload_non_system_plugins", p.unload_all)()
