"""Feedback tables: a feedback item, its internal notes, and each user's rating of a dataset."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.rows import new_id, utcnow

__all__ = ["Feedback", "FeedbackNote", "FeedbackRating", "FEEDBACK_KINDS", "FEEDBACK_STATES",
           "FEEDBACK_OPEN_STATES"]

FEEDBACK_KINDS = ("question", "problem", "update_request", "thanks")
FEEDBACK_STATES = ("new", "acknowledged", "in_progress", "resolved", "rejected", "spam")
#: States that still wait for the owner service.
FEEDBACK_OPEN_STATES = ("new", "acknowledged", "in_progress")


class Feedback(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A question, problem report, update request or thanks about a dataset."""

    __tablename__ = "reuse_tracker_feedback"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    # Core ids, without foreign keys: core tables are not ours to constrain.
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    organization_id = sa.Column(sa.UnicodeText, index=True)
    # The dataset's owner service (its name) when the feedback came in: the routing.
    service = sa.Column(sa.UnicodeText, index=True)
    resource_id = sa.Column(sa.UnicodeText)
    # A row or column reference in the data ("ligne 12", "colonne montant"...).
    reference = sa.Column(sa.UnicodeText)
    # A quoted row of the resource's DataStore table: its _id, and its values
    # ([[field, value], ...]) when quoted.
    row_id = sa.Column(sa.Integer)
    row_values = sa.Column(JSONB)
    kind = sa.Column(sa.UnicodeText, nullable=False)
    body = sa.Column(sa.UnicodeText, nullable=False)
    rating = sa.Column(sa.Integer)
    author_id = sa.Column(sa.UnicodeText, index=True)
    author_name = sa.Column(sa.UnicodeText)  # anonymous authors may sign
    state = sa.Column(sa.UnicodeText, nullable=False, default="new", index=True)
    spam_reason = sa.Column(sa.UnicodeText)
    answer = sa.Column(sa.UnicodeText)
    answered_by = sa.Column(sa.UnicodeText)
    answered = sa.Column(sa.DateTime)
    # First public answer or status change: the response time runs until then.
    first_response = sa.Column(sa.DateTime)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def get(cls, id_: str | None) -> "Feedback | None":
        return model.Session.get(cls, id_) if id_ else None


class FeedbackNote(tk.BaseModel):  # type: ignore[misc, valid-type]
    """An internal note of the owner service on a feedback item: never public."""

    __tablename__ = "reuse_tracker_feedback_note"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    feedback_id = sa.Column(sa.UnicodeText, sa.ForeignKey("reuse_tracker_feedback.id",
                                                          ondelete="CASCADE"),
                            nullable=False, index=True)
    author_id = sa.Column(sa.UnicodeText)
    body = sa.Column(sa.UnicodeText, nullable=False)
    # A status change recorded with the note ("new -> in_progress"), if any.
    state_change = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class FeedbackRating(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One user's current rating (1-5) of one dataset: a new rating replaces it."""

    __tablename__ = "reuse_tracker_feedback_rating"

    package_id = sa.Column(sa.UnicodeText, primary_key=True)
    user_id = sa.Column(sa.UnicodeText, primary_key=True)
    rating = sa.Column(sa.Integer, nullable=False)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
