"""Data request tables: a request for a dataset not yet published, its votes, comments
and followers."""
from __future__ import annotations

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.rows import new_id, utcnow

__all__ = ["DataRequest", "DataRequestVote", "DataRequestComment", "DataRequestFollower",
           "DATAREQUEST_STATES", "DATAREQUEST_OPEN_STATES", "DATAREQUEST_CLOSED_STATES"]

#: ``spam`` requests are kept for moderators and shown to nobody else.
DATAREQUEST_STATES = ("open", "under_review", "planned", "published", "declined", "spam")
#: States in which a request still waits for its dataset (and may be voted for).
DATAREQUEST_OPEN_STATES = ("open", "under_review", "planned")
#: States reached through ``datarequest_close``.
DATAREQUEST_CLOSED_STATES = ("published", "declined")


class DataRequest(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A user's request for a dataset that the portal does not publish yet."""

    __tablename__ = "reuse_tracker_datarequest"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    title = sa.Column(sa.UnicodeText, nullable=False)
    description = sa.Column(sa.UnicodeText, nullable=False)
    # Core ids, without foreign keys: core tables are not ours to constrain.
    organization_id = sa.Column(sa.UnicodeText, index=True)
    # A reuse topic key (``topics.TOPICS``): the theme of the requested data.
    theme = sa.Column(sa.UnicodeText)
    author_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    state = sa.Column(sa.UnicodeText, nullable=False, default="open", index=True)
    spam_reason = sa.Column(sa.UnicodeText)
    # The dataset that answers the request (state ``published``).
    package_id = sa.Column(sa.UnicodeText, index=True)
    # Why the request was declined (state ``declined``): public.
    reason = sa.Column(sa.UnicodeText)
    closed = sa.Column(sa.DateTime)
    closed_by = sa.Column(sa.UnicodeText)
    # Kept up to date with the vote and comment rows, so that lists sort without counting.
    vote_count = sa.Column(sa.Integer, nullable=False, default=0)
    comment_count = sa.Column(sa.Integer, nullable=False, default=0)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def get(cls, id_: str | None) -> "DataRequest | None":
        return model.Session.get(cls, id_) if id_ else None


class DataRequestVote(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One user's +1 on one request: at most one row per user and request."""

    __tablename__ = "reuse_tracker_datarequest_vote"

    datarequest_id = sa.Column(sa.UnicodeText, sa.ForeignKey(
        "reuse_tracker_datarequest.id", ondelete="CASCADE"), primary_key=True)
    user_id = sa.Column(sa.UnicodeText, primary_key=True, index=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class DataRequestComment(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A public comment on a request; status changes are recorded as comments too."""

    __tablename__ = "reuse_tracker_datarequest_comment"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    datarequest_id = sa.Column(sa.UnicodeText, sa.ForeignKey(
        "reuse_tracker_datarequest.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id = sa.Column(sa.UnicodeText)
    body = sa.Column(sa.UnicodeText, nullable=False, default="")
    # A status change recorded with the comment ("open>planned"), if any.
    state_change = sa.Column(sa.UnicodeText)
    # ``active``, ``deleted`` (by its author or a moderator) or ``spam``: only active ones show.
    state = sa.Column(sa.UnicodeText, nullable=False, default="active")
    spam_reason = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)


class DataRequestFollower(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A user mailed on the request's status changes (its author follows from the start)."""

    __tablename__ = "reuse_tracker_datarequest_follower"

    datarequest_id = sa.Column(sa.UnicodeText, sa.ForeignKey(
        "reuse_tracker_datarequest.id", ondelete="CASCADE"), primary_key=True)
    user_id = sa.Column(sa.UnicodeText, primary_key=True, index=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
