"""Create the table of cadence reminders sent.

Create Date: 2026-11-27 07:30:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (id_column, index_each, required_datetime,
                                             required_jsonb, required_text)

# revision identifiers, used by Alembic.
revision = "7c1d4e8b2a95"
down_revision = "3b7e2f9a1c04"


def upgrade():
    op.create_table(
        "opendata_governance_reminder",
        id_column(),
        *required_text("package_id"),
        sa.Column("due_date", sa.Date, nullable=False),
        *required_text("step"),
        *required_jsonb("recipients", server_default=sa.text("'[]'::jsonb")),
        *required_datetime("sent"),
        sa.UniqueConstraint("package_id", "due_date", "step",
                            name="opendata_governance_reminder_key"),
    )
    index_each(op, "opendata_governance_reminder", ["package_id"])


def downgrade():
    op.drop_table("opendata_governance_reminder")
