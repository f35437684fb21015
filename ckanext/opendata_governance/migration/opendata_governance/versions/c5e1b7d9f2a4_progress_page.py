"""The organization's public progress page: whether it is public, whether it names plans.

Revision ID: c5e1b7d9f2a4
Revises: a1c9e4f2b803
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c5e1b7d9f2a4"
down_revision = "a1c9e4f2b803"
branch_labels = None
depends_on = None

_TABLE = "opendata_governance_organization_setting"
_COLUMNS = ("progress_public", "progress_planned_titles")


def upgrade():
    for column in _COLUMNS:
        op.add_column(_TABLE, sa.Column(column, sa.Boolean, nullable=False,
                                        server_default=sa.false()))


def downgrade():
    for column in _COLUMNS:
        op.drop_column(_TABLE, column)
