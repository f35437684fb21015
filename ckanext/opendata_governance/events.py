"""The governance event log: who did what to which object, recorded with the action."""
from __future__ import annotations

from typing import Any, Optional

from ckan import model
from ckan.types import Context

from ckanext.opendata_governance.model import Event
from ckanext.suite.actions import acting_user

__all__ = ["record"]


def record(context: Context, event_type: str, object_type: str, object_id: Optional[str],
           organization_id: Optional[str], package_id: Optional[str] = None,
           details: Optional[dict[str, Any]] = None) -> None:
    """Add an event by the context's user to the session (committed with the action)."""
    actor = acting_user(context)
    model.Session.add(Event(
        actor_id=actor.id if actor else None, organization_id=organization_id,
        package_id=package_id, object_type=object_type, object_id=object_id,
        event_type=event_type, details=details or {}))
