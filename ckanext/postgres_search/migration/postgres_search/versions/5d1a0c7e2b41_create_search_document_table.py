"""Create the search document table and the French text search configuration.

Create Date: 2026-11-27 06:00:00
"""
from alembic import op

from ckanext.postgres_search import ddl

revision = "5d1a0c7e2b41"
down_revision = None


def upgrade():
    for statement in ddl.UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in ddl.DOWNGRADE:
        op.execute(statement)
