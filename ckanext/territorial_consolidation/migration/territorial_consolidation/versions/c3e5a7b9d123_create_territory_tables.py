"""Create the territory, organization-territory and responsibility rule tables.

Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from ckanext.suite.migration_columns import (IDX, drop_tables, flag, id_column, index_each,
                                             optional_text, required_datetime, required_text,
                                             text_keys)

# revision identifiers, used by Alembic.
revision = "c3e5a7b9d123"
down_revision = None


def upgrade():
    op.create_table(
        "territorial_consolidation_territory",
        id_column(),
        *required_text("code", "level", "name", "search_name"),
        sa.Column("population", sa.Integer),
        sa.Column("parent_ids", ARRAY(sa.UnicodeText), nullable=False,
                  server_default="{}"),
        sa.Column("ancestor_ids", ARRAY(sa.UnicodeText), nullable=False,
                  server_default="{}"),
        *required_text("origin", server_default="manual"),
        flag("obsolete", False),
        *required_datetime("created", "modified"),
    )
    index_each(op, "territorial_consolidation_territory", ["code", "level"], IDX)
    # Children and "everything within" are array containment queries.
    index_each(op, "territorial_consolidation_territory", ["parent_ids", "ancestor_ids"], IDX,
               postgresql_using="gin")

    op.create_table(
        "territorial_consolidation_organization_territory",
        *text_keys("organization_id"),
        *required_text("territory_id"),
        *required_datetime("modified"),
    )
    op.create_index("territorial_consolidation_org_territory_territory_idx",
                    "territorial_consolidation_organization_territory", ["territory_id"])

    op.create_table(
        "territorial_consolidation_responsibility_rule",
        id_column(),
        *required_text("kind", "value", "level"),
        *optional_text("note", "created_by"),
        *required_datetime("created"),
        sa.UniqueConstraint("kind", "value",
                            name="territorial_consolidation_responsibility_rule_kind_value_key"),
    )


def downgrade():
    drop_tables(op, "territorial_consolidation_responsibility_rule",
                "territorial_consolidation_organization_territory",
                "territorial_consolidation_territory")
