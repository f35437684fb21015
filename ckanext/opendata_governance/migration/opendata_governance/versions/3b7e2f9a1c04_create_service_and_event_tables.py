"""Create the owner service and governance event tables.

Create Date: 2026-11-27 07:00:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (drop_tables, flag, id_column, index_each,
                                             optional_text, required_datetime, required_jsonb,
                                             required_text)

# revision identifiers, used by Alembic.
revision = "3b7e2f9a1c04"
down_revision = None


def upgrade():
    op.create_table(
        "opendata_governance_service",
        id_column(),
        *required_text("organization_id", "name", "title"),
        *optional_text("email", "referent_id", "backup_referent_id"),
        flag("active", True),
        *required_datetime("created", "modified"),
        sa.UniqueConstraint("organization_id", "name",
                            name="opendata_governance_service_org_name_key"),
    )
    index_each(op, "opendata_governance_service", ["organization_id"])
    op.create_table(
        "opendata_governance_event",
        id_column(),
        *required_datetime("timestamp"),
        *optional_text("actor_id", "organization_id", "package_id"),
        *required_text("object_type"),
        *optional_text("object_id"),
        *required_text("event_type"),
        *required_jsonb("details", server_default=sa.text("'{}'::jsonb")),
    )
    index_each(op, "opendata_governance_event", ["timestamp", "organization_id", "package_id"])


def downgrade():
    drop_tables(op, "opendata_governance_event", "opendata_governance_service")
