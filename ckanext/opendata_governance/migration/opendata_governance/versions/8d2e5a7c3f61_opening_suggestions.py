"""Opening suggestions: an organization's agent count and its dismissed suggestions.

Create Date: 2026-12-07 01:40:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (id_column, index_each, optional_text,
                                             required_datetime, required_text)

# revision identifiers, used by Alembic.
revision = "8d2e5a7c3f61"
down_revision = "6f3a9d2c1b47"


def upgrade():
    op.add_column("opendata_governance_organization_setting",
                  sa.Column("agent_count", sa.Integer))
    op.create_table(
        "opendata_governance_opening_dismissal",
        id_column(),
        *required_text("organization_id", "key", "reason"),
        *optional_text("dismissed_by"),
        *required_datetime("created"),
        sa.UniqueConstraint("organization_id", "key",
                            name="opendata_governance_opening_dismissal_org_key"),
    )
    index_each(op, "opendata_governance_opening_dismissal", ["organization_id"])


def downgrade():
    op.drop_table("opendata_governance_opening_dismissal")
    op.drop_column("opendata_governance_organization_setting", "agent_count")
