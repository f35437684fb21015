"""Planned datasets: what an organization plans to open, with its target date and state.

Revision ID: a1c9e4f2b803
Revises: 8d2e5a7c3f61
Create Date: 2026-12-07 01:45:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "a1c9e4f2b803"
down_revision = "8d2e5a7c3f61"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_governance_planned_dataset",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("target_date", sa.Date),
        sa.Column("owner_service", sa.UnicodeText),
        sa.Column("conforms_to", sa.UnicodeText),
        sa.Column("update_frequency", sa.UnicodeText),
        sa.Column("notes", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("suggestion_key", sa.UnicodeText),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    for column in ("organization_id", "package_id"):
        op.create_index(f"ix_opendata_governance_planned_dataset_{column}",
                        "opendata_governance_planned_dataset", [column])


def downgrade():
    op.drop_table("opendata_governance_planned_dataset")
