"""Mails of the sign-off workflow: a request to the reviewers, a decision to the requester."""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import checklist, checks, mail
from ckanext.opendata_governance.model import Review, Reviewer, Service
from ckanext.suite.site import user_contact

__all__ = ["mail_request", "mail_decision"]

log = logging.getLogger(__name__)


def mail_request(review: Review, package: model.Package, actor: Optional[model.User],
                 publish: bool, results: list[dict[str, Any]]) -> None:
    """Tell the organization's reviewers (else its admins) that a sign-off is asked for,
    with the checks that block it and those that warn."""
    user_ids = [row.user_id for row in model.Session.query(Reviewer.user_id)
                .filter_by(organization_id=review.organization_id)]
    if not user_ids:
        user_ids = [row.table_id for row in model.Session.query(model.Member.table_id)
                    .filter_by(group_id=review.organization_id, table_name="user",
                               capacity="admin", state="active")]
    recipients = [recipient for recipient in
                  (user_contact(user_id) for user_id in user_ids
                   if user_id != review.requested_by)
                  if recipient]
    if not recipients:
        log.warning("nobody to mail about the review of %s", package.name)
        return
    organization = model.Group.get(review.organization_id)
    subject, body = mail.render(
        "review_requested",
        dataset_title=package.title or package.name,
        dataset_url=mail.dataset_governance_url(package.name),
        organization_title=organization.display_name if organization else "",
        actor_name=(actor.display_name if actor else "") or tk._("Someone"),
        comment=review.request_comment or "",
        publish=publish,
        blocking=[_blocking_label(result) for result in checks.blocking_failures(results)],
        warnings=sorted({tk._(result["title"]) for result in results
                         if result["severity"] == "warning"
                         and result["status"] != "passed"}))
    mail.send(recipients, subject, body)


def _blocking_label(result: dict[str, Any]) -> str:
    title = tk._(result["title"])
    if result["status"] == checks.NOT_RUN:
        return tk._("{check} (not run)").format(check=title)
    return title


def mail_decision(review: Review, package: model.Package, actor: Optional[model.User],
                  published: bool) -> None:
    """Tell the requester and the owner service's mailbox what the reviewer decided."""
    recipients = []
    requester = user_contact(review.requested_by)
    if requester:
        recipients.append(requester)
    service = Service.by_name(review.organization_id,
                              (package.extras or {}).get("owner_service") or "")
    if service is not None and service.email:
        recipients.append((service.title, service.email))
    if not recipients:
        return
    subject, body = mail.render(
        "review_decided",
        decision="approve" if review.state == "approved" else "reject",
        dataset_title=package.title or package.name,
        dataset_url=mail.dataset_governance_url(package.name),
        actor_name=(actor.display_name if actor else "") or tk._("A reviewer"),
        comment=review.decision_comment or "",
        override=bool(review.override),
        published=published,
        checklist=_verdicts(review))
    mail.send(recipients, subject, body)


def _verdicts(review: Review) -> list[dict[str, Any]]:
    """The decision's verdicts in the order of its checklist, each with its item's label."""
    given: dict[str, Any] = review.checklist or {}
    return [{"item": item["key"], "label": item["label"], **given[item["key"]]}
            for item in checklist.shown(review.checklist_items) if item["key"] in given]
