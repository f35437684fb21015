"""Organizations' own review checklists, and the items a decided review was given.

Revision ID: b7d3e5f1a926
Revises: c5e1b7d9f2a4
Create Date: 2026-12-07 12:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "b7d3e5f1a926"
down_revision = "c5e1b7d9f2a4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_governance_checklist_item",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("key", sa.UnicodeText, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label", sa.UnicodeText, nullable=False),
        sa.Column("help", sa.UnicodeText),
        sa.Column("required", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("modified_by", sa.UnicodeText),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.UniqueConstraint("organization_id", "key",
                            name="opendata_governance_checklist_item_org_key"),
    )
    op.create_index("ix_opendata_governance_checklist_item_organization_id",
                    "opendata_governance_checklist_item", ["organization_id"])
    op.add_column("opendata_governance_review", sa.Column("checklist_items", JSONB))


def downgrade():
    op.drop_column("opendata_governance_review", "checklist_items")
    op.drop_table("opendata_governance_checklist_item")
