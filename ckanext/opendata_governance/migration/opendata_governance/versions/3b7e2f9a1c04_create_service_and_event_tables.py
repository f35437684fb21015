"""Create the owner service and governance event tables.

Revision ID: 3b7e2f9a1c04
Revises:
Create Date: 2026-11-27 07:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "3b7e2f9a1c04"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_governance_service",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("email", sa.UnicodeText),
        sa.Column("referent_id", sa.UnicodeText),
        sa.Column("backup_referent_id", sa.UnicodeText),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.UniqueConstraint("organization_id", "name",
                            name="opendata_governance_service_org_name_key"),
    )
    op.create_index("ix_opendata_governance_service_organization_id",
                    "opendata_governance_service", ["organization_id"])
    op.create_table(
        "opendata_governance_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("timestamp", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText),
        sa.Column("event_type", sa.UnicodeText, nullable=False),
        sa.Column("details", JSONB, nullable=False,
                  server_default=sa.text("'{}'::jsonb")),
    )
    op.create_index("ix_opendata_governance_event_timestamp",
                    "opendata_governance_event", ["timestamp"])
    op.create_index("ix_opendata_governance_event_organization_id",
                    "opendata_governance_event", ["organization_id"])
    op.create_index("ix_opendata_governance_event_package_id",
                    "opendata_governance_event", ["package_id"])


def downgrade():
    op.drop_table("opendata_governance_event")
    op.drop_table("opendata_governance_service")
