"""Create the tables of reviews, reviewers and per-organization settings.

Revision ID: 9a4f2c6d8e13
Revises: 7c1d4e8b2a95
Create Date: 2026-11-27 08:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "9a4f2c6d8e13"
down_revision = "7c1d4e8b2a95"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_governance_review",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("requested_by", sa.UnicodeText),
        sa.Column("request_comment", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("snapshot", JSONB, nullable=False,
                  server_default=sa.text("'{}'::jsonb")),
        sa.Column("checks", JSONB, nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided", sa.DateTime),
        sa.Column("checklist", JSONB),
        sa.Column("decision_comment", sa.UnicodeText),
        sa.Column("override", sa.Boolean, nullable=False,
                  server_default=sa.false()),
    )
    for column in ("package_id", "organization_id", "state"):
        op.create_index(f"ix_opendata_governance_review_{column}",
                        "opendata_governance_review", [column])

    op.create_table(
        "opendata_governance_reviewer",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("organization_id", "user_id",
                            name="opendata_governance_reviewer_key"),
    )
    for column in ("organization_id", "user_id"):
        op.create_index(f"ix_opendata_governance_reviewer_{column}",
                        "opendata_governance_reviewer", [column])

    op.create_table(
        "opendata_governance_organization_setting",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("gate_enabled", sa.Boolean, nullable=False,
                  server_default=sa.true()),
        sa.Column("modified_by", sa.UnicodeText),
        sa.Column("modified", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("opendata_governance_organization_setting")
    op.drop_table("opendata_governance_reviewer")
    op.drop_table("opendata_governance_review")
