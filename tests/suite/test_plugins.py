"""The suite's plugins load alone and together with the rest of the stack."""
from __future__ import annotations

import pytest

import ckan.plugins as p
from ckan.tests import helpers

SUITE = ("postgres_search", "opendata_governance", "reuse_tracker",
         "territorial_consolidation")
STACK = "activity scheming_datasets scheming_organizations harvest validation"


@pytest.mark.parametrize("plugin", SUITE)
def test_each_plugin_loads_alone(plugin: str, ckan_config, monkeypatch):
    """Each suite plugin can be the only extension loaded (besides the search backend)."""
    plugins = plugin if plugin == "postgres_search" else f"postgres_search {plugin}"
    monkeypatch.setitem(ckan_config, "ckan.plugins", plugins)
    with helpers.changed_config("ckan.plugins", plugins):
        p.load_all()
        try:
            assert p.plugin_loaded(plugin)
        finally:
            p.unload_all()


@pytest.mark.ckan_config("ckan.plugins", " ".join(SUITE) + " " + STACK)
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas",
                         "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins")
def test_all_plugins_load_with_the_stack():
    """The whole suite loads next to activity, scheming, harvest and validation."""
    for plugin in SUITE + tuple(STACK.split()):
        assert p.plugin_loaded(plugin), plugin


@pytest.mark.ckan_config("ckan.plugins", " ".join(SUITE) + " " + STACK)
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas",
                         "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_status_show_lists_the_suite():
    """The API's status_show reports every suite plugin as loaded."""
    status = helpers.call_action("status_show")
    for plugin in SUITE:
        assert plugin in status["extensions"]


def test_suite_runs_without_solr(no_solr):
    """Core's connection factory hands out the PostgreSQL backend; building a Solr client is caught."""
    import pysolr
    from ckan.lib.search import common
    from ckanext.postgres_search.backend import PostgresConnection

    assert isinstance(common.make_connection(), PostgresConnection)
    with pytest.raises(AssertionError, match="tried to reach Solr"):
        pysolr.Solr("http://127.0.0.1:8983/solr/ckan")
    assert no_solr == ["http://127.0.0.1:8983/solr/ckan"]
    no_solr.clear()


def test_readme_lists_every_declared_option():
    """The README's configuration table names every option the plugins declare."""
    import importlib.util
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("config_table", root / "scripts" / "config-table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (root / "README.md").read_text(encoding="utf-8")
    missing = [key for _plugin, key, _default, _text in module.rows() if f"`{key}`" not in readme]
    assert not missing, f"run scripts/config-table.py and update the README: {missing}"
