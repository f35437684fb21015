"""Opening suggestions: an organization's agent count and its dismissed suggestions.

Revision ID: 8d2e5a7c3f61
Revises: 6f3a9d2c1b47
Create Date: 2026-12-07 01:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "8d2e5a7c3f61"
down_revision = "6f3a9d2c1b47"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("opendata_governance_organization_setting",
                  sa.Column("agent_count", sa.Integer))
    op.create_table(
        "opendata_governance_opening_dismissal",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("key", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("dismissed_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("organization_id", "key",
                            name="opendata_governance_opening_dismissal_org_key"),
    )
    op.create_index("ix_opendata_governance_opening_dismissal_organization_id",
                    "opendata_governance_opening_dismissal", ["organization_id"])


def downgrade():
    op.drop_table("opendata_governance_opening_dismissal")
    op.drop_column("opendata_governance_organization_setting", "agent_count")
