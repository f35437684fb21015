"""Create the reuse and reuse-dataset tables.

Revision ID: a1c3e5f7b901
Revises:
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "a1c3e5f7b901"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reuse_tracker_reuse",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("url", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("type", sa.UnicodeText, nullable=False),
        sa.Column("topic", sa.UnicodeText),
        sa.Column("image_url", sa.UnicodeText),
        sa.Column("thumbnail_url", sa.UnicodeText),
        sa.Column("submitter_id", sa.UnicodeText),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("contact_email", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("moderation_comment", sa.UnicodeText),
        sa.Column("moderated_by", sa.UnicodeText),
        sa.Column("featured", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("published", sa.DateTime),
        sa.Column("link_checked", sa.DateTime),
        sa.Column("link_status", sa.UnicodeText),
        sa.Column("link_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("link_broken_since", sa.DateTime),
        sa.Column("extras", JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("reuse_tracker_reuse_submitter_id_idx", "reuse_tracker_reuse",
                    ["submitter_id"])
    op.create_index("reuse_tracker_reuse_organization_id_idx", "reuse_tracker_reuse",
                    ["organization_id"])
    op.create_index("reuse_tracker_reuse_state_idx", "reuse_tracker_reuse", ["state"])
    op.create_table(
        "reuse_tracker_reuse_dataset",
        sa.Column("reuse_id", sa.UnicodeText,
                  sa.ForeignKey("reuse_tracker_reuse.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("reuse_tracker_reuse_dataset_package_id_idx",
                    "reuse_tracker_reuse_dataset", ["package_id"])


def downgrade():
    op.drop_table("reuse_tracker_reuse_dataset")
    op.drop_table("reuse_tracker_reuse")
