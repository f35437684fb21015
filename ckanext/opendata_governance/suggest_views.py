"""The organization tab "To open" (ranked opening suggestions, dismissals, plans, the agent
count, the progress page's settings) and the organization's public progress page."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.suggest import reference
from ckanext.suite import csrf, pages
from ckanext.suite.collation import collation_key
from ckanext.suite.pages import Result, user_context as _context

__all__ = ["opening_suggestions", "organization_progress"]

opening_suggestions = csrf.protect(Blueprint(
    "opening_suggestions", __name__, url_prefix="/organization/to-open"))
organization_progress = Blueprint(
    "organization_progress", __name__, url_prefix="/organization/progress")

#: Fields of the plan form, as the view reads them.
PLAN_FIELDS = ("suggestion_key", "title", "target_date", "owner_service", "conforms_to",
               "update_frequency", "notes")


pages.error_pages(opening_suggestions, log_in_first=True,
                  forbidden=lambda: tk._("Only members of the organization can see its "
                                         "opening suggestions"),
                  not_found=lambda: tk._("Organization not found"))
pages.error_pages(organization_progress, log_in_first=True,
                  forbidden=lambda: tk._("This organization has not made its progress page "
                                         "public"),
                  not_found=lambda: tk._("Organization not found"))


def _page(organization: dict[str, Any], errors: Optional[dict[str, Any]] = None,
          values: Optional[dict[str, Any]] = None) -> str:
    result = tk.get_action("opening_suggestion_list")(
        _context(), {"organization_id": organization["id"]})
    planned = tk.get_action("planned_dataset_list")(
        _context(), {"organization_id": organization["id"], "limit": 100})
    settings = tk.get_action("governance_settings_show")(
        {"ignore_auth": True}, {"organization_id": organization["id"]})
    services = tk.get_action("governance_service_list")(
        {"ignore_auth": True}, {"organization_id": organization["id"], "active_only": True,
                                "include_dataset_count": False, "limit": 1000})["results"]
    return tk.render("opendata_governance/suggestions.html", {
        "group_dict": organization, "group_type": organization["type"],
        "result": result, "planned": planned, "settings": settings,
        "services": {service["name"]: service["title"] for service in services},
        "schemas": [{"url": entry.schema_url, "title": entry.title}
                    for entry in sorted(reference.entries(),
                                        key=lambda entry: collation_key(entry.title))],
        "errors": errors or {}, "values": values or {}})


@opening_suggestions.route("/<id>")
def index(id: str) -> Result:
    """The organization's suggestions, its obligation and, for admins, its dismissals."""
    return _page(pages.organization_or_404(id))


@opening_suggestions.route("/<id>/dismiss", methods=["POST"])
def dismiss(id: str) -> Result:
    """Dismiss one suggestion with a reason (editors and admins)."""
    organization = pages.organization_or_404(id)
    values = {"key": tk.request.form.get("key", ""),
              "reason": tk.request.form.get("reason", "")}
    return _submit(organization, "opening_suggestion_dismiss", values, values,
                   tk._("Suggestion dismissed: it will not be suggested again."))


@opening_suggestions.route("/<id>/plan", methods=["POST"])
def plan(id: str) -> Result:
    """Turn a suggestion into a planned dataset (editors and admins)."""
    organization = pages.organization_or_404(id)
    values = {key: tk.request.form.get(key, "").strip() for key in PLAN_FIELDS}
    data = {key: value for key, value in values.items() if value}
    return _submit(organization, "planned_dataset_create", data, values,
                   tk._("Planned: it is now in the organization's planned datasets."))


def _submit(organization: dict[str, Any], action: str, data: dict[str, Any],
            values: dict[str, Any], done: str) -> Result:
    """Call the action of a form of the tab: the tab again with the form's ``values`` and
    its errors, or back to the tab with ``done`` flashed."""
    _result, errors = pages.submit(action, {"organization_id": organization["id"], **data})
    if errors:
        return _page(organization, errors, values), 400
    tk.h.flash_success(done)
    return tk.redirect_to("opening_suggestions.index", id=organization["name"])


@opening_suggestions.route("/<id>/start/<plan_id>", methods=["POST"])
def start(id: str, plan_id: str) -> Result:
    """Start a planned dataset: its draft dataset, then core's form to finish creating it."""
    organization = pages.organization_or_404(id)
    plan = tk.get_action("planned_dataset_show")(_context(), {"id": plan_id})
    if plan["organization_id"] != organization["id"]:
        raise tk.ObjectNotFound()
    try:
        package = tk.get_action("planned_dataset_start")(_context(), {"id": plan_id})
    except tk.ValidationError as error:
        return _page(organization, {"start": [
            message for messages in error.error_dict.values() for message in messages]},
            {"plan_id": plan_id}), 400
    tk.h.flash_success(tk._("The dataset is started as a private draft: complete its "
                            "description, then add its data."))
    return tk.redirect_to("dataset.edit", id=package["name"])


@opening_suggestions.route("/<id>/progress", methods=["POST"])
def progress_settings(id: str) -> Result:
    """Make the organization's progress page public or not, with or without plan titles
    (admins)."""
    organization = pages.organization_or_404(id)
    values = {key: "true" if tk.request.form.get(key) else "false"
              for key in ("progress_public", "progress_planned_titles")}
    tk.get_action("governance_settings_update")(
        _context(), {"organization_id": organization["id"], **values})
    tk.h.flash_success(tk._("Progress page settings saved."))
    return tk.redirect_to("opening_suggestions.index", id=organization["name"])


@organization_progress.route("/<id>")
def page(id: str) -> Result:
    """The organization's public progress page: for elected officials and citizens."""
    organization = pages.organization_or_404(id)
    figures = tk.get_action("organization_progress_show")(
        _context(), {"organization_id": organization["id"]})
    return tk.render("opendata_governance/progress.html", {
        "group_dict": organization, "group_type": organization["type"],
        "progress": figures})


@opening_suggestions.route("/<id>/agents", methods=["POST"])
def agents(id: str) -> Result:
    """Set the organization's agent count (admins)."""
    organization = pages.organization_or_404(id)
    values = {"agent_count": tk.request.form.get("agent_count", "").strip()}
    try:
        tk.get_action("governance_settings_update")(
            _context(), {"organization_id": organization["id"], **values})
    except tk.ValidationError as error:
        return _page(organization, error.error_dict, values), 400
    tk.h.flash_success(tk._("Agent count saved."))
    return tk.redirect_to("opening_suggestions.index", id=organization["name"])
