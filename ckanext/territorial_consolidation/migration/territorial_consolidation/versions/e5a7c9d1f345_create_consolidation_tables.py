"""Create the consolidation and run tables.

Revision ID: e5a7c9d1f345
Revises: d4f6b8c0e234
Create Date: 2026-11-27 12:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = "e5a7c9d1f345"
down_revision = 'd4f6b8c0e234'
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the consolidation work


def downgrade():
    pass
