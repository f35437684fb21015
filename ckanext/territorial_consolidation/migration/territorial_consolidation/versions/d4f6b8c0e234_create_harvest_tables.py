"""Create the harvest provenance and run tables.

Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (IDX, counters, drop_tables, flag, index_each,
                                             optional_datetime, optional_text, required_datetime,
                                             required_jsonb, required_text, text_keys)

# revision identifiers, used by Alembic.
revision = "d4f6b8c0e234"
down_revision = "c3e5a7b9d123"


def upgrade():
    op.create_table(
        "territorial_consolidation_provenance",
        *text_keys("package_id"),
        *required_text("harvest_source_id", "portal_kind", "portal_url", "remote_id"),
        *optional_text("remote_url", "identifier"),
        *optional_datetime("remote_modified"),
        *optional_text("territory_code", "territorial_level", "content_hash"),
        *required_jsonb("resource_urls", server_default="[]"),
        *required_datetime("harvested"),
        *optional_datetime("missing_since", "withdrawn"),
        *optional_text("canonical_package_id", "duplicate_reason"),
        sa.UniqueConstraint("harvest_source_id", "remote_id",
                            name="territorial_consolidation_provenance_source_remote_key"),
    )
    index_each(op, "territorial_consolidation_provenance",
               ["harvest_source_id", "identifier", "territory_code", "canonical_package_id"], IDX)
    op.create_table(
        "territorial_consolidation_harvest_run",
        *text_keys("harvest_job_id"),
        *required_text("harvest_source_id"),
        *required_datetime("started"),
        *optional_datetime("since"),
        flag("complete", False),
        *counters("gathered", "unchanged", "missing"),
    )
    index_each(op, "territorial_consolidation_harvest_run", ["harvest_source_id"], IDX)


def downgrade():
    drop_tables(op, "territorial_consolidation_harvest_run",
                "territorial_consolidation_provenance")
