"""Organizations' own review checklists, and the items a decided review was given.

Create Date: 2026-12-07 12:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ckanext.suite.migration_columns import (flag, id_column, index_each, optional_text,
                                             required_datetime, required_text)

# revision identifiers, used by Alembic.
revision = "b7d3e5f1a926"
down_revision = "c5e1b7d9f2a4"


def upgrade():
    op.create_table(
        "opendata_governance_checklist_item",
        id_column(),
        *required_text("organization_id", "key"),
        sa.Column("position", sa.Integer, nullable=False),
        *required_text("label"),
        *optional_text("help"),
        flag("required", True),
        *optional_text("modified_by"),
        *required_datetime("modified"),
        sa.UniqueConstraint("organization_id", "key",
                            name="opendata_governance_checklist_item_org_key"),
    )
    index_each(op, "opendata_governance_checklist_item", ["organization_id"])
    op.add_column("opendata_governance_review", sa.Column("checklist_items", JSONB))


def downgrade():
    op.drop_column("opendata_governance_review", "checklist_items")
    op.drop_table("opendata_governance_checklist_item")
