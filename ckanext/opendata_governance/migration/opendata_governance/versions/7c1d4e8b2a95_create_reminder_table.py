"""Create the table of cadence reminders sent.

Revision ID: 7c1d4e8b2a95
Revises: 3b7e2f9a1c04
Create Date: 2026-11-27 07:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "7c1d4e8b2a95"
down_revision = "3b7e2f9a1c04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_governance_reminder",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("step", sa.UnicodeText, nullable=False),
        sa.Column("recipients", JSONB, nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        sa.Column("sent", sa.DateTime, nullable=False),
        sa.UniqueConstraint("package_id", "due_date", "step",
                            name="opendata_governance_reminder_key"),
    )
    op.create_index("ix_opendata_governance_reminder_package_id",
                    "opendata_governance_reminder", ["package_id"])


def downgrade():
    op.drop_table("opendata_governance_reminder")
