"""Data request mails: a new request to its organization's admins, status changes to its
followers and voters."""
from __future__ import annotations

from typing import Any, Iterable, Optional

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker.mail import render, send
from ckanext.suite.site import user_contacts

__all__ = ["request_url", "notify_created", "notify_status"]

Recipient = tuple[str, str]


def _site_url() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def request_url(request_id: str) -> str:
    """The absolute address of a data request's page."""
    return f"{_site_url()}/datarequest/{request_id}"


def notify_created(request: dict[str, Any]) -> list[str]:
    """Mail the admins of the request's target organization about a new request."""
    if not request.get("organization_id"):
        return []
    members = tk.get_action("member_list")(
        {"ignore_auth": True},
        {"id": request["organization_id"], "object_type": "user", "capacity": "admin"})
    recipients = user_contacts(member[0] for member in members)
    if not recipients:
        return []
    subject, body = render(
        "datarequest_created", request_title=request["title"],
        description=request["description"], author=request["author"],
        organization_title=request.get("organization_title") or "",
        request_url=request_url(request["id"]))
    return send(recipients, subject, body)


def notify_status(request: dict[str, Any], user_ids: Iterable[Optional[str]],
                  old_state: str, comment: Optional[str]) -> list[str]:
    """Mail followers and voters (``user_ids``) that the request changed status."""
    recipients = user_contacts(user_ids)
    if not recipients:
        return []
    package_url = (f"{_site_url()}/dataset/{request['package_name']}"
                   if request.get("package_name") else "")
    subject, body = render(
        "datarequest_status", request_title=request["title"], old_state=old_state,
        state=request["state"], reason=request.get("reason") or "",
        comment=comment or "", package_title=request.get("package_title") or "",
        package_url=package_url, request_url=request_url(request["id"]))
    return send(recipients, subject, body)
