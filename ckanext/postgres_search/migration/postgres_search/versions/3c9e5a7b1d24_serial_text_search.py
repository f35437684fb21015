"""Text searches planned serially: the text match's planner hint is not parallel safe.

Create Date: 2026-12-07 22:30:00
"""
from alembic import op

from ckanext.postgres_search import ddl

revision = "3c9e5a7b1d24"
down_revision = "8b2f4c1d9e60"


def upgrade():
    for statement in ddl.SERIAL_UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in ddl.SERIAL_DOWNGRADE:
        op.execute(statement)
