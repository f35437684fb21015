"""Create the feedback tables.

Revision ID: b2d4f6a8c012
Revises: a1c3e5f7b901
Create Date: 2026-11-27 12:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = "b2d4f6a8c012"
down_revision = 'a1c3e5f7b901'
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the feedback work


def downgrade():
    pass
