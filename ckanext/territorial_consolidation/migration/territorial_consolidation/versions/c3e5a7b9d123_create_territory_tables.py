"""Create the territory, organization-territory and responsibility rule tables.

Revision ID: c3e5a7b9d123
Revises:
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

# revision identifiers, used by Alembic.
revision = "c3e5a7b9d123"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "territorial_consolidation_territory",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("code", sa.UnicodeText, nullable=False),
        sa.Column("level", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("search_name", sa.UnicodeText, nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("parent_ids", ARRAY(sa.UnicodeText), nullable=False,
                  server_default="{}"),
        sa.Column("ancestor_ids", ARRAY(sa.UnicodeText), nullable=False,
                  server_default="{}"),
        sa.Column("origin", sa.UnicodeText, nullable=False, server_default="manual"),
        sa.Column("obsolete", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    op.create_index("territorial_consolidation_territory_code_idx",
                    "territorial_consolidation_territory", ["code"])
    op.create_index("territorial_consolidation_territory_level_idx",
                    "territorial_consolidation_territory", ["level"])
    # Children and "everything within" are array containment queries.
    for column in ("parent_ids", "ancestor_ids"):
        op.create_index(f"territorial_consolidation_territory_{column}_idx",
                        "territorial_consolidation_territory", [column],
                        postgresql_using="gin")

    op.create_table(
        "territorial_consolidation_organization_territory",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("territory_id", sa.UnicodeText, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    op.create_index("territorial_consolidation_org_territory_territory_idx",
                    "territorial_consolidation_organization_territory", ["territory_id"])

    op.create_table(
        "territorial_consolidation_responsibility_rule",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("value", sa.UnicodeText, nullable=False),
        sa.Column("level", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("kind", "value",
                            name="territorial_consolidation_responsibility_rule_kind_value_key"),
    )


def downgrade():
    op.drop_table("territorial_consolidation_responsibility_rule")
    op.drop_table("territorial_consolidation_organization_territory")
    op.drop_table("territorial_consolidation_territory")
