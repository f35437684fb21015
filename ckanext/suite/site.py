"""Who the suite acts as when no user asked (jobs, mails, the gate), and whom it writes to."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

__all__ = ["site_context", "user_contact", "user_contacts", "service_contacts"]

#: ``(display name, e-mail address)``, as the outbox takes it.
Contact = tuple[str, str]


def site_context() -> Context:
    """A context acting as the site user, past every auth function: for work no user
    asked for, never for a request's own reads."""
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


def _contact(user: Optional[model.User]) -> Optional[Contact]:
    if user is None or user.state != "active" or not user.email:
        return None
    return (user.display_name or user.name, user.email)


def user_contact(user_id: Optional[str]) -> Optional[Contact]:
    """The contact of an active account (id or name) with an e-mail address, else None:
    a deleted or pending account is never written to."""
    return _contact(model.User.get(user_id)) if user_id else None


def user_contacts(user_ids: Iterable[Optional[str]]) -> list[Contact]:
    """The contacts of the active accounts among ``user_ids`` with an address, in one
    query, ordered by account name."""
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return []
    users = model.Session.query(model.User).filter(
        model.User.id.in_(ids), model.User.state == "active").order_by(model.User.name)
    return [contact for contact in map(_contact, users) if contact]


def service_contacts(service: Optional[str], organization_id: Optional[str],
                     roles: Sequence[str] = ()) -> list[Contact]:
    """The contacts of an owner service (its name or id, in ``organization_id``), asked
    of the governance plugin (``governance_service_contacts``, all roles by default):
    none when that plugin is not loaded or there is no such service."""
    if not service or not organization_id or not p.plugin_loaded("opendata_governance"):
        return []
    data = {"id": service, "organization_id": organization_id}
    if roles:
        data["roles"] = list(roles)
    try:
        found = tk.get_action("governance_service_contacts")(site_context(), data)
    except tk.ObjectNotFound:
        return []
    return [(contact["name"], contact["email"]) for contact in found]
