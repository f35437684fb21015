"""The outbox table's first version, created by each mail-sending plugin's own migration."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

__all__ = ["create_outbox_v1", "drop_outbox_v1"]


def create_outbox_v1(op: Any, owner: str) -> None:
    """Create ``<owner>_mail_outbox`` as its first migration made it (a later change to the
    table gets a migration of its own, never an edit here)."""
    name = f"{owner}_mail_outbox"
    op.create_table(
        name,
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("recipient_name", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("recipient_email", sa.UnicodeText, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("claimed_until", sa.DateTime),
        sa.Column("last_error", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_index(f"{name}_state_next_idx", name, ["state", "next_attempt_at"])


def drop_outbox_v1(op: Any, owner: str) -> None:
    """Drop ``<owner>_mail_outbox``."""
    op.drop_table(f"{owner}_mail_outbox")
