"""Create the reuse and reuse-dataset tables.

Create Date: 2026-11-27 12:00:00
"""
from alembic import op

from ckanext.suite.migration_columns import (IDX, counters, drop_tables, flag, id_column,
                                             index_each, optional_datetime, optional_text,
                                             reference, required_datetime, required_jsonb,
                                             required_text, text_keys)

# revision identifiers, used by Alembic.
revision = "a1c3e5f7b901"
down_revision = None


def upgrade():
    op.create_table(
        "reuse_tracker_reuse",
        id_column(),
        *required_text("name", unique=True),
        *required_text("title"),
        *required_text("description", server_default=""),
        *required_text("url", unique=True),
        *required_text("type"),
        *optional_text("topic", "image_url", "thumbnail_url", "submitter_id", "organization_id",
                       "contact_email"),
        *required_text("state", server_default="pending"),
        *optional_text("moderation_comment", "moderated_by"),
        flag("featured", False),
        *required_datetime("created", "modified"),
        *optional_datetime("published", "link_checked"),
        *optional_text("link_status"),
        *counters("link_failures"),
        *optional_datetime("link_broken_since"),
        *required_jsonb("extras", server_default="{}"),
    )
    index_each(op, "reuse_tracker_reuse", ["submitter_id", "organization_id", "state"], IDX)
    op.create_table(
        "reuse_tracker_reuse_dataset",
        reference("reuse_id", "reuse_tracker_reuse", primary_key=True),
        *text_keys("package_id"),
        *required_datetime("created"),
    )
    index_each(op, "reuse_tracker_reuse_dataset", ["package_id"], IDX)


def downgrade():
    drop_tables(op, "reuse_tracker_reuse_dataset", "reuse_tracker_reuse")
