"""Create the consolidation and run tables.

Revision ID: e5a7c9d1f345
Revises: d4f6b8c0e234
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "e5a7c9d1f345"
down_revision = 'd4f6b8c0e234'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "territorial_consolidation_consolidation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("schema_url", sa.UnicodeText, nullable=False),
        sa.Column("schema_json", JSONB),
        sa.Column("scope_territory_id", sa.UnicodeText, nullable=False),
        sa.Column("include", JSONB, nullable=False, server_default="[]"),
        sa.Column("exclude", JSONB, nullable=False, server_default="[]"),
        sa.Column("dedup_key", JSONB, nullable=False, server_default="[]"),
        sa.Column("keep_valid_rows", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("notify_owners", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("schedule", sa.UnicodeText, nullable=False, server_default="manual"),
        sa.Column("creator_user_id", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    for column in ("organization_id", "package_id", "schema_url"):
        op.create_index(f"territorial_consolidation_consolidation_{column}_idx",
                        "territorial_consolidation_consolidation", [column])
    op.create_table(
        "territorial_consolidation_run",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("consolidation_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("started", sa.DateTime),
        sa.Column("finished", sa.DateTime),
        sa.Column("error", sa.UnicodeText),
        sa.Column("report", JSONB, nullable=False, server_default="{}"),
        sa.Column("sources_state", JSONB, nullable=False, server_default="{}"),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText),
    )
    op.create_index("territorial_consolidation_run_consolidation_id_idx",
                    "territorial_consolidation_run", ["consolidation_id", "created"])


def downgrade():
    op.drop_table("territorial_consolidation_run")
    op.drop_table("territorial_consolidation_consolidation")
