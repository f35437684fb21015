"""Feedback mails: who receives a dataset's feedback (routing), templates, sending."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.reuse_tracker.mail import one_line, render, send
from ckanext.suite.site import service_contacts, user_contact

__all__ = ["routing", "render", "send", "notify_received", "notify_answered"]

Recipient = tuple[str, str]


def _organization_admins(organization_id: Optional[str]) -> list[Recipient]:
    """The organization's active admins with an address (core's ``member_list`` with
    ``capacity="admin"``, then each user: in one query)."""
    if not organization_id:
        return []
    users = model.Session.query(model.User).join(
        model.Member, model.Member.table_id == model.User.id).filter(
        model.Member.group_id == organization_id, model.Member.table_name == "user",
        model.Member.capacity == "admin", model.Member.state == "active",
        model.User.state == "active").order_by(model.User.name)
    return [(user.display_name, user.email) for user in users if user.email]


def routing(package: model.Package) -> tuple[str, list[Recipient]]:
    """Who receives the dataset's feedback: ``("service", [mailbox, referent...])`` when its
    owner service (opendata_governance) has a mailbox or a referent, else
    ``("admins", [organization admins])``."""
    recipients = service_contacts(package.extras.get("owner_service"), package.owner_org)
    if recipients:
        return "service", recipients
    return "admins", _organization_admins(package.owner_org)


def _site_url() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def notify_received(feedback: dict[str, Any], package: model.Package) -> list[str]:
    """Mail the dataset's owner service (or its organization's admins) about new feedback."""
    _route, recipients = routing(package)
    if not recipients:
        return []
    subject, body = render(
        "feedback_received", dataset_title=package.title or package.name,
        kind=feedback["kind"], body=feedback["body"], rating=feedback.get("rating"),
        reference=feedback.get("reference") or "", author=feedback["author"],
        row=_row(feedback.get("row")),
        feedback_url=f"{_site_url()}/feedback/{feedback['id']}",
        dataset_url=f"{_site_url()}/dataset/{package.name}",
        response_days=tk.config["ckanext.reuse_tracker.feedback_response_days"])
    return send(recipients, subject, body)


def _row(row: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A quoted row for a plain-text mail: one line per field, none breaking the layout."""
    if not row:
        return None
    lines = [f"{one_line(field)}: {one_line('' if value is None else value)}"
             for field, value in row["values"]]
    return {"id": row["id"], "lines": lines}


def notify_answered(feedback: dict[str, Any], package: model.Package,
                    author_id: Optional[str]) -> list[str]:
    """Mail the author of the feedback that it received a public answer."""
    recipient = user_contact(author_id)
    if recipient is None:
        return []
    subject, body = render(
        "feedback_answered", dataset_title=package.title or package.name,
        answer=feedback.get("answer") or "", state=feedback["state"],
        dataset_url=f"{_site_url()}/dataset/{package.name}")
    return send([recipient], subject, body)
