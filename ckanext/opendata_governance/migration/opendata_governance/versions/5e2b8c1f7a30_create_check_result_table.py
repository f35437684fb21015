"""Create the table of automated check results.

Create Date: 2026-11-27 09:40:00
"""
from alembic import op
import sqlalchemy as sa

from ckanext.suite.migration_columns import (id_column, index_each, optional_text,
                                             required_datetime, required_jsonb, required_text)

# revision identifiers, used by Alembic.
revision = "5e2b8c1f7a30"
down_revision = "9a4f2c6d8e13"


def upgrade():
    op.create_table(
        "opendata_governance_check_result",
        id_column(),
        *required_text("package_id"),
        *optional_text("resource_id"),
        *required_text("check_id", "check_version"),
        *optional_text("title"),
        *required_text("severity", "status"),
        *required_jsonb("findings", server_default=sa.text("'[]'::jsonb")),
        *required_datetime("run_at"),
        sa.Column("duration_ms", sa.Integer),
        *required_text("trigger"),
        *optional_text("job_id"),
    )
    index_each(op, "opendata_governance_check_result", ["package_id", "resource_id", "run_at"])


def downgrade():
    op.drop_table("opendata_governance_check_result")
