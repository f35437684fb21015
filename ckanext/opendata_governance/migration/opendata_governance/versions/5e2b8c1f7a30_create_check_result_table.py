"""Create the table of automated check results.

Revision ID: 5e2b8c1f7a30
Revises: 9a4f2c6d8e13
Create Date: 2026-11-27 09:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "5e2b8c1f7a30"
down_revision = "9a4f2c6d8e13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_governance_check_result",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("check_id", sa.UnicodeText, nullable=False),
        sa.Column("check_version", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText),
        sa.Column("severity", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("findings", JSONB, nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        sa.Column("run_at", sa.DateTime, nullable=False),
        sa.Column("duration_ms", sa.Integer),
        sa.Column("trigger", sa.UnicodeText, nullable=False),
        sa.Column("job_id", sa.UnicodeText),
    )
    for column in ("package_id", "resource_id", "run_at"):
        op.create_index(f"ix_opendata_governance_check_result_{column}",
                        "opendata_governance_check_result", [column])


def downgrade():
    op.drop_table("opendata_governance_check_result")
