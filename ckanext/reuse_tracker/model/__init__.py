"""Tables of the reuse tracker (no foreign keys into core tables)."""
from __future__ import annotations

from ckanext.reuse_tracker.model.reuse import Reuse, ReuseDataset  # noqa: F401
from ckanext.reuse_tracker.model.feedback import *  # noqa: F401,F403
from ckanext.reuse_tracker.model.datarequest import *  # noqa: F401,F403
from ckanext.suite.mail import outbox_table

#: The plugin's mail outbox (``ckanext/suite/mail.py``).
mail_outbox = outbox_table("reuse_tracker")
