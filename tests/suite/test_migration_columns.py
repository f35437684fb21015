"""The migrations' shared builders emit the DDL that released revisions were written with."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable

from ckanext.suite.migration_columns import (IDX, counters, drop_tables, flag, id_column,
                                             index_each, optional_datetime, optional_text,
                                             reference, required_datetime, required_jsonb,
                                             required_text, text_keys)


class _RecordingOp:
    """Stands for alembic's ``op``: records the calls instead of running them."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def create_index(self, name: str, table: str, columns: list[str], **options: Any) -> None:
        self.calls.append(("create_index", name, table, columns, options))

    def drop_table(self, table: str) -> None:
        self.calls.append(("drop_table", table))


def _ddl(*columns: sa.Column) -> list[str]:
    metadata = sa.MetaData()
    sa.Table("parent", metadata, sa.Column("id", sa.UnicodeText, primary_key=True))
    table = sa.Table("t", metadata, *columns)
    sql = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    return [line.strip().rstrip(",") for line in sql.strip().splitlines()[1:-1] if line.strip()]


def test_column_builders_emit_the_released_ddl():
    """Each column builder gives the column definition the released migrations created."""
    assert _ddl(
        id_column(),
        *required_text("name", unique=True),
        *optional_text("note", "user_id"),
        *required_datetime("created"),
        *optional_datetime("sent_at"),
        *required_jsonb("extras", server_default="{}"),
        flag("active", True),
        flag("obsolete", False),
        *counters("attempts"),
    ) == [
        "id TEXT NOT NULL",
        "name TEXT NOT NULL",
        "note TEXT",
        "user_id TEXT",
        "created TIMESTAMP WITHOUT TIME ZONE NOT NULL",
        "sent_at TIMESTAMP WITHOUT TIME ZONE",
        "extras JSONB DEFAULT '{}' NOT NULL",
        "active BOOLEAN DEFAULT true NOT NULL",
        "obsolete BOOLEAN DEFAULT false NOT NULL",
        "attempts INTEGER DEFAULT '0' NOT NULL",
        "PRIMARY KEY (id)",
        "UNIQUE (name)",
    ]


def test_key_builders_emit_the_released_ddl():
    """Link tables: a composite text key, and a reference deleted with its parent row."""
    assert _ddl(reference("parent_id", "parent", primary_key=True), *text_keys("user_id")) == [
        "parent_id TEXT NOT NULL",
        "user_id TEXT NOT NULL",
        "PRIMARY KEY (parent_id, user_id)",
        "FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE",
    ]


def test_index_each_names_one_index_per_column():
    """One single-column index per column, named by the pattern, with the options given."""
    op = _RecordingOp()
    index_each(op, "plugin_thing", ["a", "b"])
    index_each(op, "plugin_thing", ["c"], IDX, postgresql_using="gin")
    assert op.calls == [
        ("create_index", "ix_plugin_thing_a", "plugin_thing", ["a"], {}),
        ("create_index", "ix_plugin_thing_b", "plugin_thing", ["b"], {}),
        ("create_index", "plugin_thing_c_idx", "plugin_thing", ["c"],
         {"postgresql_using": "gin"}),
    ]


def test_drop_tables_keeps_the_order_given():
    """Tables are dropped in the order named, so that referring tables go first."""
    op = _RecordingOp()
    drop_tables(op, "plugin_child", "plugin_parent")
    assert op.calls == [("drop_table", "plugin_child"), ("drop_table", "plugin_parent")]
