"""Actions of the governance plugin: the publication gate on core's publishing actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search as search_lib
from ckan.types import Action, Context, DataDict

from ckanext.opendata_governance import gate

__all__ = ["package_update", "package_owner_org_update", "bulk_update_public"]


@tk.chained_action
def package_update(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``package_update``, gated: a dataset becomes public only with a
    matching approved sign-off; new data on a public dataset is checked again.

    The refusal is a ``ValidationError`` on ``private``.
    """
    gate.remember_prior(context, data_dict)
    result = original(context, data_dict)
    gate.send_notifications(context)
    return result


@tk.chained_action
def package_owner_org_update(original: Action, context: Context, data_dict: DataDict
                             ) -> Any:
    """Core's ``package_owner_org_update``, gated: a public dataset moved into a
    governed organization needs a sign-off matching it there.

    :param id: the name or id of the dataset
    :param organization_id: the name or id of the new organization
    """
    tk.check_access("package_owner_org_update", context, data_dict)
    package = model.Package.get(data_dict.get("id") or "")
    target = model.Group.get(data_dict.get("organization_id") or "") \
        if data_dict.get("organization_id") else None
    # Core's package_create/package_update call this with the organization
    # they just saved: nothing moves then, their own hooks gate the dataset.
    if package is None or target is None or package.owner_org == target.id:
        return original(context, data_dict)
    gate.check_owner_org_move(context, package, target.id)
    result = original(context, data_dict)
    if not context.get("defer_commit"):
        # CKAN 2.12 leaves the search document (package_show's cache) in the
        # old organization; the next reader must see the dataset where it is.
        search_lib.rebuild(package.id)
    return result


@tk.chained_action
def bulk_update_public(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``bulk_update_public``, gated: refused, naming them, when datasets
    lack a matching approved sign-off (nothing is made public then).

    :param datasets: list of ids of the datasets to update
    :param org_id: id of the owning organization
    """
    tk.check_access("bulk_update_public", context, data_dict)
    datasets = data_dict.get("datasets")
    if not isinstance(datasets, list) or not all(isinstance(item, str) for item in datasets):
        # Core iterates whatever it is given: a string would be read letter by letter.
        raise tk.ValidationError({"datasets": [tk._("Must be a list of dataset ids")]})
    gate.check_bulk_public(context, data_dict)
    return original(context, data_dict)
