"""Create the mail outbox: mails recorded by requests, sent by jobs and `ckan mail-outbox flush`.

Create Date: 2026-12-06 20:00:00
"""
from ckanext.suite.mail_migration import outbox_v1

# revision identifiers, used by Alembic.
revision = "6f3a9d2c1b47"
down_revision = "5e2b8c1f7a30"

upgrade, downgrade = outbox_v1("opendata_governance")
