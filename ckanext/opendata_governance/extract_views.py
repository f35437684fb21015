"""The "Extraire les tableaux" page of a PDF or spreadsheet resource, for its editors: the
preview and choice, the progress of a background job, and re-running a stale extraction."""
from __future__ import annotations

from typing import Any, Optional, Union

from flask import Blueprint
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.extract import provenance
from ckanext.suite import csrf

__all__ = ["governance_extract"]

governance_extract = csrf.protect(Blueprint("governance_extract", __name__))
_FORBIDDEN = "Only editors of the dataset may extract its tables"


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _messages(error: tk.ValidationError) -> list[str]:
    return [message for messages in error.error_dict.values()
            for message in (messages if isinstance(messages, list) else [messages])]


def _shown(id: str, resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dataset and its resource as the user sees them; 404 otherwise."""
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
        package = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.abort(404, tk._("Resource not found"))
    if resource["package_id"] != package["id"]:
        return tk.abort(404, tk._("Resource not found"))
    return package, resource


def _job_page(package: dict[str, Any], resource: dict[str, Any], job_id: str
              ) -> WerkzeugResponse:
    return tk.redirect_to("governance_extract.job", id=package["name"],
                          resource_id=resource["id"], job_id=job_id)


def _form(package: dict[str, Any], resource: dict[str, Any], preview: dict[str, Any],
          errors: list[str], pages: str, target: Optional[str] = None) -> str:
    earlier = [r for r in package.get("resources", [])
               if provenance.is_extraction_of(r, resource["id"])]
    return tk.render("opendata_governance/extract/form.html", {
        "pkg_dict": package, "package": package, "resource": resource, "res": resource,
        "tables": preview.get("tables", []), "fields": preview.get("fields"),
        "conforms_to": preview.get("conforms_to", ""), "errors": errors, "pages": pages,
        "earlier": earlier, "target": target or tk.request.args.get("target", "new")})


def _choice(resource_id: str) -> dict[str, Any]:
    """The data for resource_table_extract from the posted form: with a schema, each
    column's select names the field it fills."""
    form = tk.request.form
    chosen = form.getlist("tables")
    data: dict[str, Any] = {"id": resource_id, "tables": chosen}
    for key in ("name", "pages", "target", "conforms_to"):
        if form.get(key, "").strip():
            data[key] = form[key].strip()
    if len(chosen) != 1:
        return data
    if data.get("conforms_to"):
        pairs = zip(form.getlist("mapping-{}".format(chosen[0])),
                    form.getlist("header-{}".format(chosen[0])))
        data["mapping"] = {field: column for field, column in pairs if field}
        return data
    columns = form.getlist("columns-{}".format(chosen[0]))
    if any(name.strip() for name in columns):
        data["columns"] = columns
    return data


@governance_extract.route("/dataset/<id>/resource/<resource_id>/extract",
                          methods=["GET", "POST"])
def extract(id: str, resource_id: str) -> Union[str, WerkzeugResponse]:
    """GET: the tables found (resource_table_preview); POST: extract the chosen ones
    (resource_table_extract), then the CSV resource's page. Big files: the job's page."""
    package, resource = _shown(id, resource_id)
    errors: list[str] = []
    pages = tk.request.args.get("pages", "") or tk.request.form.get("pages", "")
    schema = tk.request.args.get("conforms_to", "") or tk.request.form.get("conforms_to", "")
    if tk.request.method == "POST":
        data = _choice(resource_id)
        try:
            if not data["tables"]:
                raise tk.ValidationError({"tables": [tk._("Choose at least one table.")]})
            made = tk.get_action("resource_table_extract")(_context(), data)
        except tk.NotAuthorized:
            return tk.abort(403, tk._(_FORBIDDEN))
        except tk.ValidationError as error:
            errors = _messages(error)
        else:
            return _after_extraction(package, resource, made)
    try:
        preview = tk.get_action("resource_table_preview")(
            _context(), {"id": resource_id, **({"pages": pages} if pages else {}),
                         **({"conforms_to": schema} if schema else {})})
    except tk.NotAuthorized:
        return tk.abort(403, tk._(_FORBIDDEN))
    except tk.ValidationError as error:
        preview = {"tables": []}
        errors += _messages(error)
    if preview.get("queued"):
        return _job_page(package, resource, preview["job_id"])
    return _form(package, resource, preview, errors, pages, tk.request.form.get("target"))


def _after_extraction(package: dict[str, Any], resource: dict[str, Any],
                      made: dict[str, Any]) -> WerkzeugResponse:
    if made.get("queued"):
        return _job_page(package, resource, made["job_id"])
    tk.h.flash_success(tk._("The table was extracted into a CSV resource. It goes through "
                            "the checks and the sign-off like any other resource."))
    if made.get("held_for_sign_off"):
        tk.h.flash_notice(tk._("The dataset was public: it is now private, and will be "
                               "published again once a reviewer signs the extraction off."))
    return tk.redirect_to("resource.read", id=package["name"], resource_id=made["id"])


@governance_extract.route("/dataset/<id>/resource/<resource_id>/extract/job/<job_id>")
def job(id: str, resource_id: str, job_id: str) -> Union[str, WerkzeugResponse]:
    """A background preview or extraction: its progress until it ends, then the tables
    to choose from, the CSV resource, or why it failed."""
    package, resource = _shown(id, resource_id)
    try:
        status = tk.get_action("resource_table_extract_status")(_context(), {"id": job_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.abort(404, tk._("Extraction job not found"))
    if status["resource_id"] != resource["id"]:
        return tk.abort(404, tk._("Extraction job not found"))
    if status["state"] == "failed":
        return _form(package, resource, {}, [m for ms in (status["errors"] or {}).values()
                                             for m in ms], "")
    if status["state"] != "finished":
        return tk.render("opendata_governance/extract/job.html", {
            "pkg_dict": package, "package": package, "resource": resource, "res": resource,
            "status": status})
    if status["action"] == "resource_table_extract":
        return _after_extraction(package, resource, status["result"])
    return _form(package, resource, status["result"], [], status["pages"])


@governance_extract.route("/dataset/<id>/resource/<resource_id>/extract/rerun",
                          methods=["POST"])
def rerun(id: str, resource_id: str) -> WerkzeugResponse:
    """Run an extraction (``resource_id``) again on its source, with the same choices."""
    package, extracted = _shown(id, resource_id)
    source_id = provenance.source_of(extracted)
    if not source_id:
        return tk.abort(404, tk._("Resource not found"))
    try:
        made = tk.get_action("resource_table_extract")(
            _context(), {"id": source_id, "target": extracted["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._(_FORBIDDEN))
    except tk.ValidationError as error:
        for message in _messages(error):
            tk.h.flash_error(message)
        return tk.redirect_to("resource.read", id=package["name"], resource_id=resource_id)
    if made.get("queued"):
        return tk.redirect_to("governance_extract.job", id=package["name"],
                              resource_id=source_id, job_id=made["job_id"])
    return _after_extraction(package, extracted, made)
