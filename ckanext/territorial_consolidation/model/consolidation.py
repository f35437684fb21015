"""Consolidation tables: a consolidation's settings and the history of its runs."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.rows import new_id, utcnow

__all__ = ["Consolidation", "ConsolidationRun"]


class Consolidation(tk.BaseModel):  # type: ignore[misc, valid-type]
    """Files declaring one Table Schema, in one scope territory, merged into one dataset."""

    __tablename__ = "territorial_consolidation_consolidation"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    name = sa.Column(sa.UnicodeText, nullable=False, unique=True)
    title = sa.Column(sa.UnicodeText, nullable=False)
    # The consolidating organization and its target dataset (core ids, no foreign keys).
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    package_id = sa.Column(sa.UnicodeText, index=True)
    schema_url = sa.Column(sa.UnicodeText, nullable=False, index=True)
    # An uploaded schema; None when the schema is fetched from its URL at each run.
    schema_json = sa.Column(JSONB)
    scope_territory_id = sa.Column(sa.UnicodeText, nullable=False)
    include = sa.Column(JSONB, nullable=False, default=list)
    exclude = sa.Column(JSONB, nullable=False, default=list)
    dedup_key = sa.Column(JSONB, nullable=False, default=list)
    keep_valid_rows = sa.Column(sa.Boolean, nullable=False, default=True)
    notify_owners = sa.Column(sa.Boolean, nullable=False, default=False)
    schedule = sa.Column(sa.UnicodeText, nullable=False, default="manual")
    creator_user_id = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def get(cls, reference: str) -> Optional["Consolidation"]:
        """By id or name."""
        if not reference:
            return None
        return model.Session.get(cls, reference) or model.Session.query(cls).filter(
            cls.name == reference).one_or_none()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "title": self.title,
                "organization_id": self.organization_id, "package_id": self.package_id,
                "schema_url": self.schema_url, "schema_uploaded": self.schema_json is not None,
                "scope_territory_id": self.scope_territory_id,
                "include": list(self.include or []), "exclude": list(self.exclude or []),
                "dedup_key": list(self.dedup_key or []),
                "keep_valid_rows": self.keep_valid_rows, "notify_owners": self.notify_owners,
                "schedule": self.schedule, "creator_user_id": self.creator_user_id,
                "created": self.created.isoformat(), "modified": self.modified.isoformat()}


class ConsolidationRun(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One run of a consolidation: its state, its report, and what the next run reuses."""

    __tablename__ = "territorial_consolidation_run"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    consolidation_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    # pending, running, succeeded, unchanged, failed
    state = sa.Column(sa.UnicodeText, nullable=False, default="pending")
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    started = sa.Column(sa.DateTime)
    finished = sa.Column(sa.DateTime)
    error = sa.Column(sa.UnicodeText)
    report = sa.Column(JSONB, nullable=False, default=dict)
    # Per-source fingerprints and counts, read by the next run to skip unchanged sources.
    sources_state = sa.Column(JSONB, nullable=False, default=dict)
    resource_id = sa.Column(sa.UnicodeText)
    user_id = sa.Column(sa.UnicodeText)

    def as_dict(self, with_report: bool = True) -> dict[str, Any]:
        data = {"id": self.id, "consolidation_id": self.consolidation_id,
                "state": self.state, "created": self.created.isoformat(),
                "started": self.started.isoformat() if self.started else None,
                "finished": self.finished.isoformat() if self.finished else None,
                "error": self.error, "resource_id": self.resource_id}
        if with_report:
            data["report"] = self.report or {}
        return data
