"""Create the mail outbox: mails recorded by requests, sent by jobs and `ckan mail-outbox flush`.

Create Date: 2026-12-06 20:00:00
"""
from ckanext.suite.mail_migration import outbox_v1

# revision identifiers, used by Alembic.
revision = "e1a3c5b7d9f2"
down_revision = "d8f0b2c4e6a9"

upgrade, downgrade = outbox_v1("reuse_tracker")
