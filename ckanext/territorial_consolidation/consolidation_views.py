"""Consolidation pages (list, report, history) and coverage pages (grid, table, CSV)."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.suite import csrf, pages
from ckanext.suite.csv_safe import neutralise
from ckanext.suite.pages import (
    error_page as _error_page, user_context as _context, page_number as _page)

__all__ = ["consolidation", "coverage"]

consolidation = csrf.protect(Blueprint("territorial_consolidation", __name__,
                                       url_prefix="/consolidation"))
coverage = csrf.protect(Blueprint("territorial_coverage", __name__, url_prefix="/coverage"))

PER_PAGE = 50


pages.error_pages(consolidation, coverage,
                  forbidden=lambda: tk._("You are not allowed to run this consolidation"),
                  not_found=lambda: tk._("Consolidation not found"))


@consolidation.route("/")
def index() -> pages.Result:
    """Every consolidation, paged."""
    page = _page()
    q = tk.request.args.get("q", "")
    listed = tk.get_action("consolidation_list")(
        _context(), {"q": q, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return tk.render("territorial_consolidation/consolidation/index.html", {
        "consolidations": listed["results"], "count": listed["count"], "q": q,
        "page": page, "pages": max(1, -(-listed["count"] // PER_PAGE))})


_FORM_FIELDS = ("name", "title", "organization_id", "schema_url", "scope_territory_id",
                "dedup_key", "include", "exclude", "schedule")


def _form_data() -> dict[str, Any]:
    form = tk.request.form
    data: dict[str, Any] = {key: form.get(key, "") for key in _FORM_FIELDS}
    data["keep_valid_rows"] = bool(form.get("keep_valid_rows"))
    data["notify_owners"] = bool(form.get("notify_owners"))
    upload = tk.request.files.get("schema_upload")
    if upload and upload.filename:
        data["schema"] = upload.read(2_000_000)
    return data


def _form(data: dict[str, Any], errors: dict[str, Any], editing: bool) -> pages.Result:
    return tk.render("territorial_consolidation/consolidation/form.html", {
        "data": data, "errors": errors, "editing": editing})


@consolidation.route("/new", methods=["GET", "POST"])
def new() -> pages.Result:
    """Set up a consolidation (consolidation_create), for organization admins."""
    if tk.request.method == "GET":
        if not tk.current_user.is_authenticated:
            raise tk.NotAuthorized()
        return _form({"keep_valid_rows": True, "schedule": "manual"}, {}, editing=False)
    data = _form_data()
    try:
        created = tk.get_action("consolidation_create")(_context(), data)
    except tk.ValidationError as error:
        return _form(data, error.error_dict, editing=False)
    return tk.redirect_to("territorial_consolidation.read", id=created["name"])


@consolidation.route("/<id>/edit", methods=["GET", "POST"])
def edit(id: str) -> pages.Result:
    """Change a consolidation's settings (consolidation_update)."""
    shown = tk.get_action("consolidation_show")(_context(), {"id": id, "runs": 1})
    tk.check_access("consolidation_update", _context(), {"id": shown["id"]})
    if tk.request.method == "GET":
        data = {**shown, **{key: ", ".join(shown[key])
                            for key in ("dedup_key", "include", "exclude")}}
        return _form(data, {}, editing=True)
    data = {**_form_data(), "id": shown["id"]}
    try:
        updated = tk.get_action("consolidation_update")(_context(), data)
    except tk.ValidationError as error:
        return _form(data, error.error_dict, editing=True)
    tk.h.flash_success(tk._("Consolidation saved."))
    return tk.redirect_to("territorial_consolidation.read", id=updated["name"])


@consolidation.route("/<id>")
def read(id: str) -> pages.Result:
    """A consolidation: its settings, its last report, its history."""
    shown = tk.get_action("consolidation_show")(_context(), {"id": id, "runs": 20})
    try:
        tk.check_access("consolidation_run", _context(), {"id": shown["id"]})
        can_run = True
    except tk.NotAuthorized:
        can_run = False
    return tk.render("territorial_consolidation/consolidation/read.html", {
        "consolidation": shown, "report": (shown["last_run"] or {}).get("report") or {},
        "can_run": can_run})


@consolidation.route("/<id>/run", methods=["POST"])
def run(id: str) -> pages.Result:
    """Queue a run (consolidation_run), then back to the consolidation's page."""
    try:
        tk.get_action("consolidation_run")(_context(), {"id": id})
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(message)
        return tk.redirect_to("territorial_consolidation.read", id=id)
    tk.h.flash_success(tk._("The run is queued; its report will appear here."))
    return tk.redirect_to("territorial_consolidation.read", id=id)


def _coverage() -> tuple[dict[str, Any], Any]:
    schema = tk.request.args.get("schema", "").strip()
    territory = tk.request.args.get("territory", "").strip()
    if not schema or not territory:
        return {"schema": schema, "territory": territory}, None
    result = tk.get_action("territorial_coverage")(
        _context(), {"schema": schema, "territory": territory, "limit": 5000})
    return {"schema": schema, "territory": territory}, result


@coverage.route("/", endpoint="index")
def coverage_index() -> pages.Result:
    """Which communes publish a valid file of a schema: a grid and a table."""
    asked, result = _coverage_or_errors()
    if isinstance(result, tuple):
        return result
    return tk.render("territorial_consolidation/coverage/index.html",
                     {"asked": asked, "coverage": result, "errors": {}})


def _coverage_or_errors() -> tuple[dict[str, Any], Any]:
    try:
        return _coverage()
    except tk.ValidationError as error:
        asked = {"schema": tk.request.args.get("schema", ""),
                 "territory": tk.request.args.get("territory", "")}
        return asked, (tk.render("territorial_consolidation/coverage/index.html", {
            "asked": asked, "coverage": None, "errors": error.error_dict}), 400)


@coverage.route("/export.csv")
def export() -> pages.Result:
    """The coverage table as CSV, one row per commune."""
    _asked, result = _coverage_or_errors()
    if isinstance(result, tuple):
        return result
    if result is None:
        return _error_page(400, tk._("Give a schema and a territory"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["territory_id", "code", "name", "status", "resources"])
    for row in result["results"]:
        writer.writerow([row["id"], row["code"], neutralise(row["name"]), row["status"],
                         " ".join(item["resource_id"] for item in row["resources"])])
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=coverage.csv"})
