"""Reuse dicts for the caller: what each role sees of a reuse."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ckan import model
from ckan.types import Context

from ckanext.reuse_tracker import datastore_refs, images, topics
from ckanext.reuse_tracker.logic.reuse_auth import moderated_reuse_ids
from ckanext.reuse_tracker.model import Reuse
from ckanext.reuse_tracker.reuse_visibility import current_user, linked_datasets

__all__ = ["reuse", "reuses"]


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def reuse(context: Context, reuse: Reuse) -> dict[str, Any]:
    return reuses(context, [reuse])[0]


def reuses(context: Context, reuses: list[Reuse]) -> list[dict[str, Any]]:
    """Reuse dicts for the caller, with a fixed number of queries whatever the page size."""
    if not reuses:
        return []
    user = current_user(context)
    ids = [reuse.id for reuse in reuses]
    datasets = linked_datasets(user, ids)
    moderated = moderated_reuse_ids(user, ids)
    user_ids = {reuse.submitter_id for reuse in reuses} | {reuse.moderated_by
                                                           for reuse in reuses}
    users = {row.id: row for row in model.Session.query(model.User).filter(
        model.User.id.in_([value for value in user_ids if value]))}
    organization_ids = [reuse.organization_id for reuse in reuses if reuse.organization_id]
    organizations = {row.id: row for row in model.Session.query(model.Group).filter(
        model.Group.id.in_(organization_ids))} if organization_ids else {}

    results = []
    for reuse in reuses:
        submitter = users.get(reuse.submitter_id or "")
        organization = organizations.get(reuse.organization_id or "")
        result: dict[str, Any] = {
            "id": reuse.id,
            "name": reuse.name,
            "title": reuse.title,
            "description": reuse.description,
            "url": reuse.url,
            "type": reuse.type,
            "type_label": topics.type_label(reuse.type),
            "topic": reuse.topic,
            "topic_label": topics.topic_label(reuse.topic),
            "image_url": images.public_url(reuse.image_url),
            "thumbnail_url": images.public_url(reuse.thumbnail_url),
            "organization_id": reuse.organization_id,
            "organization": ({"id": organization.id, "name": organization.name,
                              "title": organization.title or organization.name}
                             if organization is not None and organization.state == "active"
                             else None),
            "state": reuse.state,
            "featured": bool(reuse.featured),
            "created": _iso(reuse.created),
            "modified": _iso(reuse.modified),
            "published": _iso(reuse.published),
            "datasets": datasets[reuse.id],
            "dataset_count": len(datasets[reuse.id]),
            "submitter": ({"name": submitter.name, "display_name": submitter.display_name}
                          if submitter is not None else None),
            # Only for those who can read the resource: a private one's query stays hidden.
            "datastore_query": datastore_refs.query_for(
                context, (reuse.extras or {}).get(datastore_refs.FIELD)),
        }
        if reuse.id in moderated or (user is not None and user.id == reuse.submitter_id):
            moderator = users.get(reuse.moderated_by or "")
            result.update({
                "contact_email": reuse.contact_email,
                "moderation_comment": reuse.moderation_comment,
                "moderated_by": moderator.name if moderator is not None else None,
                "link": {"checked": _iso(reuse.link_checked), "status": reuse.link_status,
                         "failures": reuse.link_failures or 0,
                         "broken_since": _iso(reuse.link_broken_since)},
            })
        results.append(result)
    return results


