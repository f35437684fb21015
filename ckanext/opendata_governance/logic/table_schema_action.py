"""The Table Schemas a resource may declare: the shipped ones and those the portal uses."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.opendata_governance import schema_catalogue
from ckanext.opendata_governance.logic import schema, table_schema_auth

#: One action per auth function of table_schema_auth, of the same name.
__all__ = table_schema_auth.__all__


@tk.side_effect_free
def governance_table_schema_list(context: Context, data_dict: DataDict
                                 ) -> list[dict[str, Any]]:
    """The schemas to offer in a resource's ``conforms_to`` field: those shipped with the
    plugin (with their titles), then the schema URLs that resources of the datasets the
    caller may read already declare, the most used first. A private dataset's schema
    is offered only to members of its organization (and sysadmins).

    :param limit: at most this many of the portal's URLs (default 50, at most 200)
    :returns: ``[{"url": ..., "title": ..., "shipped": true|false}, ...]``
    """
    tk.check_access("governance_table_schema_list", context, data_dict)
    data = schema.validate(data_dict, schema.table_schema_list(), context)
    options = [{"url": url, "title": title, "shipped": True}
               for url, title in schema_catalogue.shipped().items()]
    shipped = set(schema_catalogue.shipped())
    for url in _used_urls(context, data["limit"] + len(shipped)):
        if url not in shipped and len(options) < data["limit"] + len(shipped):
            options.append({"url": url, "title": url, "shipped": False})
    return options


def _used_urls(context: Context, limit: int) -> list[str]:
    """The http(s) ``conforms_to`` values of active resources of readable active datasets."""
    conforms_to = sa.cast(model.Resource.extras, JSONB)["conforms_to"].astext
    used = sa.func.count(model.Resource.id)
    query = (model.Session.query(conforms_to, used)
             .join(model.Package, model.Package.id == model.Resource.package_id)
             .filter(model.Resource.state == "active", model.Package.state == "active",
                     # A cheap text test first: most resources declare no schema.
                     sa.cast(model.Resource.extras, sa.Text).like('%"conforms_to"%'),
                     sa.or_(conforms_to.like("https://%"), conforms_to.like("http://%"))))
    readable = _readable_organizations(context)
    if readable is not None:
        query = query.filter(sa.or_(model.Package.private.is_(False),
                                    model.Package.owner_org.in_(readable)))
    rows = query.group_by(conforms_to).order_by(used.desc(), conforms_to).limit(limit)
    return [row[0] for row in rows]


def _readable_organizations(context: Context) -> list[str] | None:
    """Ids of the organizations whose private datasets the caller reads; None: all of them."""
    user = model.User.get(context.get("user") or "") if context.get("user") else None
    if context.get("ignore_auth") or (user is not None and user.sysadmin):
        return None
    if user is None:
        return []
    organizations = tk.get_action("organization_list_for_user")(
        {"user": user.name}, {"id": user.id, "permission": "read",
                              "include_dataset_count": False})
    return [organization["id"] for organization in organizations]
