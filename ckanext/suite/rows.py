"""The values the suite's tables store: uuid text ids and UTC timestamps without a zone."""
from __future__ import annotations

import datetime as dt
import uuid

__all__ = ["new_id", "utcnow"]


def new_id() -> str:
    """A new row id: a random uuid, as text like core's ids."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Now in UTC, without a zone: what PostgreSQL ``timestamp`` columns (and core's) hold."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
