"""Template helpers of the governance plugin: read-only wrappers over its actions."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import freshness, frequencies

__all__ = [
    "governance_frequency_choices",
    "governance_update_status",
    "governance_service_choices",
    "governance_member_choices",
    "governance_can_see_services",
]


def governance_frequency_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the ``update_frequency`` select: EU codes labelled in the page's language."""
    return frequencies.choices(_lang())


def governance_update_status(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset's update status today, for its badge.

    :returns: ``status``, its translated ``label``, and ``next_update_due``
        (a date, or None for a dataset without a regular update)
    """
    computed = freshness.dataset_cadence(pkg_dict)
    return {**computed, "status": computed["update_status"],
            "label": freshness.status_label(computed["update_status"])}


def _lang() -> str:
    try:
        return tk.h.lang() or "fr"
    except RuntimeError:  # outside a request
        return tk.config.get("ckan.locale_default") or "fr"


def governance_service_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the ``owner_service`` select: the active services of the form's organization.

    The organization is the one chosen in the submitted form, asked for in
    the address (``owner_org`` or ``group``) or owning the dataset shown;
    failing those, the services of every organization the user may add
    datasets to are offered, labelled with their organization.
    """
    organization = _form_organization()
    if organization:
        return [{"value": s["name"], "label": s["title"]}
                for s in _services(organization)]
    choices = []
    for org in _user_organizations():
        choices.extend({"value": s["name"],
                        "label": "{} ({})".format(s["title"], org["display_name"])}
                       for s in _services(org["id"]))
    return choices


def governance_member_choices(organization_id: str) -> list[dict[str, str]]:
    """The organization's members as select options, for choosing referents."""
    members = tk.get_action("member_list")(
        {"ignore_auth": True}, {"id": organization_id, "object_type": "user"})
    options = [{"value": "", "text": ""}]
    for user_id, _type, _capacity in members:
        user = model.User.get(user_id)
        if user is not None and user.state == "active":
            options.append({"value": user.id, "text": user.display_name})
    return sorted(options, key=lambda option: option["text"].lower())


def governance_can_see_services(organization_id: str) -> bool:
    """Whether the current user may see the organization's services tab."""
    try:
        tk.check_access("governance_service_list",
                        {"user": tk.current_user.name if tk.current_user else ""},
                        {"organization_id": organization_id})
    except tk.NotAuthorized:
        return False
    return True


def _services(organization_id: str) -> list[dict[str, Any]]:
    return tk.get_action("governance_service_list")(
        {"ignore_auth": True},
        {"organization_id": organization_id, "active_only": True,
         "include_dataset_count": False, "limit": 1000})["results"]


def _form_organization() -> Optional[str]:
    try:
        request = tk.request
        values = [request.form.get("owner_org"), request.args.get("owner_org"),
                  request.args.get("group")]
        view_args = request.view_args or {}
    except RuntimeError:  # outside a request
        return None
    for value in values:
        group = model.Group.get(value) if value else None
        if group is not None and group.is_organization:
            return group.id
    package = model.Package.get(view_args["id"]) if view_args.get("id") else None
    return package.owner_org if package is not None else None


def _user_organizations() -> list[dict[str, Any]]:
    user = tk.current_user.name if tk.current_user else None
    if not user:
        return []
    return tk.get_action("organization_list_for_user")(
        {"user": user}, {"permission": "create_dataset"})
