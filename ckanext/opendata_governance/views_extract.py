"""The "Extraire les tableaux" page of a PDF or spreadsheet resource, for its editors."""
from __future__ import annotations

from typing import Any, Union

from flask import Blueprint
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk

from ckanext.suite import csrf

__all__ = ["governance_extract"]

governance_extract = csrf.protect(Blueprint("governance_extract", __name__))


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _messages(error: tk.ValidationError) -> list[str]:
    return [message for messages in error.error_dict.values()
            for message in (messages if isinstance(messages, list) else [messages])]


@governance_extract.route("/dataset/<id>/resource/<resource_id>/extract",
                          methods=["GET", "POST"])
def extract(id: str, resource_id: str) -> Union[str, WerkzeugResponse]:
    """GET: the tables found (resource_table_preview); POST: extract the chosen ones
    (resource_table_extract), then the new resource's page."""
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
        package = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.abort(404, tk._("Resource not found"))
    if resource["package_id"] != package["id"]:
        return tk.abort(404, tk._("Resource not found"))
    errors: list[str] = []
    if tk.request.method == "POST":
        form = tk.request.form
        chosen = form.getlist("tables")
        columns = form.getlist("columns-{}".format(chosen[0])) if len(chosen) == 1 else []
        data: dict[str, Any] = {"id": resource_id, "tables": chosen}
        if any(name.strip() for name in columns):
            data["columns"] = columns
        if form.get("name", "").strip():
            data["name"] = form["name"].strip()
        if form.get("pages", "").strip():
            data["pages"] = form["pages"].strip()
        try:
            created = tk.get_action("resource_table_extract")(_context(), data)
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only editors of the dataset may extract its tables"))
        except tk.ValidationError as error:
            errors = _messages(error)
        else:
            tk.h.flash_success(tk._("The table was extracted into a new CSV resource. It "
                                    "goes through the checks and the sign-off like any "
                                    "other resource."))
            return tk.redirect_to("resource.read", id=package["name"],
                                  resource_id=created["id"])
    pages = tk.request.args.get("pages", "") or tk.request.form.get("pages", "")
    try:
        preview = tk.get_action("resource_table_preview")(
            _context(), {"id": resource_id, **({"pages": pages} if pages else {})})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the dataset may extract its tables"))
    except tk.ValidationError as error:
        preview = {"tables": [], "format": ""}
        errors += _messages(error)
    return tk.render("opendata_governance/extract/form.html", {
        "pkg_dict": package, "package": package, "resource": resource, "res": resource,
        "tables": preview["tables"], "errors": errors, "pages": pages})
