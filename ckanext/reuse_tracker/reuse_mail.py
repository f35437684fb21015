"""Mails about a moderated reuse: its submitter hears the decision, and the owner services
of the datasets it links hear that it was published."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.reuse_tracker import mail
from ckanext.reuse_tracker.model import Reuse, ReuseDataset
from ckanext.suite.site import site_context, user_contact

__all__ = ["mail_submitter", "tell_owner_services"]


def mail_submitter(reuse: Reuse, decision: str, comment: str,
                   actor: Optional[model.User]) -> None:
    """The moderation decision, to the submitter's account or, for a visitor's
    submission, to the contact address they gave."""
    submitter = model.User.get(reuse.submitter_id) if reuse.submitter_id else None
    if submitter is not None:
        recipient = user_contact(submitter.id)
    else:  # a visitor's submission
        recipient = (reuse.contact_email, reuse.contact_email) if reuse.contact_email else None
    if recipient is None:
        return
    subject, body = mail.render(
        "reuse_moderated", decision=decision, comment=comment, reuse_title=reuse.title,
        actor_name=actor.display_name if actor is not None else tk._("the moderators"),
        reuse_url=mail.reuse_url(reuse.name))
    mail.send([recipient], subject, body)


def _datasets_by_service(reuse: Reuse) -> dict[tuple[str, str], list[dict[str, str]]]:
    """The datasets the reuse links, by (organization, owner service)."""
    context = site_context()
    services: dict[tuple[str, str], list[dict[str, str]]] = {}
    for (package_id,) in model.Session.query(ReuseDataset.package_id).filter(
            ReuseDataset.reuse_id == reuse.id):
        try:
            package = tk.get_action("package_show")(dict(context), {"id": package_id})
        except tk.ObjectNotFound:
            continue
        if package.get("owner_service") and package.get("owner_org"):
            services.setdefault((package["owner_org"], package["owner_service"]), []).append({
                "title": mail.one_line(package.get("title") or package["name"]),
                "url": f"{mail.site_url()}/dataset/{package['name']}"})
    return services


def tell_owner_services(reuse: Reuse) -> None:
    """Mail the owner service of each linked dataset (mailbox and referent), once per service.

    Only when the governance plugin is loaded; its actions say who the service is.
    """
    if not p.plugin_loaded("opendata_governance"):
        return
    for (organization_id, service_name), datasets in sorted(_datasets_by_service(reuse).items()):
        try:
            service: dict[str, Any] = tk.get_action("governance_service_show")(
                site_context(), {"id": service_name, "organization_id": organization_id})
        except (tk.ObjectNotFound, tk.ValidationError):
            continue
        recipients = [(service.get("title") or service_name, service.get("email")),
                      user_contact(service.get("referent_id"))]
        subject, body = mail.render(
            "reuse_published_service", reuse_title=reuse.title,
            service_title=mail.one_line(service.get("title") or service_name),
            datasets=datasets, target_url=reuse.url, reuse_url=mail.reuse_url(reuse.name))
        mail.send([recipient for recipient in recipients if recipient], subject, body)
