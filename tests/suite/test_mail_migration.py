"""Each mail-sending plugin's migration creates its outbox table and drops it on downgrade."""
from __future__ import annotations

from typing import Callable

import pytest
import sqlalchemy as sa

from ckan import model

#: Plugin, the plugins to load with it, and the revision before its outbox.
CASES = [
    ("opendata_governance", "postgres_search scheming_datasets opendata_governance",
     "5e2b8c1f7a30"),
    ("reuse_tracker", "postgres_search reuse_tracker", "d8f0b2c4e6a9"),
    ("territorial_consolidation", "postgres_search territorial_consolidation",
     "e5a7c9d1f345"),
]


def _has(table: str) -> bool:
    return sa.inspect(model.meta.engine).has_table(table)


def _round_trip(migrate_db_for: Callable[..., None], plugin: str, before: str) -> None:
    table = f"{plugin}_mail_outbox"
    assert _has(table)
    model.Session.remove()
    try:
        migrate_db_for(plugin, version=before, forward=False)
        assert not _has(table)
    finally:
        migrate_db_for(plugin)
    assert _has(table)
    columns = {c["name"] for c in sa.inspect(model.meta.engine).get_columns(table)}
    assert {"state", "attempts", "next_attempt_at", "claimed_until", "last_error"} <= columns


@pytest.mark.parametrize("plugin, plugins, before", [
    pytest.param(*case, marks=[pytest.mark.ckan_config("ckan.plugins", case[1])],
                 id=case[0]) for case in CASES])
@pytest.mark.ckan_config("scheming.dataset_schemas",
                         "ckanext.opendata_governance:schemas/dataset.yaml")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_downgrade_drops_the_outbox_and_upgrade_brings_it_back(migrate_db_for, plugin,
                                                              plugins, before):
    """Downgrading past the outbox revision removes the table; upgrading re-creates it."""
    _round_trip(migrate_db_for, plugin, before)
