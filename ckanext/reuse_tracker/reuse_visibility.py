"""Who sees what through the reuse tracker: reuses by state and role, and the datasets a
reuse links, by the caller's rights on each dataset (never more than package_show gives)."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.reuse_tracker.logic.reuse_auth import admin_organization_ids, moderated_reuse_ids
from ckanext.reuse_tracker.model import Reuse, ReuseDataset

__all__ = ["PUBLIC_STATES", "current_user", "can_read_dataset", "may_see", "readable_datasets",
           "moderated", "own_or_moderated", "linked_datasets"]

#: States anyone may see; the others only the submitter and the moderators.
PUBLIC_STATES = ("published", "archived")


def current_user(context: Context) -> Optional[model.User]:
    """The caller's account, when it is active."""
    name = context.get("user")
    user = model.User.get(name) if name else None
    return user if user is not None and user.state == "active" else None


def can_read_dataset(context: Context, package: model.Package) -> bool:
    """Whether the caller may read an active dataset (core's package_show auth)."""
    if package.state != "active":
        return False
    try:
        tk.check_access("package_show", {"user": context.get("user") or ""}, {"id": package.id})
    except tk.NotAuthorized:
        return False
    return True


def may_see(context: Context, reuse: Reuse) -> bool:
    """A published or archived reuse is everyone's; the others are their submitter's and
    their moderators'."""
    if reuse.state in PUBLIC_STATES:
        return True
    user = current_user(context)
    if user is None:
        return False
    return bool(user.sysadmin or user.id == reuse.submitter_id
                or moderated_reuse_ids(user, [reuse.id]))


def _member_organization_ids(user: Optional[model.User]) -> list[str]:
    if user is None:
        return []
    rows = model.Session.query(model.Member.group_id).filter(
        model.Member.table_name == "user", model.Member.table_id == user.id,
        model.Member.state == "active")
    return [row[0] for row in rows]


def readable_datasets(user: Optional[model.User]) -> Any:
    """SQL condition on the package table: the datasets the user may read.

    Active datasets that are public, or private to one of the user's
    organizations; sysadmins read every active dataset. Drafts and deleted
    datasets are never shown through a reuse.
    """
    active = model.Package.state == "active"
    if user is not None and user.sysadmin:
        return active
    organizations = _member_organization_ids(user)
    if not organizations:
        return sa.and_(active, model.Package.private.is_(False))
    return sa.and_(active, sa.or_(model.Package.private.is_(False),
                                  model.Package.owner_org.in_(organizations)))


def moderated(user: model.User) -> Any:
    """SQL condition on reuses: those linking a dataset of an organization the user administers."""
    organizations = admin_organization_ids(user)
    if not organizations:
        return sa.false()
    return Reuse.id.in_(
        sa.select(ReuseDataset.reuse_id)
        .join(model.Package, model.Package.id == ReuseDataset.package_id)
        .where(model.Package.owner_org.in_(organizations), model.Package.state != "deleted"))


def own_or_moderated(user: Optional[model.User]) -> Any:
    """SQL condition on reuses: the public ones, the user's own and those they moderate."""
    if user is None:
        return Reuse.state.in_(PUBLIC_STATES)
    return sa.or_(Reuse.state.in_(PUBLIC_STATES), Reuse.submitter_id == user.id,
                  moderated(user))


def linked_datasets(user: Optional[model.User],
                    reuse_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The datasets each reuse links that the user may read, by title."""
    found: dict[str, list[dict[str, Any]]] = {reuse_id: [] for reuse_id in reuse_ids}
    if not reuse_ids:
        return found
    rows = (model.Session.query(ReuseDataset.reuse_id, model.Package.id, model.Package.name,
                                model.Package.title, model.Package.owner_org)
            .join(model.Package, model.Package.id == ReuseDataset.package_id)
            .filter(ReuseDataset.reuse_id.in_(reuse_ids), readable_datasets(user))
            .order_by(sa.func.lower(sa.func.coalesce(model.Package.title, model.Package.name))))
    for reuse_id, package_id, name, title, owner_org in rows:
        found[reuse_id].append({"id": package_id, "name": name, "title": title or name,
                                "organization_id": owner_org})
    return found
