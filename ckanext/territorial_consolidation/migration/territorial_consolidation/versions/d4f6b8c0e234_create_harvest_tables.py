"""Create the harvest provenance and run tables.

Revision ID: d4f6b8c0e234
Revises: c3e5a7b9d123
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "d4f6b8c0e234"
down_revision = "c3e5a7b9d123"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "territorial_consolidation_provenance",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("harvest_source_id", sa.UnicodeText, nullable=False),
        sa.Column("portal_kind", sa.UnicodeText, nullable=False),
        sa.Column("portal_url", sa.UnicodeText, nullable=False),
        sa.Column("remote_id", sa.UnicodeText, nullable=False),
        sa.Column("remote_url", sa.UnicodeText),
        sa.Column("identifier", sa.UnicodeText),
        sa.Column("remote_modified", sa.DateTime),
        sa.Column("territory_code", sa.UnicodeText),
        sa.Column("territorial_level", sa.UnicodeText),
        sa.Column("content_hash", sa.UnicodeText),
        sa.Column("resource_urls", JSONB, nullable=False, server_default="[]"),
        sa.Column("harvested", sa.DateTime, nullable=False),
        sa.Column("missing_since", sa.DateTime),
        sa.Column("withdrawn", sa.DateTime),
        sa.Column("canonical_package_id", sa.UnicodeText),
        sa.Column("duplicate_reason", sa.UnicodeText),
        sa.UniqueConstraint("harvest_source_id", "remote_id",
                            name="territorial_consolidation_provenance_source_remote_key"),
    )
    for column in ("harvest_source_id", "identifier", "territory_code", "canonical_package_id"):
        op.create_index(f"territorial_consolidation_provenance_{column}_idx",
                        "territorial_consolidation_provenance", [column])
    op.create_table(
        "territorial_consolidation_harvest_run",
        sa.Column("harvest_job_id", sa.UnicodeText, primary_key=True),
        sa.Column("harvest_source_id", sa.UnicodeText, nullable=False),
        sa.Column("started", sa.DateTime, nullable=False),
        sa.Column("since", sa.DateTime),
        sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("gathered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("missing", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("territorial_consolidation_harvest_run_harvest_source_id_idx",
                    "territorial_consolidation_harvest_run", ["harvest_source_id"])


def downgrade():
    op.drop_table("territorial_consolidation_harvest_run")
    op.drop_table("territorial_consolidation_provenance")
