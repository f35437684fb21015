"""Create the mail outbox: mails recorded by requests, sent by jobs and `ckan mail-outbox flush`.

Revision ID: e1a3c5b7d9f2
Revises: d8f0b2c4e6a9
Create Date: 2026-12-06 20:00:00

"""
from alembic import op

from ckanext.suite.mail_migration import create_outbox_v1, drop_outbox_v1

# revision identifiers, used by Alembic.
revision = "e1a3c5b7d9f2"
down_revision = "d8f0b2c4e6a9"
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_v1(op, "reuse_tracker")


def downgrade():
    drop_outbox_v1(op, "reuse_tracker")
