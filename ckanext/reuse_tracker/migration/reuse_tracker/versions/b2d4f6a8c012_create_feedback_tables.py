"""Create the feedback tables.

Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (IDX, drop_tables, id_column, index_each,
                                             optional_datetime, optional_text, reference,
                                             required_datetime, required_text, text_keys)

# revision identifiers, used by Alembic.
revision = "b2d4f6a8c012"
down_revision = "a1c3e5f7b901"


def upgrade():
    op.create_table(
        "reuse_tracker_feedback",
        id_column(),
        *required_text("package_id"),
        *optional_text("organization_id", "service", "resource_id", "reference"),
        *required_text("kind", "body"),
        sa.Column("rating", sa.Integer),
        *optional_text("author_id", "author_name"),
        *required_text("state", server_default="new"),
        *optional_text("spam_reason", "answer", "answered_by"),
        *optional_datetime("answered", "first_response"),
        *required_datetime("created", "modified"),
    )
    index_each(op, "reuse_tracker_feedback",
               ["package_id", "organization_id", "service", "author_id", "state", "created"], IDX)
    op.create_table(
        "reuse_tracker_feedback_note",
        id_column(),
        reference("feedback_id", "reuse_tracker_feedback", nullable=False),
        *optional_text("author_id"),
        *required_text("body"),
        *optional_text("state_change"),
        *required_datetime("created"),
    )
    index_each(op, "reuse_tracker_feedback_note", ["feedback_id"], IDX)
    op.create_table(
        "reuse_tracker_feedback_rating",
        *text_keys("package_id", "user_id"),
        sa.Column("rating", sa.Integer, nullable=False),
        *required_datetime("modified"),
    )


def downgrade():
    drop_tables(op, "reuse_tracker_feedback_rating", "reuse_tracker_feedback_note",
                "reuse_tracker_feedback")
