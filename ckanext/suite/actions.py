"""What the suite's actions share after their checks: who acts, and when to commit."""
from __future__ import annotations

from typing import Optional

from ckan import model
from ckan.types import Context

__all__ = ["acting_user", "commit"]


def acting_user(context: Context) -> Optional[model.User]:
    """The account named by the context's ``user`` (id or name), or None."""
    name = context.get("user")
    return model.User.get(name) if name else None


def commit(context: Context) -> None:
    """Commit the action's work, unless its caller defers the commit (``defer_commit``,
    as core's actions do): then flush, so that what follows in the caller's transaction
    sees it."""
    if context.get("defer_commit"):
        model.Session.flush()
    else:
        model.Session.commit()
