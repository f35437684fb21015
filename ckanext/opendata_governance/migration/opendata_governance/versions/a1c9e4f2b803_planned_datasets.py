"""Planned datasets: what an organization plans to open, with its target date and state.

Create Date: 2026-12-07 01:45:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (id_column, index_each, optional_text,
                                             required_datetime, required_text)

# revision identifiers, used by Alembic.
revision = "a1c9e4f2b803"
down_revision = "8d2e5a7c3f61"


def upgrade():
    op.create_table(
        "opendata_governance_planned_dataset",
        id_column(),
        *required_text("organization_id", "title"),
        sa.Column("target_date", sa.Date),
        *optional_text("owner_service", "conforms_to", "update_frequency", "notes"),
        *required_text("state"),
        *optional_text("package_id", "suggestion_key", "created_by"),
        *required_datetime("created", "modified"),
    )
    index_each(op, "opendata_governance_planned_dataset", ["organization_id", "package_id"])


def downgrade():
    op.drop_table("opendata_governance_planned_dataset")
