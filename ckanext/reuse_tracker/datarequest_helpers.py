"""Template helpers for data requests: labels and read-only wrappers over the actions."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker import topics
from ckanext.reuse_tracker.antispam import HONEYPOT_FIELD
from ckanext.reuse_tracker.model.datarequest import (
    DATAREQUEST_OPEN_STATES, DATAREQUEST_STATES)
from ckanext.suite.pages import user_context as _context

__all__ = [
    "datarequest_state_label",
    "datarequest_state_class",
    "datarequest_state_options",
    "datarequest_update_state_options",
    "datarequest_state_change",
    "datarequest_is_open",
    "datarequest_theme_label",
    "datarequest_theme_options",
    "datarequest_honeypot_field",
    "datarequest_can_moderate_some",
    "datarequest_answered_by",
]

#: Bootstrap badge classes of the states.
_STATE_CLASSES = {
    "open": "bg-primary",
    "under_review": "bg-info text-dark",
    "planned": "bg-warning text-dark",
    "published": "bg-success",
    "declined": "bg-secondary",
    "spam": "bg-danger",
}


def datarequest_state_label(state: Optional[str]) -> str:
    """The state of a data request, in words."""
    return {
        "open": tk._("Open"),
        "under_review": tk._("Under review"),
        "planned": tk._("Planned"),
        # Not "Published": the catalogue already has it as a date label ("Publiée le").
        "published": tk._("Data published"),
        "declined": tk._("Declined"),
        "spam": tk._("Spam"),
    }.get(state or "", state or "")


def datarequest_state_class(state: Optional[str]) -> str:
    """The badge class of a state."""
    return _STATE_CLASSES.get(state or "", "bg-secondary")


def datarequest_state_options(moderator: bool = False) -> list[dict[str, str]]:
    """The listing's state filter: still pending, then each state (spam for moderators)."""
    states = [state for state in DATAREQUEST_STATES if moderator or state != "spam"]
    return [{"value": "pending", "text": tk._("Still waiting (open, under review, planned)")}
            ] + [{"value": state, "text": datarequest_state_label(state)} for state in states]


def datarequest_update_state_options() -> list[dict[str, str]]:
    """The states a moderator may move an open request to (closing is a separate form)."""
    return [{"value": state, "text": datarequest_state_label(state)}
            for state in DATAREQUEST_OPEN_STATES]


def datarequest_state_change(change: Optional[str]) -> Optional[tuple[str, str]]:
    """``(old label, new label)`` of a recorded state change ("open>planned"), or None."""
    if not change or ">" not in change:
        return None
    old, new = change.split(">", 1)
    return datarequest_state_label(old), datarequest_state_label(new)


def datarequest_is_open(request: dict[str, Any]) -> bool:
    """Whether the request still waits for its dataset (and may be voted for)."""
    return request.get("state") in DATAREQUEST_OPEN_STATES


def datarequest_theme_label(theme: Optional[str]) -> Optional[str]:
    """The translated label of a theme (a reuse topic)."""
    return topics.topic_label(theme)


def datarequest_theme_options() -> list[dict[str, str]]:
    """The themes as ``{"value", "text"}`` options."""
    return topics.topic_options()


def datarequest_honeypot_field() -> str:
    """The name of the hidden field bots fill in."""
    return HONEYPOT_FIELD


def datarequest_can_moderate_some() -> bool:
    """Whether the current user moderates some requests (a sysadmin or an organization admin),
    so that the listing offers them the spam filter."""
    if not tk.current_user.is_authenticated:
        return False
    if tk.current_user.sysadmin:  # type: ignore[union-attr]
        return True
    return bool(tk.get_action("organization_list_for_user")(
        _context(), {"permission": "admin", "include_dataset_count": False}))


def datarequest_answered_by(package_id: str, limit: int = 5) -> list[dict[str, Any]]:
    """The requests the dataset answers (published with it), for the dataset page."""
    try:
        return tk.get_action("datarequest_list")(_context(), {
            "package_id": package_id, "state": "published", "sort": "votes",
            "limit": limit})["results"]
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return []
