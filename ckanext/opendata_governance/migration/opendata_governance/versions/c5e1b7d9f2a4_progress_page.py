"""The organization's public progress page: whether it is public, whether it names plans.

Create Date: 2026-12-07 13:00:00
"""
from alembic import op

from ckanext.suite.migration_columns import flag

# revision identifiers, used by Alembic.
revision = "c5e1b7d9f2a4"
down_revision = "a1c9e4f2b803"

_TABLE = "opendata_governance_organization_setting"
_COLUMNS = ("progress_public", "progress_planned_titles")


def upgrade():
    for column in _COLUMNS:
        op.add_column(_TABLE, flag(column, False))


def downgrade():
    for column in _COLUMNS:
        op.drop_column(_TABLE, column)
