"""``ckan search-index rebuild-fast`` on PostgreSQL: every dataset indexed, in committed
batches, by one process per core; an interrupted run is resumed, not started over."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from ckan import model
from click.testing import CliRunner

from ckan.cli.search_index import search_index
from ckan.tests import factories, helpers

from ckanext.postgres_search import bulk_show, ddl, rebuild

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _datasets(number: int) -> list[dict]:
    org = factories.Organization()
    return [factories.Dataset(name=f"jeu-{index:03d}", owner_org=org["id"],
                              tags=[{"name": "budget"}]) for index in range(number)]


def _empty_index() -> None:
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {ddl.TABLE}"))
        conn.execute(sa.text(f"DELETE FROM {ddl.REBUILD_TABLE}"))


def _indexed() -> int:
    with model.meta.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {ddl.TABLE}")).scalar())


def _rebuild_fast(*args: str):
    """``ckan search-index rebuild-fast ARGS`` in this process."""
    return CliRunner().invoke(search_index, ["rebuild-fast", *args])


def _found() -> int:
    return helpers.call_action("package_search", q="budget", rows=0)["count"]


@pytest.mark.parametrize("processes", ["1", "2"])
@pytest.mark.parametrize("reading", [[], ["--one-by-one"]], ids=["batches", "one-by-one"])
def test_rebuild_fast_indexes_every_dataset(processes, reading):
    datasets = _datasets(12)
    _empty_index()
    assert _found() == 0
    result = _rebuild_fast("--processes", processes, "--batch", "5", *reading)
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "12 dataset(s) indexed" in result.output
    assert _found() == len(datasets)
    with model.meta.engine.connect() as conn:
        finished = conn.execute(sa.text(
            f"SELECT indexed FROM {ddl.REBUILD_TABLE} WHERE finished IS NOT NULL")).scalars().all()
    assert finished == [12]


@pytest.mark.parametrize("reading, batches_read", [([], 3), (["--one-by-one"], 0)])
def test_batches_are_read_together_unless_asked_one_by_one(monkeypatch, reading, batches_read):
    _datasets(12)
    _empty_index()
    read = []
    original = bulk_show.dictized

    def dictized(ids):
        read.append(ids)
        return original(ids)

    monkeypatch.setattr(bulk_show, "dictized", dictized)
    result = _rebuild_fast("--processes", "1", "--batch", "5", *reading)
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert len(read) == batches_read
    assert _found() == 12


def test_an_interrupted_run_is_resumed(monkeypatch):
    """Ctrl-C after two batches: the next run indexes only what was left."""
    _datasets(12)
    _empty_index()
    original = rebuild._index_batch
    calls = []

    def interrupted(ids, bulk=None):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(ids)
        return original(ids, bulk)

    monkeypatch.setattr(rebuild, "_index_batch", interrupted)
    result = _rebuild_fast("--processes", "1", "--batch", "4")
    assert result.exit_code != 0
    assert _indexed() == 8
    monkeypatch.setattr(rebuild, "_index_batch", original)

    result = _rebuild_fast("--processes", "1", "--batch", "4")
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "Resuming the run started" in result.output
    assert "4 dataset(s) indexed" in result.output
    assert _found() == 12

    # The run is finished: the next one starts over and indexes everything.
    result = _rebuild_fast("--processes", "1")
    assert "Resuming" not in result.output
    assert "12 dataset(s) indexed" in result.output


def test_restart_forgets_an_unfinished_run():
    _datasets(6)
    _empty_index()
    rebuild.plan()  # a run that never went on
    result = _rebuild_fast("--processes", "1", "--restart")
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "Resuming" not in result.output
    assert "6 dataset(s) indexed" in result.output


def test_a_dataset_that_cannot_be_indexed_is_named_and_retried(monkeypatch):
    """One broken dataset does not stop the others; the command fails naming it, and the
    next run retries that one only."""
    datasets = _datasets(5)
    _empty_index()
    broken = datasets[2]["id"]
    package_index = rebuild.index_for(model.Package)
    original = type(package_index).update_dict

    def update_dict(self, pkg_dict, defer_commit=False):
        if pkg_dict["id"] == broken:
            raise ValueError("a plugin failed on this dataset")
        return original(self, pkg_dict, defer_commit)

    monkeypatch.setattr(type(package_index), "update_dict", update_dict)
    result = _rebuild_fast("--processes", "1")
    assert result.exit_code == 1
    assert broken in result.output
    assert _found() == 4
    monkeypatch.setattr(type(package_index), "update_dict", original)
    result = _rebuild_fast("--processes", "1")
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "1 dataset(s) indexed" in result.output
    assert _found() == 5


def test_a_killed_rebuild_loses_only_its_current_batch():
    """A rebuild process killed mid-way (SIGKILL, nothing to clean up): the batches it
    committed stay, and the next run goes on from there."""
    _datasets(40)
    _empty_index()
    model.Session.remove()
    command = [str(pathlib.Path(sys.executable).with_name("ckan")), "-c", str(ROOT / "test.ini"),
               "search-index", "rebuild-fast", "--processes", "1", "--batch", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while _indexed() < 6 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = _indexed()
    assert 6 <= done < 40, "the rebuild was not caught mid-way"
    finish = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True,
                            text=True, timeout=120)
    assert finish.returncode == 0, finish.stdout + finish.stderr
    assert f"{40 - done} dataset(s) left" in finish.stdout
    assert _found() == 40
