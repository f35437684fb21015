"""Create the territory, organization-territory, responsibility rule and duplicate tables.

Revision ID: c3e5a7b9d123
Revises: 
Create Date: 2026-11-27 12:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = "c3e5a7b9d123"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the territory work


def downgrade():
    pass
