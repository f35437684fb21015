"""Validators of feedback fields."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker.model.feedback import FEEDBACK_KINDS, FEEDBACK_STATES

__all__ = ["feedback_kind", "feedback_state", "feedback_rating", "feedback_text_length",
           "feedback_short_text"]


def feedback_kind(value: Any) -> str:
    """One of question, problem, update_request, thanks."""
    if value not in FEEDBACK_KINDS:
        raise tk.Invalid(tk._("Unknown kind of feedback: choose one of {kinds}").format(
            kinds=", ".join(FEEDBACK_KINDS)))
    return value


def feedback_state(value: Any) -> str:
    """One of new, acknowledged, in_progress, resolved, rejected, spam."""
    if value not in FEEDBACK_STATES:
        raise tk.Invalid(tk._("Unknown feedback state: choose one of {states}").format(
            states=", ".join(FEEDBACK_STATES)))
    return value


def feedback_rating(value: Any) -> int | None:
    """A whole number from 1 to 5 (empty: no rating)."""
    if value is None or value == "":
        return None
    try:
        rating = int(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("The rating must be a whole number from 1 to 5"))
    if not 1 <= rating <= 5 or str(value).strip() not in {str(rating), f"{rating}.0"}:
        raise tk.Invalid(tk._("The rating must be a whole number from 1 to 5"))
    return rating


def feedback_text_length(value: Any) -> Any:
    """At most ``feedback_body_max_length`` characters."""
    limit = tk.config["ckanext.reuse_tracker.feedback_body_max_length"]
    if value and len(str(value)) > limit:
        raise tk.Invalid(tk._("At most {n} characters").format(n=limit))
    return value


def feedback_short_text(value: Any) -> Any:
    """A short single-line text (a name, a row or column reference): 200 characters at most."""
    if value and len(str(value)) > 200:
        raise tk.Invalid(tk._("At most {n} characters").format(n=200))
    return " ".join(str(value).split()) if value else value
