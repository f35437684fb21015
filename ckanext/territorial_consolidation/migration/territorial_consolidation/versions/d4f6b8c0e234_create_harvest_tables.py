"""Create the harvest provenance tables.

Revision ID: d4f6b8c0e234
Revises: c3e5a7b9d123
Create Date: 2026-11-27 12:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = "d4f6b8c0e234"
down_revision = 'c3e5a7b9d123'
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the harvest work


def downgrade():
    pass
