"""A logging formatter that keeps a record on one line, for expected, already reported failures."""
from __future__ import annotations

import copy
import logging

__all__ = ["OneLineFormatter"]


class OneLineFormatter(logging.Formatter):
    """Formats a record without its traceback.

    Meant for ``ckan.lib.mailer`` in ``ckan.ini``: core logs a failed SMTP connection with
    a full traceback, and the suite's mail helpers already report each failed mail on a
    line of their own; the exception's message stays in the record's message.
    """

    def format(self, record: logging.LogRecord) -> str:
        short = copy.copy(record)
        short.exc_info = None
        short.exc_text = None
        short.stack_info = None
        return super().format(short)
