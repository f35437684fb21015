"""Create the tables of reviews, reviewers and per-organization settings.

Create Date: 2026-11-27 08:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ckanext.suite.migration_columns import (drop_tables, flag, id_column, index_each,
                                             optional_datetime, optional_text, required_datetime,
                                             required_jsonb, required_text, text_keys)

# revision identifiers, used by Alembic.
revision = "9a4f2c6d8e13"
down_revision = "7c1d4e8b2a95"


def upgrade():
    op.create_table(
        "opendata_governance_review",
        id_column(),
        *required_text("package_id"),
        *optional_text("organization_id"),
        *required_text("state"),
        *optional_text("requested_by", "request_comment"),
        *required_datetime("created"),
        *required_text("fingerprint"),
        *required_jsonb("snapshot", server_default=sa.text("'{}'::jsonb")),
        *required_jsonb("checks", server_default=sa.text("'[]'::jsonb")),
        *optional_text("decided_by"),
        *optional_datetime("decided"),
        sa.Column("checklist", JSONB),
        *optional_text("decision_comment"),
        flag("override", False),
    )
    index_each(op, "opendata_governance_review", ["package_id", "organization_id", "state"])

    op.create_table(
        "opendata_governance_reviewer",
        id_column(),
        *required_text("organization_id", "user_id"),
        *optional_text("created_by"),
        *required_datetime("created"),
        sa.UniqueConstraint("organization_id", "user_id",
                            name="opendata_governance_reviewer_key"),
    )
    index_each(op, "opendata_governance_reviewer", ["organization_id", "user_id"])

    op.create_table(
        "opendata_governance_organization_setting",
        *text_keys("organization_id"),
        flag("gate_enabled", True),
        *optional_text("modified_by"),
        *required_datetime("modified"),
    )


def downgrade():
    drop_tables(op, "opendata_governance_organization_setting", "opendata_governance_reviewer",
                "opendata_governance_review")
