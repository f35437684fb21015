"""Create the mail outbox: mails recorded by requests, sent by jobs and `ckan mail-outbox flush`.

Create Date: 2026-12-06 20:00:00
"""
from ckanext.suite.mail_migration import outbox_v1

# revision identifiers, used by Alembic.
revision = "f6b8d0e2a456"
down_revision = "e5a7c9d1f345"

upgrade, downgrade = outbox_v1("territorial_consolidation")
