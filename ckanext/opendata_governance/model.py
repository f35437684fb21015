"""Tables of the governance plugin: services, events, reminders, reviews, reviewers, settings."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.mail import outbox_table
from ckanext.suite.rows import new_id, utcnow

__all__ = ["Service", "Event", "ReminderSent", "Review", "Reviewer", "OrganizationSetting",
           "mail_outbox"]


class Service(tk.BaseModel):  # type: ignore[misc, valid-type]
    """An owner service (a directorate, a department) inside one organization."""

    __tablename__ = "opendata_governance_service"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name",
                            name="opendata_governance_service_org_name_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    # Core ids, without foreign keys: core tables are not ours to constrain.
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    name = sa.Column(sa.UnicodeText, nullable=False)
    title = sa.Column(sa.UnicodeText, nullable=False)
    email = sa.Column(sa.UnicodeText)
    referent_id = sa.Column(sa.UnicodeText)
    backup_referent_id = sa.Column(sa.UnicodeText)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

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

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    timestamp = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
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

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    due_date = sa.Column(sa.Date, nullable=False)
    step = sa.Column(sa.UnicodeText, nullable=False)
    recipients = sa.Column(JSONB, nullable=False, default=list)
    sent = sa.Column(sa.DateTime, nullable=False, default=utcnow)

    @classmethod
    def keys_for(cls, package_ids: list[str]) -> set[tuple[str, str, str]]:
        """The (dataset id, due date ISO, step) keys already sent for these datasets."""
        if not package_ids:
            return set()
        query = model.Session.query(cls.package_id, cls.due_date, cls.step).filter(
            cls.package_id.in_(package_ids))
        return {(package_id, due.isoformat(), step) for package_id, due, step in query}


#: States of a review; only ``submitted`` reviews can be decided.
REVIEW_STATES = ("submitted", "approved", "rejected", "withdrawn")


class Review(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A request to sign a dataset off for publication, and its decision."""

    __tablename__ = "opendata_governance_review"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    organization_id = sa.Column(sa.UnicodeText, index=True)
    state = sa.Column(sa.UnicodeText, nullable=False, default="submitted", index=True)
    requested_by = sa.Column(sa.UnicodeText)
    request_comment = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    # What the sign-off covers: a hash of the covered metadata and resources,
    # and the readable snapshot it was computed from.
    fingerprint = sa.Column(sa.UnicodeText, nullable=False)
    snapshot = sa.Column(JSONB, nullable=False, default=dict)
    # Results of the automated checks run when the review was requested.
    checks = sa.Column(JSONB, nullable=False, default=list)
    decided_by = sa.Column(sa.UnicodeText)
    decided = sa.Column(sa.DateTime)
    checklist = sa.Column(JSONB)
    # The organization's checklist items as they were when the review was decided
    # (key, label, help, required, builtin): a later edit of the list leaves it alone.
    checklist_items = sa.Column(JSONB)
    decision_comment = sa.Column(sa.UnicodeText)
    override = sa.Column(sa.Boolean, nullable=False, default=False)

    @classmethod
    def get(cls, id_: str) -> "Review | None":
        return model.Session.get(cls, id_)

    @classmethod
    def latest_for(cls, package_id: str, state: "str | None" = None) -> "Review | None":
        query = model.Session.query(cls).filter_by(package_id=package_id)
        if state:
            query = query.filter_by(state=state)
        return query.order_by(cls.created.desc()).first()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "package_id": self.package_id,
            "organization_id": self.organization_id,
            "state": self.state,
            "requested_by": self.requested_by,
            "comment": self.request_comment,
            "created": self.created.isoformat() if self.created else None,
            "fingerprint": self.fingerprint,
            "snapshot": self.snapshot or {},
            "checks": self.checks or [],
            "decided_by": self.decided_by,
            "decided": self.decided.isoformat() if self.decided else None,
            "checklist": self.checklist,
            "checklist_items": self.checklist_items,
            "decision_comment": self.decision_comment,
            "override": bool(self.override),
        }


class Reviewer(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A user named compliance reviewer of one organization by its admins."""

    __tablename__ = "opendata_governance_reviewer"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "user_id",
                            name="opendata_governance_reviewer_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    user_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    created_by = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)

    @classmethod
    def is_reviewer(cls, organization_id: "str | None", user_id: "str | None") -> bool:
        if not organization_id or not user_id:
            return False
        return model.Session.query(cls).filter_by(
            organization_id=organization_id, user_id=user_id).first() is not None

    @classmethod
    def organizations_of(cls, user_id: str) -> list[str]:
        return [row.organization_id for row in
                model.Session.query(cls.organization_id).filter_by(user_id=user_id)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "organization_id": self.organization_id,
            "user_id": self.user_id,
            "created_by": self.created_by,
            "created": self.created.isoformat() if self.created else None,
        }


class OrganizationSetting(tk.BaseModel):  # type: ignore[misc, valid-type]
    """Per-organization governance settings; no row means the defaults (gate on)."""

    __tablename__ = "opendata_governance_organization_setting"

    organization_id = sa.Column(sa.UnicodeText, primary_key=True)
    gate_enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    # Staff headcount: with the territory's population, whether "open by default" applies.
    agent_count = sa.Column(sa.Integer)
    # The public progress page: shown to everyone, and whether it names planned datasets.
    progress_public = sa.Column(sa.Boolean, nullable=False, default=False)
    progress_planned_titles = sa.Column(sa.Boolean, nullable=False, default=False)
    modified_by = sa.Column(sa.UnicodeText)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def gate_enabled_for(cls, organization_id: "str | None") -> bool:
        """Whether the publication gate guards this organization (default: yes)."""
        if not organization_id:
            return False
        row = model.Session.get(cls, organization_id)
        return True if row is None else bool(row.gate_enabled)

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "gate_enabled": bool(self.gate_enabled),
            "agent_count": self.agent_count,
            "progress_public": bool(self.progress_public),
            "progress_planned_titles": bool(self.progress_planned_titles),
            "modified_by": self.modified_by,
            "modified": self.modified.isoformat() if self.modified else None,
        }


#: What made a check run: a review request, a change of published data, a user, the CLI,
#: a report of ckanext-validation.
CHECK_TRIGGERS = ("review", "resource_change", "metadata_change", "manual", "cli",
                  "schema_validation")


class CheckResult(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One run of one automated check on a dataset or one of its resources.

    Rows are only added: the latest per (dataset, resource, check) is the
    current result, the older ones its history. ``pending`` rows stand for a
    heavy check queued in a background job that has not reported yet.
    """

    __tablename__ = "opendata_governance_check_result"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    resource_id = sa.Column(sa.UnicodeText, index=True)
    check_id = sa.Column(sa.UnicodeText, nullable=False)
    check_version = sa.Column(sa.UnicodeText, nullable=False)
    title = sa.Column(sa.UnicodeText)
    severity = sa.Column(sa.UnicodeText, nullable=False)
    status = sa.Column(sa.UnicodeText, nullable=False)
    findings = sa.Column(JSONB, nullable=False, default=list)
    run_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
    duration_ms = sa.Column(sa.Integer)
    trigger = sa.Column(sa.UnicodeText, nullable=False)
    job_id = sa.Column(sa.UnicodeText)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "package_id": self.package_id,
            "resource_id": self.resource_id,
            "check_id": self.check_id,
            "version": self.check_version,
            "title": self.title,
            "severity": self.severity,
            "scope": "resource" if self.resource_id else "dataset",
            "status": self.status,
            "findings": self.findings or [],
            "run_at": self.run_at.isoformat() if self.run_at else None,
            "duration_ms": self.duration_ms,
            "trigger": self.trigger,
            "job_id": self.job_id,
        }


__all__ += ["CheckResult", "CHECK_TRIGGERS"]


class OpeningDismissal(tk.BaseModel):  # type: ignore[misc, valid-type]
    """An opening suggestion an organization dismissed, with why: it stays out of its list."""

    __tablename__ = "opendata_governance_opening_dismissal"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "key",
                            name="opendata_governance_opening_dismissal_org_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    key = sa.Column(sa.UnicodeText, nullable=False)
    reason = sa.Column(sa.UnicodeText, nullable=False)
    dismissed_by = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        user = model.User.get(self.dismissed_by) if self.dismissed_by else None
        return {
            "organization_id": self.organization_id,
            "key": self.key,
            "reason": self.reason,
            "dismissed_by": user.name if user else None,
            "created": self.created.isoformat() if self.created else None,
        }


__all__ += ["OpeningDismissal"]

#: States of a planned dataset, from the plan to its end.
PLANNED_STATES = ("planned", "in_progress", "published", "dropped")


class PlannedDataset(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A dataset an organization plans to open: the inventory's entries not yet published."""

    __tablename__ = "opendata_governance_planned_dataset"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    title = sa.Column(sa.UnicodeText, nullable=False)
    target_date = sa.Column(sa.Date)
    owner_service = sa.Column(sa.UnicodeText)
    conforms_to = sa.Column(sa.UnicodeText)
    update_frequency = sa.Column(sa.UnicodeText)
    notes = sa.Column(sa.UnicodeText)
    state = sa.Column(sa.UnicodeText, nullable=False, default="planned")
    package_id = sa.Column(sa.UnicodeText, index=True)
    suggestion_key = sa.Column(sa.UnicodeText)
    created_by = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def as_dict(self) -> dict[str, Any]:
        today = utcnow().date()
        return {
            "id": self.id,
            "organization_id": self.organization_id,
            "title": self.title,
            "target_date": self.target_date.isoformat() if self.target_date else None,
            "owner_service": self.owner_service,
            "conforms_to": self.conforms_to,
            "update_frequency": self.update_frequency,
            "notes": self.notes,
            "state": self.state,
            "package_id": self.package_id,
            "suggestion_key": self.suggestion_key,
            "late": bool(self.target_date and self.target_date < today
                         and self.state in ("planned", "in_progress")),
            "created": self.created.isoformat() if self.created else None,
            "modified": self.modified.isoformat() if self.modified else None,
        }


__all__ += ["PlannedDataset", "PLANNED_STATES"]


class ChecklistItem(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One item of an organization's own review checklist; an organization without
    rows uses the built-in items (``checklist.py``)."""

    __tablename__ = "opendata_governance_checklist_item"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "key",
                            name="opendata_governance_checklist_item_org_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    key = sa.Column(sa.UnicodeText, nullable=False)
    position = sa.Column(sa.Integer, nullable=False)
    label = sa.Column(sa.UnicodeText, nullable=False)
    help = sa.Column(sa.UnicodeText)
    required = sa.Column(sa.Boolean, nullable=False, default=True)
    modified_by = sa.Column(sa.UnicodeText)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def for_organization(cls, organization_id: str) -> list["ChecklistItem"]:
        return (model.Session.query(cls).filter_by(organization_id=organization_id)
                .order_by(cls.position).all())

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "help": self.help or "",
                "required": bool(self.required), "builtin": False}


__all__ += ["ChecklistItem"]


#: The plugin's mail outbox (``ckanext/suite/mail.py``).
mail_outbox = outbox_table("opendata_governance")
