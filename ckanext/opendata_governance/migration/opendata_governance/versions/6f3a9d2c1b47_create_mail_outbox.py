"""Create the mail outbox: mails recorded by requests, sent by jobs and `ckan mail-outbox flush`.

Revision ID: 6f3a9d2c1b47
Revises: 5e2b8c1f7a30
Create Date: 2026-12-06 20:00:00

"""
from alembic import op

from ckanext.suite.mail_migration import create_outbox_v1, drop_outbox_v1

# revision identifiers, used by Alembic.
revision = "6f3a9d2c1b47"
down_revision = "5e2b8c1f7a30"
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_v1(op, "opendata_governance")


def downgrade():
    drop_outbox_v1(op, "opendata_governance")
