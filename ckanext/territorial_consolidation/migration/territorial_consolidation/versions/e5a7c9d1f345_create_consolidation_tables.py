"""Create the consolidation and run tables.

Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ckanext.suite.migration_columns import (IDX, drop_tables, flag, id_column, index_each,
                                             optional_datetime, optional_text, required_datetime,
                                             required_jsonb, required_text)

# revision identifiers, used by Alembic.
revision = "e5a7c9d1f345"
down_revision = "d4f6b8c0e234"


def upgrade():
    op.create_table(
        "territorial_consolidation_consolidation",
        id_column(),
        *required_text("name", unique=True),
        *required_text("title", "organization_id"),
        *optional_text("package_id"),
        *required_text("schema_url"),
        sa.Column("schema_json", JSONB),
        *required_text("scope_territory_id"),
        *required_jsonb("include", "exclude", "dedup_key", server_default="[]"),
        flag("keep_valid_rows", True),
        flag("notify_owners", False),
        *required_text("schedule", server_default="manual"),
        *optional_text("creator_user_id"),
        *required_datetime("created", "modified"),
    )
    index_each(op, "territorial_consolidation_consolidation",
               ["organization_id", "package_id", "schema_url"], IDX)
    op.create_table(
        "territorial_consolidation_run",
        id_column(),
        *required_text("consolidation_id"),
        *required_text("state", server_default="pending"),
        *required_datetime("created"),
        *optional_datetime("started", "finished"),
        *optional_text("error"),
        *required_jsonb("report", "sources_state", server_default="{}"),
        *optional_text("resource_id", "user_id"),
    )
    op.create_index("territorial_consolidation_run_consolidation_id_idx",
                    "territorial_consolidation_run", ["consolidation_id", "created"])


def downgrade():
    drop_tables(op, "territorial_consolidation_run", "territorial_consolidation_consolidation")
