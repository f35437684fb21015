"""The organization tab "Services": list, create, edit, delete and reassign owner services."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk

from ckanext.suite import csrf, pages
from ckanext.suite.pages import Result, user_context as _context

__all__ = ["services"]

services = csrf.protect(Blueprint("opendata_governance", __name__,
                                  url_prefix="/organization/services"))


FIELDS = ("name", "title", "email", "referent_id", "backup_referent_id")


pages.error_pages(services,
                  forbidden=lambda: tk._("You are not allowed to manage or see these services"),
                  not_found=lambda: tk._("Organization or service not found"))


def _render(template: str, organization: dict[str, Any], **extra: Any) -> str:
    return tk.render(template, {"group_dict": organization,
                                "group_type": organization["type"], **extra})


def _form_values() -> dict[str, Any]:
    values = {key: tk.request.form.get(key, "").strip() for key in FIELDS}
    values["active"] = tk.request.form.get("active") == "on"
    return values


def _to_list(id_: str) -> WerkzeugResponse:
    return tk.redirect_to("opendata_governance.index", id=id_)


@services.route("/<id>")
def index(id: str) -> Result:
    """The organization's services, with their dataset counts."""
    organization = pages.organization_or_404(id)
    per_page = tk.config["ckanext.opendata_governance.services_per_page"]
    page = max(tk.h.get_page_number(tk.request.args), 1)
    listed = tk.get_action("governance_service_list")(
        _context(), {"organization_id": organization["id"],
                     "limit": per_page, "offset": (page - 1) * per_page})
    return _render("opendata_governance/services.html", organization,
                   services=listed["results"], count=listed["count"],
                   page=page, per_page=per_page)


@services.route("/<id>/new", methods=["GET", "POST"])
def new(id: str) -> Result:
    """Form creating a service (organization admins)."""
    organization = pages.organization_or_404(id)
    keys = {"organization_id": organization["id"]}
    tk.check_access("governance_service_create", _context(), keys)
    return _form(organization, None, "governance_service_create", keys,
                 tk._("Service created"))


@services.route("/<id>/edit/<service_id>", methods=["GET", "POST"])
def edit(id: str, service_id: str) -> Result:
    """Form changing a service, its referents or its active flag (organization admins)."""
    organization = pages.organization_or_404(id)
    service = _service(organization, service_id)
    keys = {"id": service["id"]}
    tk.check_access("governance_service_update", _context(), keys)
    return _form(organization, service, "governance_service_update", keys,
                 tk._("Service updated"))


def _form(organization: dict[str, Any], service: Optional[dict[str, Any]], action: str,
          keys: dict[str, Any], done: str) -> Result:
    """The service form, new (``service`` None) or filled with the service; posted, the
    action's field errors, or ``done`` flashed on the organization's list."""
    values: dict[str, Any] = {**service} if service else {"active": True}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        values = _form_values()
        _result, errors = pages.submit(action, {**values, **keys})
        if not errors:
            tk.h.flash_success(done)
            return _to_list(organization["name"])
    return _render("opendata_governance/service_form.html", organization,
                   data=values, errors=errors, service=service)


@services.route("/<id>/delete/<service_id>", methods=["GET", "POST"])
def delete(id: str, service_id: str) -> Result:
    """Confirmation, then deletion of a service without datasets (organization admins)."""
    organization = pages.organization_or_404(id)
    service = _service(organization, service_id)
    tk.check_access("governance_service_delete", _context(), {"id": service["id"]})
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        _result, errors = pages.submit("governance_service_delete", {"id": service["id"]})
        if not errors:
            tk.h.flash_success(tk._("Service deleted"))
            return _to_list(organization["name"])
    return _render("opendata_governance/service_delete.html", organization,
                   service=service, errors=errors)


@services.route("/<id>/reassign/<service_id>", methods=["GET", "POST"])
def reassign(id: str, service_id: str) -> Result:
    """Form moving every dataset of a service to another service (organization admins)."""
    organization = pages.organization_or_404(id)
    service = _service(organization, service_id)
    tk.check_access("governance_service_reassign", _context(), {"id": service["id"]})
    errors: dict[str, Any] = {}
    target = tk.request.form.get("target", "")
    if tk.request.method == "POST":
        result, errors = pages.submit("governance_service_reassign",
                                      {"id": service["id"], "target": target})
        if not errors:
            moved, failed = len(result["moved"]), len(result["failed"])
            tk.h.flash_success(tk.ungettext(
                "{n} dataset moved", "{n} datasets moved", moved).format(n=moved))
            if failed:
                tk.h.flash_error(tk.ungettext(
                    "{n} dataset could not be moved: {names}",
                    "{n} datasets could not be moved: {names}", failed).format(
                        n=failed, names=", ".join(sorted(result["failed"]))))
            return _to_list(organization["name"])
    targets = tk.get_action("governance_service_list")(
        _context(), {"organization_id": organization["id"], "active_only": True,
                     "include_dataset_count": False, "limit": 1000})["results"]
    return _render("opendata_governance/service_reassign.html", organization,
                   service=service, errors=errors, target=target,
                   targets=[t for t in targets if t["id"] != service["id"]])


def _service(organization: dict[str, Any], service_id: str) -> dict[str, Any]:
    service = tk.get_action("governance_service_show")(
        _context(), {"id": service_id, "organization_id": organization["id"]})
    if service["organization_id"] != organization["id"]:
        raise tk.ObjectNotFound()
    return service
