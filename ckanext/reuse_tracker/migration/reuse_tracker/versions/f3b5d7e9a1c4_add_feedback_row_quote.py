"""A feedback may quote a row of the resource's DataStore table: its ``_id`` and values.

Create Date: 2026-12-06 22:30:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "f3b5d7e9a1c4"
down_revision = "e1a3c5b7d9f2"


def upgrade():
    op.add_column("reuse_tracker_feedback", sa.Column("row_id", sa.Integer))
    # The row's values when it was quoted: a reload of the table may change them later.
    op.add_column("reuse_tracker_feedback", sa.Column("row_values", JSONB))


def downgrade():
    op.drop_column("reuse_tracker_feedback", "row_values")
    op.drop_column("reuse_tracker_feedback", "row_id")
