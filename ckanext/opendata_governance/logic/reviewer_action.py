"""Actions naming an organization's compliance reviewers."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import events
from ckanext.opendata_governance.logic import schema
from ckanext.opendata_governance.model import Reviewer
from ckanext.suite.actions import acting_user, commit

__all__ = ["governance_reviewer_create", "governance_reviewer_delete",
           "governance_reviewer_list"]


def governance_reviewer_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Name a user compliance reviewer of an organization.

    The user need not be a member of the organization: a data protection
    officer or a legal department often reviews several organizations'
    datasets without publishing in any.

    :param organization_id: id or name of the organization
    :param user: id or name of an active user
    :returns: the reviewer, with the user's ``name`` and ``display_name``
    """
    tk.check_access("governance_reviewer_create", context, data_dict)
    data = schema.validate(data_dict, schema.reviewer(), context)
    if Reviewer.is_reviewer(data["organization_id"], data["user"]):
        raise tk.ValidationError(
            {"user": [tk._("This user already reviews this organization")]})
    actor = acting_user(context)
    reviewer = Reviewer(organization_id=data["organization_id"], user_id=data["user"],
                        created_by=actor.id if actor else None)
    model.Session.add(reviewer)
    model.Session.flush()
    events.record(context, "reviewer_added", "reviewer", reviewer.id,
                   reviewer.organization_id, details={"user_id": reviewer.user_id})
    commit(context)
    return _reviewer_dict(reviewer)


def governance_reviewer_delete(context: Context, data_dict: DataDict) -> None:
    """Stop a user reviewing an organization's datasets.

    :param organization_id: id or name of the organization
    :param user: id or name of the user
    """
    tk.check_access("governance_reviewer_delete", context, data_dict)
    data = schema.validate(data_dict, schema.reviewer(), context)
    reviewer = model.Session.query(Reviewer).filter_by(
        organization_id=data["organization_id"], user_id=data["user"]).one_or_none()
    if reviewer is None:
        raise tk.ObjectNotFound(tk._("This user does not review this organization"))
    events.record(context, "reviewer_removed", "reviewer", reviewer.id,
                   reviewer.organization_id, details={"user_id": reviewer.user_id})
    model.Session.delete(reviewer)
    commit(context)


@tk.side_effect_free
def governance_reviewer_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The reviewers of an organization, by name.

    :param organization_id: id or name of the organization
    :param limit: page size (default 100, at most 100)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [{"id", "organization_id", "user_id",
        "name", "display_name", "created_by", "created"}, ...]}``
    """
    tk.check_access("governance_reviewer_list", context, data_dict)
    data = schema.validate(data_dict, schema.reviewer_list(), context)
    query = (model.Session.query(Reviewer)
             .join(model.User, model.User.id == Reviewer.user_id)
             .filter(Reviewer.organization_id == data["organization_id"]))
    page = (query.order_by(model.User.name)
            .offset(data["offset"]).limit(data["limit"]).all())
    return {"count": query.count(), "results": [_reviewer_dict(r) for r in page]}


def _reviewer_dict(reviewer: Reviewer) -> dict[str, Any]:
    user = model.User.get(reviewer.user_id)
    return {**reviewer.as_dict(),
            "name": user.name if user else None,
            "display_name": user.display_name if user else None}
