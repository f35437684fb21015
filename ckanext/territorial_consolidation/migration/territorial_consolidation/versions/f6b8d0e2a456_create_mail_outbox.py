"""Create the mail outbox: mails recorded by requests, sent by jobs and `ckan mail-outbox flush`.

Revision ID: f6b8d0e2a456
Revises: e5a7c9d1f345
Create Date: 2026-12-06 20:00:00

"""
from alembic import op

from ckanext.suite.mail_migration import create_outbox_v1, drop_outbox_v1

# revision identifiers, used by Alembic.
revision = "f6b8d0e2a456"
down_revision = "e5a7c9d1f345"
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_v1(op, "territorial_consolidation")


def downgrade():
    drop_outbox_v1(op, "territorial_consolidation")
