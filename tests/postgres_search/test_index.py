"""The index follows dataset changes and CKAN's search-index commands work on PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.postgres_search import ddl

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _indexed_names() -> set[str]:
    rows = model.Session.execute(sa.text("SELECT name FROM postgres_search_document"))
    return {row[0] for row in rows}


def test_create_indexes_what_core_sends():
    """A new dataset is stored with core's index fields and the plugins' additions."""
    factories.Dataset(name="arbres", title="Arbres remarquables", tags=[{"name": "nature"}])
    stored = model.Session.execute(sa.text(
        "SELECT stored, validated_data_dict, site_id FROM postgres_search_document "
        "WHERE name = 'arbres'")).one()
    doc, validated, site_id = stored
    assert doc["tags"] == ["nature"]
    assert doc["capacity"] == "public"
    assert doc["entity_type"] == "package"
    assert site_id == "test.ckan.net"
    assert '"name": "arbres"' in validated


@pytest.fixture
def index_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids of the datasets core asks the index to write, one entry per call."""
    calls: list[str] = []
    real = search.index.PackageSearchIndex.index_package

    def counting(self, pkg_dict, *args, **kwargs):
        calls.append(pkg_dict["id"])
        return real(self, pkg_dict, *args, **kwargs)

    monkeypatch.setattr(search.index.PackageSearchIndex, "index_package", counting)
    return calls


def test_each_commit_indexes_a_dataset_once(index_calls):
    """A new dataset with resources and extras is indexed once by its commit (CKAN 2.11
    notifies it twice), and its next change once more, under the new title."""
    dataset = factories.Dataset(resources=[{"url": "https://example.org/a.csv"}],
                                extras=[{"key": "origine", "value": "mairie"}])
    assert index_calls == [dataset["id"]]
    helpers.call_action("package_patch", id=dataset["id"], title="Bancs publics")
    assert index_calls == [dataset["id"]] * 2
    found = helpers.call_action("package_search", q="Bancs")["results"]
    assert [result["id"] for result in found] == [dataset["id"]]


def test_a_rolled_back_commit_does_not_stop_the_next_indexing(index_calls):
    """After a transaction rolled back, the same dataset is indexed by the next commit."""
    dataset = factories.Dataset()
    context = {"defer_commit": True, "user": factories.Sysadmin()["name"]}
    helpers.call_action("package_patch", context=context, id=dataset["id"], title="Perdu")
    model.Session.rollback()
    helpers.call_action("package_patch", id=dataset["id"], title="Gardé")
    assert index_calls.count(dataset["id"]) == 2
    found = helpers.call_action("package_search", q="Gardé")["results"]
    assert [result["id"] for result in found] == [dataset["id"]]


def test_rolled_back_change_leaves_no_index_entry():
    """A dataset creation rolled back with its transaction never reaches the index."""
    context = {"defer_commit": True, "user": factories.Sysadmin()["name"]}
    helpers.call_action("package_create", context=context, name="jamais-cree")
    model.Session.rollback()
    assert "jamais-cree" not in _indexed_names()


def test_purge_removes_the_index_entry():
    """dataset_purge removes the dataset from the index."""
    dataset = factories.Dataset(name="a-purger")
    helpers.call_action("dataset_purge", id=dataset["id"])
    assert "a-purger" not in _indexed_names()


def test_search_index_show(cli):
    """`ckan search-index show` prints the indexed document of a dataset."""
    factories.Dataset(name="montre-moi")
    result = cli.invoke(ckan, ["search-index", "show", "montre-moi"])
    assert result.exit_code == 0, result.output
    assert "montre-moi" in result.output


def test_search_index_clear_then_rebuild(cli):
    """Clearing empties the index; rebuilding puts every dataset back."""
    factories.Dataset(name="un")
    factories.Dataset(name="deux")
    assert cli.invoke(ckan, ["search-index", "clear"]).exit_code == 0
    model.Session.remove()
    assert _indexed_names() == set()
    assert helpers.call_action("package_search")["count"] == 0
    result = cli.invoke(ckan, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed_names() == {"un", "deux"}
    assert helpers.call_action("package_search")["count"] == 2


def test_search_index_check_reports_missing(cli):
    """`ckan search-index check` lists datasets missing from the index."""
    factories.Dataset(name="present")
    missing = factories.Dataset(name="absent")
    search.clear(missing["id"])
    model.Session.commit()
    result = cli.invoke(ckan, ["search-index", "check"])
    assert result.exit_code == 0, result.output
    assert "Packages not indexed = 1 out of 2" in result.output
    assert "absent" in result.output


def test_rebuild_only_missing(cli):
    """`ckan search-index rebuild -o` indexes only the datasets missing from the index."""
    factories.Dataset(name="present")
    missing = factories.Dataset(name="absent")
    search.clear(missing["id"])
    model.Session.commit()
    result = cli.invoke(ckan, ["search-index", "rebuild", "-o"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed_names() == {"present", "absent"}


def test_migration_downgrade_and_upgrade(migrate_db_for):
    """The plugin's migration can be rolled back and re-applied."""
    migrate_db_for("postgres_search", "base", False)
    assert not sa.inspect(model.meta.engine).has_table("postgres_search_document")
    migrate_db_for("postgres_search")
    assert sa.inspect(model.meta.engine).has_table("postgres_search_document")


def test_the_serial_revision_makes_the_text_hint_parallel_unsafe(migrate_db_for):
    """The third revision keeps text searches serial, and its downgrade gives the hint back
    its parallel safety."""
    def parallel_safety() -> str:
        return model.Session.execute(sa.text(
            "SELECT proparallel FROM pg_proc WHERE proname = :name"),
            {"name": ddl.VECTOR_READ}).scalar()

    migrate_db_for("postgres_search", "8b2f4c1d9e60", False)
    assert parallel_safety() == "s"
    migrate_db_for("postgres_search")
    assert parallel_safety() == "u"


def test_rebuild_fast_workers_index_everything(cli):
    """Core's multi-process `rebuild-fast` indexes every dataset: forked workers get fresh connections."""
    for number in range(6):
        factories.Dataset(name=f"jeu-{number}")
    assert cli.invoke(ckan, ["search-index", "clear"]).exit_code == 0
    result = cli.invoke(ckan, ["search-index", "rebuild-fast"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed_names() == {f"jeu-{number}" for number in range(6)}


@pytest.mark.ckan_config("ckan.search.solr_commit", False)
def test_deferred_index_writes_land_with_the_commit():
    """With commits deferred, a new dataset is still searchable as soon as its action returns."""
    factories.Dataset(name="differe")
    model.Session.remove()
    assert _indexed_names() == {"differe"}
    assert [r["name"] for r in helpers.call_action("package_search")["results"]] == ["differe"]


def test_deferred_documents_are_dropped_on_rollback():
    """Documents held for a batch are discarded when their transaction rolls back."""
    from ckanext.postgres_search import backend

    dataset = factories.Dataset(name="garde")
    backend.PostgresConnection().add([{**search.show(dataset["id"]), "name": "fantome"}],
                                     commit=False)
    model.Session.rollback()
    model.Session.commit()
    assert _indexed_names() == {"garde"}
