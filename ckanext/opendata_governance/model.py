"""Tables of the governance plugin: owner services, the append-only event log, reminders sent."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model

__all__ = ["Service", "Event", "ReminderSent"]


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Service(tk.BaseModel):  # type: ignore[misc, valid-type]
    """An owner service (a directorate, a department) inside one organization."""

    __tablename__ = "opendata_governance_service"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name",
                            name="opendata_governance_service_org_name_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    # Core ids, without foreign keys: core tables are not ours to constrain.
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    name = sa.Column(sa.UnicodeText, nullable=False)
    title = sa.Column(sa.UnicodeText, nullable=False)
    email = sa.Column(sa.UnicodeText)
    referent_id = sa.Column(sa.UnicodeText)
    backup_referent_id = sa.Column(sa.UnicodeText)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created = sa.Column(sa.DateTime, nullable=False, default=_now)
    modified = sa.Column(sa.DateTime, nullable=False, default=_now, onupdate=_now)

    @classmethod
    def get(cls, id_: str) -> "Service | None":
        return model.Session.get(cls, id_)

    @classmethod
    def by_name(cls, organization_id: str, name: str) -> "Service | None":
        return model.Session.query(cls).filter_by(
            organization_id=organization_id, name=name).one_or_none()

    @classmethod
    def lookup(cls, id_or_name: Any, organization: Any = None) -> "Service | None":
        """The service of this id, or of this name in the organization (id or name)."""
        if not id_or_name:
            return None
        service = cls.get(id_or_name)
        if service is None and organization:
            group = model.Group.get(organization)
            service = cls.by_name(group.id, id_or_name) if group else None
        return service

    @classmethod
    def for_organization(cls, organization_id: str, active_only: bool = False
                         ) -> sa.orm.Query:
        query = model.Session.query(cls).filter_by(organization_id=organization_id)
        if active_only:
            query = query.filter(cls.active.is_(True))
        return query.order_by(cls.title, cls.name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "organization_id": self.organization_id,
            "name": self.name,
            "title": self.title,
            "email": self.email,
            "referent_id": self.referent_id,
            "backup_referent_id": self.backup_referent_id,
            "active": bool(self.active),
            "created": self.created.isoformat() if self.created else None,
            "modified": self.modified.isoformat() if self.modified else None,
        }


class Event(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One governance event; rows are only ever added, never changed."""

    __tablename__ = "opendata_governance_event"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    timestamp = sa.Column(sa.DateTime, nullable=False, default=_now, index=True)
    actor_id = sa.Column(sa.UnicodeText)
    organization_id = sa.Column(sa.UnicodeText, index=True)
    package_id = sa.Column(sa.UnicodeText, index=True)
    object_type = sa.Column(sa.UnicodeText, nullable=False)
    object_id = sa.Column(sa.UnicodeText)
    event_type = sa.Column(sa.UnicodeText, nullable=False)
    details = sa.Column(JSONB, nullable=False, default=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "timestamp": self.timestamp.isoformat(),
            "actor_id": self.actor_id,
            "organization_id": self.organization_id,
            "package_id": self.package_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "event_type": self.event_type,
            "details": self.details or {},
        }


class ReminderSent(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A cadence reminder that went out: one row per dataset, due date and step."""

    __tablename__ = "opendata_governance_reminder"
    __table_args__ = (
        sa.UniqueConstraint("package_id", "due_date", "step",
                            name="opendata_governance_reminder_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    due_date = sa.Column(sa.Date, nullable=False)
    step = sa.Column(sa.UnicodeText, nullable=False)
    recipients = sa.Column(JSONB, nullable=False, default=list)
    sent = sa.Column(sa.DateTime, nullable=False, default=_now)

    @classmethod
    def keys_for(cls, package_ids: list[str]) -> set[tuple[str, str, str]]:
        """The (dataset id, due date ISO, step) keys already sent for these datasets."""
        if not package_ids:
            return set()
        query = model.Session.query(cls.package_id, cls.due_date, cls.step).filter(
            cls.package_id.in_(package_ids))
        return {(package_id, due.isoformat(), step) for package_id, due, step in query}
