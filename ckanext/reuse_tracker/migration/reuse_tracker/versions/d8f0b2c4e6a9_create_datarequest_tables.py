"""Create the data request tables: requests, votes, comments, followers.

Revision ID: d8f0b2c4e6a9
Revises: c7e9a1b3d5f7
Create Date: 2026-11-27 15:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "d8f0b2c4e6a9"
down_revision = "c7e9a1b3d5f7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reuse_tracker_datarequest",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, index=True),
        sa.Column("theme", sa.UnicodeText),
        sa.Column("author_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="open", index=True),
        sa.Column("spam_reason", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText, index=True),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("closed", sa.DateTime),
        sa.Column("closed_by", sa.UnicodeText),
        sa.Column("vote_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("comment_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False, index=True),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    # The listing's default order: most voted first among a state.
    op.create_index("reuse_tracker_datarequest_votes_idx", "reuse_tracker_datarequest",
                    ["state", sa.text("vote_count DESC"), sa.text("created DESC")])
    op.create_table(
        "reuse_tracker_datarequest_vote",
        sa.Column("datarequest_id", sa.UnicodeText,
                  sa.ForeignKey("reuse_tracker_datarequest.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "reuse_tracker_datarequest_comment",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("datarequest_id", sa.UnicodeText,
                  sa.ForeignKey("reuse_tracker_datarequest.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("body", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("state_change", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
        sa.Column("spam_reason", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "reuse_tracker_datarequest_follower",
        sa.Column("datarequest_id", sa.UnicodeText,
                  sa.ForeignKey("reuse_tracker_datarequest.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("reuse_tracker_datarequest_follower")
    op.drop_table("reuse_tracker_datarequest_comment")
    op.drop_table("reuse_tracker_datarequest_vote")
    op.drop_index("reuse_tracker_datarequest_votes_idx", table_name="reuse_tracker_datarequest")
    op.drop_table("reuse_tracker_datarequest")
