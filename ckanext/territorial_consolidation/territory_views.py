"""Territory pages: search, a territory's datasets by level, an organization's territory, rules."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckanext.suite import csrf, pages
from ckanext.suite.pages import Result, user_context as _context, page_number as _page

__all__ = ["territory", "territory_organization"]

territory = csrf.protect(Blueprint("territorial_territory", __name__, url_prefix="/territory"))
territory_organization = csrf.protect(Blueprint("territorial_territory_organization", __name__,
                                                url_prefix="/organization/territory"))


PER_PAGE = 50


pages.error_pages(territory, territory_organization,
                  forbidden=lambda: tk._("You are not allowed to see or change this"),
                  not_found=lambda: tk._("Territory not found"))


@territory.route("/")
def search() -> Result:
    """Search territories by name or code, optionally of one level."""
    q = tk.request.args.get("q", "").strip()
    level = tk.request.args.get("level", "").strip()
    page = _page()
    errors: dict[str, Any] = {}
    found: dict[str, Any] = {"count": 0, "results": []}
    try:
        found = tk.get_action("territory_list")(_context(), {
            "q": q, "level": level, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    except tk.ValidationError as error:
        errors = error.error_dict
    return tk.render("territorial_consolidation/territory/search.html", {
        "q": q, "level": level, "territories": found["results"], "count": found["count"],
        "page": page, "per_page": PER_PAGE, "errors": errors})


@territory.route("/rules", methods=["GET", "POST"])
def rules() -> Result:
    """The responsibility rules; sysadmins add rules here."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    if tk.request.method == "POST":
        values = {key: tk.request.form.get(key, "").strip()
                  for key in ("kind", "value", "level", "note")}
        try:
            tk.get_action("responsibility_rule_create")(_context(), dict(values))
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Rule added"))
            return tk.redirect_to("territorial_territory.rules")
    page = _page()
    listed = tk.get_action("responsibility_rule_list")(
        _context(), {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return tk.render("territorial_consolidation/rules/index.html", {
        "rules": listed["results"], "count": listed["count"], "page": page,
        "per_page": PER_PAGE, "errors": errors, "values": values})


@territory.route("/rules/<rule_id>/delete", methods=["POST"])
def rule_delete(rule_id: str) -> Result:
    """Delete a responsibility rule (sysadmins)."""
    tk.get_action("responsibility_rule_delete")(_context(), {"id": rule_id})
    tk.h.flash_success(tk._("Rule deleted"))
    return tk.redirect_to("territorial_territory.rules")


@territory.route("/<id>")
def read(id: str) -> Result:
    """A territory: its parents, its datasets by level (its own and its members'), its children."""
    shown = tk.get_action("territory_show")(_context(), {"id": id, "include_children": True})
    level = tk.request.args.get("level", "").strip()
    page = _page()
    datasets = tk.get_action("territory_dataset_list")(_context(), {
        "id": shown["id"], "level": level, "limit": PER_PAGE,
        "offset": (page - 1) * PER_PAGE})
    return tk.render("territorial_consolidation/territory/read.html", {
        "territory": shown, "datasets": datasets["results"], "count": datasets["count"],
        "levels": datasets["levels"], "level": level, "page": page, "per_page": PER_PAGE})


@territory_organization.route("/<id>", methods=["GET", "POST"])
def organization(id: str) -> Result:
    """An organization's territory; its admins choose it among the search results."""
    group = tk.get_action("organization_show")(
        _context(), {"id": id, "include_datasets": False})
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        try:
            tk.get_action("territory_organization_set")(_context(), {
                "organization_id": group["id"],
                "territory_id": tk.request.form.get("territory_id", "").strip()})
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Territory saved"))
            return tk.redirect_to("territorial_territory_organization.organization", id=group["name"])
    current = tk.h.territorial_organization_territory(group["id"])
    q = tk.request.args.get("q", "").strip()
    candidates = tk.get_action("territory_list")(_context(), {"q": q, "limit": 20}
                                                 )["results"] if q else []
    return tk.render("territorial_consolidation/territory/organization.html", {
        "group_dict": group, "group_type": group["type"], "current": current, "q": q,
        "candidates": candidates, "errors": errors})
