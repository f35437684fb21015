"""The rebuild's batch reading (``bulk_show``) indexes exactly what core's path indexes.

Each test indexes the same datasets twice, once through core's ``package_show`` one
dataset at a time and once through ``bulk_show``, and compares the stored documents
column by column: the dataset dicts (``data_dict``, ``validated_data_dict``), the
searched terms, facets, labels and vectors.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

import ckan.plugins as plugins
from ckan import model
from ckan.tests import factories, helpers

from ckanext.postgres_search import bulk_show, ddl, rebuild
from tests.opendata_governance import services_setup

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

#: Every column of a document but the time it was written.
_COMPARED = ("index_id, id, site_id, entity_type, name, state, capacity, dataset_type, "
             "permission_labels, terms, facet_values, filter_terms, stored, data_dict, "
             "validated_data_dict, search_vector::text, head_vector::text, title_string, "
             "metadata_created, metadata_modified")


def _documents() -> dict[str, dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {_COMPARED} FROM {ddl.TABLE} ORDER BY index_id"))
        return {row.id: dict(row._mapping) for row in rows}


def _empty_index() -> None:
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {ddl.TABLE}"))


def _indexed_both_ways(ids: list[str]) -> tuple[dict, dict]:
    """The documents core's path writes, then those the batch reading writes; each
    path indexes and fails the same datasets, for the same reasons."""
    _empty_index()
    core_outcome = rebuild._index_batch(ids, bulk=False)
    model.Session.remove()
    by_core = _documents()
    _empty_index()
    assert rebuild._index_batch(ids, bulk=True) == core_outcome
    model.Session.remove()
    return by_core, _documents()


def _assert_same(by_core: dict, by_batch: dict) -> None:
    assert by_batch.keys() == by_core.keys()
    for package_id, document in by_core.items():
        for column, value in document.items():
            assert by_batch[package_id][column] == value, (package_id, column)


def _all_ids() -> list[str]:
    return [row[0] for row in model.Session.execute(sa.text("SELECT id FROM package ORDER BY name"))]


def _every_shape() -> list[dict[str, Any]]:
    """Datasets of every shape package_show knows; the first has most of them."""
    user = factories.User()
    org = factories.Organization(title="Ville de Bruz", users=[
        {"name": user["name"], "capacity": "editor"}])
    other_org = factories.Organization(title="Rennes Métropole")
    sport = factories.Group(title="Sport et loisirs")
    budget = factories.Group(title="Budget", image_url="budget.png")
    vocabulary = helpers.call_action("vocabulary_create", name="themes",
                                     tags=[{"name": "mobilité"}, {"name": "énergie"}])
    datasets = [
        factories.Dataset(
            owner_org=org["id"], title="  Équipements sportifs  ", license_id="odc-odbl",
            tags=[{"name": "sport"}, {"name": "équipements"},
                  {"name": "mobilité", "vocabulary_id": vocabulary["id"]}],
            extras=[{"key": "theme", "value": "Sport"}, {"key": "frequence", "value": "annuelle"}],
            groups=[{"id": sport["id"]}, {"id": budget["id"]}],
            resources=[{"url": "http://example.org/a.csv", "format": "CSV", "name": "Gymnases",
                        "description": "Tous les gymnases", "taille": "12"},
                       {"url": "example.org/b.json", "format": "JSON"}]),
        factories.Dataset(owner_org=org["id"], private=True, license_id="not-in-the-register",
                          groups=[{"id": sport["id"]}]),
        factories.Dataset(owner_org=other_org["id"], license_id="cc-by", notes="Sans ressource"),
        factories.Dataset(),  # no organization
        factories.Dataset(owner_org=org["id"], state="draft"),
        factories.Dataset(owner_org=org["id"], type="visualisation"),
    ]
    # A deleted resource, a deleted dataset, relationships both ways.
    helpers.call_action("resource_delete", id=datasets[0]["resources"][1]["id"])
    deleted = factories.Dataset(owner_org=org["id"])
    helpers.call_action("package_delete", id=deleted["id"])
    helpers.call_action("package_relationship_create", subject=datasets[2]["id"],
                        object=datasets[3]["id"], type="depends_on")
    helpers.call_action("package_relationship_create", subject=datasets[5]["id"],
                        object=datasets[2]["id"], type="child_of")
    # An uploaded file's URL is made from the dataset and the file name.
    upload = factories.Resource(package_id=datasets[2]["id"], url_type="upload",
                                url="données 2026.csv")
    assert upload["url_type"] == "upload"
    # A renamed group is shown under its new name.
    helpers.call_action("group_patch", id=budget["id"], title="Budget de la ville")
    # A title stored with spaces around it (the forms strip them) is shown without.
    model.Session.execute(sa.text("UPDATE package SET title = '  Équipements sportifs  '"
                                  " WHERE id = :id"), {"id": datasets[0]["id"]})
    model.Session.commit()
    return datasets


@pytest.mark.ckan_config("ckan.plugins", "postgres_search")
@pytest.mark.ckan_config("ckan.search.remove_deleted_packages", "false")
def test_every_shape_of_dataset_is_indexed_as_core_indexes_it():
    first = _every_shape()[0]
    ids = _all_ids()
    assert len(ids) == 7
    by_core, by_batch = _indexed_both_ways(ids)
    # CKAN 2.12 cannot index a dataset with relationships (a KeyError in its own
    # indexing): the batch fails them alike, and indexes the others.
    assert len(by_core) >= 4
    assert '"title": "\\u00c9quipements sportifs"' in by_core[first["id"]]["data_dict"]
    _assert_same(by_core, by_batch)


@contextlib.contextmanager
def _one_more(monkeypatch: Any, interface: Any, plugin: Any) -> Iterator[None]:
    """Within the block, ``plugin`` implements ``interface`` after the loaded plugins
    (for the core code and ours that look the implementations up)."""
    real = plugins.PluginImplementations

    def implementations(wanted: Any) -> list[Any]:
        found = list(real(wanted))
        return found + [plugin] if wanted is interface else found

    with monkeypatch.context() as patched:
        patched.setattr(plugins, "PluginImplementations", implementations)
        yield


class _Shows(plugins.SingletonPlugin):
    """A plugin that adds to every dataset it is shown."""

    plugins.implements(plugins.IPackageController, inherit=True)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        pkg_dict["vu_par"] = "un greffon"
        return pkg_dict


@pytest.mark.ckan_config("ckan.plugins", "postgres_search datastore dcat")
def test_plugins_that_change_what_is_shown_change_both_ways_alike(monkeypatch):
    """The DataStore adds to each resource (before_resource_show), a plugin to each
    dataset (after_dataset_show): both run on the batch's datasets too."""
    first = _every_shape()[0]
    with _one_more(monkeypatch, plugins.IPackageController, _Shows()):
        by_core, by_batch = _indexed_both_ways(_all_ids())
    assert '"datastore_active": false' in by_core[first["id"]]["data_dict"]
    # CKAN 2.11 indexes after_dataset_show's changes in the dict shown, 2.12 in the dict
    # of the dataset type's schema.
    document = by_core[first["id"]]
    assert '"vu_par": "un greffon"' in document["data_dict"] + document["validated_data_dict"]
    _assert_same(by_core, by_batch)


@pytest.mark.ckan_config("ckan.plugins", "postgres_search")
def test_a_batch_larger_than_the_datasets_it_finds_indexes_those_it_finds():
    """An id that is no longer in the table (deleted meanwhile) is a failure named by id,
    as on core's path; the rest of the batch is indexed and committed."""
    dataset = factories.Dataset()
    _empty_index()
    indexed, failed = rebuild._index_batch([dataset["id"], "gone"], bulk=True)
    assert indexed == 1
    assert [package_id for package_id, _reason in failed] == ["gone"]
    assert list(_documents()) == [dataset["id"]]


@pytest.mark.ckan_config("ckan.plugins", "postgres_search")
def test_the_batch_reads_each_table_once():
    """The point of the batch: the statements of the dictization do not grow with its
    datasets (the show schema's checks, run after, are core's)."""
    group = factories.Group()

    def dataset() -> None:
        factories.Dataset(tags=[{"name": "eau"}, {"name": "air"}], groups=[{"id": group["id"]}],
                          owner_org=factories.Organization()["id"],
                          extras=[{"key": "k", "value": "v"}],
                          resources=[{"url": "http://example.org/x.csv"}])

    def statements(ids: list[str]) -> int:
        model.Session.remove()
        counted = []

        def count(*_args: Any) -> None:
            counted.append(1)

        sa.event.listen(model.meta.engine, "before_cursor_execute", count)
        try:
            shown = list(bulk_show.dictized(ids))
        finally:
            sa.event.remove(model.meta.engine, "before_cursor_execute", count)
        assert not [error for _id, error in shown if isinstance(error, Exception)]
        return len(counted)

    dataset()
    few = statements(_all_ids())
    for _ in range(9):
        dataset()
    assert statements(_all_ids()) == few


class _Chaining:
    """A plugin that registers its own ``package_show``."""

    name = "another_plugin"

    def get_actions(self) -> dict[str, Any]:
        return {"package_show": lambda context, data_dict: {}}


@pytest.mark.ckan_config("ckan.plugins", "postgres_search")
def test_a_plugin_with_its_own_package_show_keeps_core_path(monkeypatch):
    """Its package_show may change what is shown, and only the action would run it: the
    rebuild then shows each dataset through the action."""
    assert bulk_show.usable()
    with _one_more(monkeypatch, plugins.IActions, _Chaining()):
        assert not bulk_show.usable()


@pytest.mark.ckan_config("ckan.plugins", services_setup.PLUGINS + " reuse_tracker territorial_consolidation")
@pytest.mark.ckan_config("scheming.dataset_schemas", services_setup.SCHEMA)
@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", services_setup.ALLOWLIST)
def test_the_governed_portal_s_datasets_are_indexed_as_core_indexes_them():
    """With the suite's plugins and dataset schema (scheming): owner service, private and
    published datasets."""
    portal = services_setup.make_portal()
    services_setup.dataset(portal, private=True, title="Subventions 2025",
                           resources=[{"url": "http://example.org/s.csv", "format": "CSV"}])
    services_setup.dataset(portal, private=True, service=None, title="Sans service")
    services_setup.dataset(portal, title="Budget publié")
    ids = _all_ids()
    by_core, by_batch = _indexed_both_ways(ids)
    assert len(by_core) == 3
    assert any("direction-des-finances" in (doc["data_dict"] or "") for doc in by_core.values())
    _assert_same(by_core, by_batch)
