"""The outbox table's first version, created by each mail-sending plugin's own migration."""
from __future__ import annotations

from functools import partial
from typing import Callable

from alembic import op

from ckanext.suite.migration_columns import (counters, id_column, optional_datetime,
                                             optional_text, required_datetime, required_text)

__all__ = ["outbox_v1", "create_outbox_v1", "drop_outbox_v1"]


def outbox_v1(owner: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """The ``upgrade`` and ``downgrade`` of the revision that creates ``<owner>_mail_outbox``,
    which each mail-sending plugin's revision takes as its own."""
    return partial(create_outbox_v1, owner), partial(drop_outbox_v1, owner)


def create_outbox_v1(owner: str) -> None:
    """Create ``<owner>_mail_outbox`` as its first migration made it (a later change to the
    table gets a migration of its own, never an edit here)."""
    name = f"{owner}_mail_outbox"
    op.create_table(
        name,
        id_column(),
        *required_text("recipient_name", server_default=""),
        *required_text("recipient_email", "subject", "body"),
        *required_text("state", server_default="pending"),
        *counters("attempts"),
        *required_datetime("next_attempt_at"),
        *optional_datetime("claimed_until"),
        *optional_text("last_error"),
        *required_datetime("created"),
        *optional_datetime("sent_at"),
    )
    op.create_index(f"{name}_state_next_idx", name, ["state", "next_attempt_at"])


def drop_outbox_v1(owner: str) -> None:
    """Drop ``<owner>_mail_outbox``."""
    op.drop_table(f"{owner}_mail_outbox")
