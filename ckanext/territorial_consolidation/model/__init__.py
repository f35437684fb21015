"""Tables of territorial consolidation (no foreign keys into core tables)."""
from __future__ import annotations

from ckanext.territorial_consolidation.model.territory import *  # noqa: F401,F403
from ckanext.territorial_consolidation.model.harvest import *  # noqa: F401,F403
from ckanext.territorial_consolidation.model.consolidation import *  # noqa: F401,F403
from ckanext.suite.mail import outbox_table

#: The plugin's mail outbox (``ckanext/suite/mail.py``).
mail_outbox = outbox_table("territorial_consolidation")
