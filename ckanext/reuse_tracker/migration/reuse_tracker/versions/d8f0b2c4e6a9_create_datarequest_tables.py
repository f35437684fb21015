"""Create the data request tables: requests, votes, comments, followers.

Create Date: 2026-11-27 15:00:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (counters, drop_tables, id_column, optional_datetime,
                                             optional_text, reference, required_datetime,
                                             required_text, text_keys)

# revision identifiers, used by Alembic.
revision = "d8f0b2c4e6a9"
down_revision = "c7e9a1b3d5f7"


def upgrade():
    op.create_table(
        "reuse_tracker_datarequest",
        id_column(),
        *required_text("title", "description"),
        *optional_text("organization_id", index=True),
        *optional_text("theme"),
        *required_text("author_id", index=True),
        *required_text("state", server_default="open", index=True),
        *optional_text("spam_reason"),
        *optional_text("package_id", index=True),
        *optional_text("reason"),
        *optional_datetime("closed"),
        *optional_text("closed_by"),
        *counters("vote_count", "comment_count"),
        *required_datetime("created", index=True),
        *required_datetime("modified"),
    )
    # The listing's default order: most voted first among a state.
    op.create_index("reuse_tracker_datarequest_votes_idx", "reuse_tracker_datarequest",
                    ["state", sa.text("vote_count DESC"), sa.text("created DESC")])
    _create_user_link("reuse_tracker_datarequest_vote")
    op.create_table(
        "reuse_tracker_datarequest_comment",
        id_column(),
        reference("datarequest_id", "reuse_tracker_datarequest", nullable=False, index=True),
        *optional_text("author_id"),
        *required_text("body", server_default=""),
        *optional_text("state_change"),
        *required_text("state", server_default="active"),
        *optional_text("spam_reason"),
        *required_datetime("created", index=True),
    )
    _create_user_link("reuse_tracker_datarequest_follower")


def _create_user_link(table: str) -> None:
    """A user's vote for, or follow of, a request: one row per request and user."""
    op.create_table(
        table,
        reference("datarequest_id", "reuse_tracker_datarequest", primary_key=True),
        *text_keys("user_id", index=True),
        *required_datetime("created"),
    )


def downgrade():
    drop_tables(op, "reuse_tracker_datarequest_follower", "reuse_tracker_datarequest_comment",
                "reuse_tracker_datarequest_vote")
    op.drop_index("reuse_tracker_datarequest_votes_idx", table_name="reuse_tracker_datarequest")
    op.drop_table("reuse_tracker_datarequest")
