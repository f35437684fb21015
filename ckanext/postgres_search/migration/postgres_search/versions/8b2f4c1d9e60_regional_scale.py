"""Search at regional scale: the head vector, a generation token changed by every write
to the search table (for the counts kept between requests), the index of the default
order, the text match's planner hint and the record of rebuild runs.

Create Date: 2026-12-07 05:00:00
"""
from alembic import op

from ckanext.postgres_search import ddl

revision = "8b2f4c1d9e60"
down_revision = "5d1a0c7e2b41"


def upgrade():
    for statement in ddl.SCALE_UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in ddl.SCALE_DOWNGRADE:
        op.execute(statement)
