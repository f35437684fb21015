"""Template helpers for feedback: read-only wrappers over the feedback actions."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker.antispam import HONEYPOT_FIELD
from ckanext.reuse_tracker.model.feedback import FEEDBACK_KINDS, FEEDBACK_STATES
from ckanext.suite.pages import user_context as _context

__all__ = [
    "feedback_for_dataset",
    "feedback_can_post",
    "feedback_can_manage",
    "feedback_kinds",
    "feedback_states",
    "feedback_kind_label",
    "feedback_state_label",
    "feedback_honeypot_field",
    "feedback_stats_for",
    "feedback_inbox_visible",
]


def feedback_for_dataset(pkg_dict: dict[str, Any], limit: int = 50) -> Optional[dict[str, Any]]:
    """The dataset's feedback as the current user may see it, or None if they may not."""
    try:
        return tk.get_action("feedback_list")(
            _context(), {"package_id": pkg_dict["id"], "limit": limit})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def feedback_can_post(pkg_dict: dict[str, Any]) -> bool:
    """Whether the current user may give feedback on the dataset."""
    try:
        tk.check_access("feedback_create", _context(), {"package_id": pkg_dict["id"]})
    except tk.NotAuthorized:
        return False
    return True


def feedback_can_manage(pkg_dict: dict[str, Any]) -> bool:
    """Whether the current user handles the dataset's feedback (edits the dataset)."""
    try:
        tk.check_access("package_update", _context(), {"id": pkg_dict["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def feedback_kinds() -> list[tuple[str, str]]:
    """``(kind, label)`` of every kind of feedback."""
    return [(kind, feedback_kind_label(kind)) for kind in FEEDBACK_KINDS]


def feedback_states() -> list[tuple[str, str]]:
    """``(state, label)`` of every state."""
    return [(state, feedback_state_label(state)) for state in FEEDBACK_STATES]


def feedback_kind_label(kind: str) -> str:
    """The kind of feedback, in words."""
    return {
        "question": tk._("Question"),
        "problem": tk._("Problem in the data"),
        "update_request": tk._("Update request"),
        "thanks": tk._("Thanks"),
    }.get(kind, kind)


def feedback_state_label(state: str) -> str:
    """The state of feedback, in words."""
    return {
        "new": tk._("New"),
        "acknowledged": tk._("Acknowledged"),
        "in_progress": tk._("In progress"),
        "resolved": tk._("Resolved"),
        "rejected": tk._("Rejected"),
        "spam": tk._("Spam"),
    }.get(state, state)


def feedback_honeypot_field() -> str:
    """The name of the hidden field bots fill in."""
    return HONEYPOT_FIELD


def feedback_stats_for(organization: Optional[str] = None) -> Optional[dict[str, Any]]:
    """Feedback figures for the current user (an organization's, or every one they edit),
    or None if they may not see them or the reuse tracker is not loaded."""
    if not p.plugin_loaded("reuse_tracker"):
        return None
    try:
        return tk.get_action("feedback_stats")(
            _context(), {"organization": organization} if organization else {})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def feedback_inbox_visible() -> bool:
    """Whether the current user has a feedback inbox: they edit some organization's
    datasets (the main menu links it for them only)."""
    if not tk.current_user.is_authenticated:
        return False
    try:
        tk.check_access("feedback_list", _context(), {})
    except tk.NotAuthorized:
        return False
    return True
