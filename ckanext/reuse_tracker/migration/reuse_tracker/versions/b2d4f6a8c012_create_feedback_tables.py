"""Create the feedback tables.

Revision ID: b2d4f6a8c012
Revises: a1c3e5f7b901
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "b2d4f6a8c012"
down_revision = 'a1c3e5f7b901'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reuse_tracker_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("service", sa.UnicodeText),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("reference", sa.UnicodeText),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("rating", sa.Integer),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("author_name", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="new"),
        sa.Column("spam_reason", sa.UnicodeText),
        sa.Column("answer", sa.UnicodeText),
        sa.Column("answered_by", sa.UnicodeText),
        sa.Column("answered", sa.DateTime),
        sa.Column("first_response", sa.DateTime),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    for column in ("package_id", "organization_id", "service", "author_id", "state",
                   "created"):
        op.create_index(f"reuse_tracker_feedback_{column}_idx", "reuse_tracker_feedback",
                        [column])
    op.create_table(
        "reuse_tracker_feedback_note",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("feedback_id", sa.UnicodeText,
                  sa.ForeignKey("reuse_tracker_feedback.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("state_change", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("reuse_tracker_feedback_note_feedback_id_idx",
                    "reuse_tracker_feedback_note", ["feedback_id"])
    op.create_table(
        "reuse_tracker_feedback_rating",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("reuse_tracker_feedback_rating")
    op.drop_table("reuse_tracker_feedback_note")
    op.drop_table("reuse_tracker_feedback")
