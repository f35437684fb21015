"""Column, index and table builders shared by the suite plugins' alembic migrations.

Released migrations call these builders, so what each one returns or emits must never
change: a change here would change history (a database migrated before it and one
migrated after it would differ). When a table needs something else, pass options or
write a new builder beside the old one; never edit one in place.
"""
from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["IX", "IDX", "id_column", "text_keys", "required_text", "optional_text",
           "required_datetime", "optional_datetime", "required_jsonb", "flag", "counters",
           "reference", "index_each", "drop_tables"]

#: Index names of opendata_governance's migrations (as SQLAlchemy's ``index=True``).
IX = "ix_{table}_{column}"
#: Index names of reuse_tracker's and territorial_consolidation's migrations.
IDX = "{table}_{column}_idx"


def id_column() -> sa.Column:
    """The text primary key ``id`` that most tables have."""
    return sa.Column("id", sa.UnicodeText, primary_key=True)


def text_keys(*names: str, **options: Any) -> list[sa.Column]:
    """Text columns that together make the primary key (a link table's two ids)."""
    return [sa.Column(name, sa.UnicodeText, primary_key=True, **options) for name in names]


def required_text(*names: str, **options: Any) -> list[sa.Column]:
    """``NOT NULL`` text columns, in the order given, each with ``options``."""
    return [sa.Column(name, sa.UnicodeText, nullable=False, **options) for name in names]


def optional_text(*names: str, **options: Any) -> list[sa.Column]:
    """Nullable text columns (free text, or the id of a user, dataset...), in order."""
    return [sa.Column(name, sa.UnicodeText, **options) for name in names]


def required_datetime(*names: str, **options: Any) -> list[sa.Column]:
    """``NOT NULL`` timestamps without time zone, such as ``created`` and ``modified``."""
    return [sa.Column(name, sa.DateTime, nullable=False, **options) for name in names]


def optional_datetime(*names: str, **options: Any) -> list[sa.Column]:
    """Nullable timestamps without time zone: when something happened, if it did."""
    return [sa.Column(name, sa.DateTime, **options) for name in names]


def required_jsonb(*names: str, **options: Any) -> list[sa.Column]:
    """``NOT NULL`` JSONB columns; ``options`` give their ``server_default``."""
    return [sa.Column(name, JSONB, nullable=False, **options) for name in names]


def flag(name: str, default: bool) -> sa.Column:
    """A ``NOT NULL`` boolean whose server default is ``default``."""
    return sa.Column(name, sa.Boolean, nullable=False,
                     server_default=sa.true() if default else sa.false())


def counters(*names: str) -> list[sa.Column]:
    """``NOT NULL`` integers starting at 0."""
    return [sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in names]


def reference(name: str, table: str, **options: Any) -> sa.Column:
    """A text column holding the ``id`` of a row of ``table``, deleted with that row."""
    return sa.Column(name, sa.UnicodeText, sa.ForeignKey(f"{table}.id", ondelete="CASCADE"),
                     **options)


def index_each(op: Any, table: str, columns: Iterable[str], name: str = IX,
               **options: Any) -> None:
    """Create one single-column index per column of ``table``, named by the pattern
    ``name`` (:data:`IX` or :data:`IDX`), each with ``op.create_index``'s ``options``."""
    for column in columns:
        op.create_index(name.format(table=table, column=column), table, [column], **options)


def drop_tables(op: Any, *tables: str) -> None:
    """Drop ``tables`` in the order given (those referring to others first)."""
    for table in tables:
        op.drop_table(table)
