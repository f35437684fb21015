"""Reuse tables: a reuse, the datasets it uses, and its link-health record."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.rows import new_id, utcnow

__all__ = ["Reuse", "ReuseDataset", "REUSE_TYPES", "REUSE_STATES"]

#: udata's reuse types.
REUSE_TYPES = ("application", "visualization", "api", "news_article", "paper", "idea",
               "hardware", "other")
REUSE_STATES = ("pending", "published", "rejected", "archived")


class Reuse(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A reuse of the portal's data (an app, a visualisation, an article...)."""

    __tablename__ = "reuse_tracker_reuse"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    name = sa.Column(sa.UnicodeText, nullable=False, unique=True)
    title = sa.Column(sa.UnicodeText, nullable=False)
    description = sa.Column(sa.UnicodeText, nullable=False, default="")
    # Normalised (scheme and host lower-cased, default port and fragment dropped): unique.
    url = sa.Column(sa.UnicodeText, nullable=False, unique=True)
    type = sa.Column(sa.UnicodeText, nullable=False)
    topic = sa.Column(sa.UnicodeText)
    # An uploaded image is stored by CKAN's uploader; image_url is then its public URL.
    image_url = sa.Column(sa.UnicodeText)
    thumbnail_url = sa.Column(sa.UnicodeText)
    # Core ids, without foreign keys: core tables are not ours to constrain.
    submitter_id = sa.Column(sa.UnicodeText, index=True)
    organization_id = sa.Column(sa.UnicodeText, index=True)
    contact_email = sa.Column(sa.UnicodeText)
    state = sa.Column(sa.UnicodeText, nullable=False, default="pending", index=True)
    moderation_comment = sa.Column(sa.UnicodeText)
    moderated_by = sa.Column(sa.UnicodeText)
    featured = sa.Column(sa.Boolean, nullable=False, default=False)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    published = sa.Column(sa.DateTime)
    # Link health (filled by the periodic link check).
    link_checked = sa.Column(sa.DateTime)
    link_status = sa.Column(sa.UnicodeText)  # "ok", or why the last check failed
    link_failures = sa.Column(sa.Integer, nullable=False, default=0)
    link_broken_since = sa.Column(sa.DateTime)
    extras = sa.Column(JSONB, nullable=False, default=dict)

    @classmethod
    def get(cls, id_or_name: str) -> "Reuse | None":
        if not id_or_name:
            return None
        return model.Session.query(cls).filter(
            sa.or_(cls.id == id_or_name, cls.name == id_or_name)).one_or_none()


class ReuseDataset(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One dataset used by a reuse (many to many)."""

    __tablename__ = "reuse_tracker_reuse_dataset"

    reuse_id = sa.Column(sa.UnicodeText, sa.ForeignKey("reuse_tracker_reuse.id",
                                                       ondelete="CASCADE"),
                         primary_key=True)
    package_id = sa.Column(sa.UnicodeText, primary_key=True, index=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
