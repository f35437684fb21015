"""Pages of the automated checks: run them again, download the quarantine copy."""
from __future__ import annotations

import os
import tempfile

from flask import Blueprint, send_file
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk

from ckanext.suite import csrf

from ckanext.opendata_governance import check_runner, resource_source
from ckanext.opendata_governance.scan import ScanError

__all__ = ["governance_check"]

governance_check = csrf.protect(Blueprint("governance_check", __name__))


@governance_check.route("/dataset/<id>/resource/<resource_id>/checks", methods=["POST"])
def run(id: str, resource_id: str) -> WerkzeugResponse:
    """Run the resource's checks (governance_check_run), then back to the resource page."""
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        outcome = tk.get_action("governance_check_run")(
            context, {"id": id, "resource_id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to run the checks of this dataset"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(message)
        return tk.redirect_to("resource.read", id=id, resource_id=resource_id)
    if outcome["queued"]:
        tk.h.flash_notice(tk._("Checks done; those reading big files run in the background "
                               "and their results will appear here."))
    else:
        tk.h.flash_success(tk._("Checks done."))
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id)


@governance_check.route("/dataset/<id>/resource/<resource_id>/quarantine.csv")
def quarantine(id: str, resource_id: str) -> WerkzeugResponse:
    """The resource's CSV without the columns the scanner flagged, for its producer only.

    Never published: it is a download for the people who may see the check results.
    """
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        listed = tk.get_action("governance_check_result_list")(
            context, {"package_id": id, "resource_id": resource_id,
                      "check_id": "personal_data_scan"})
        resource = tk.get_action("resource_show")(dict(context, ignore_auth=True),
                                                  {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to see the checks of this dataset"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    if not listed["results"] or (resource.get("format") or "").lower() not in ("csv", "tsv"):
        return tk.abort(404, tk._("There is no quarantine copy of this resource"))
    drop = check_runner.flagged_columns(listed["results"][0]["package_id"], resource_id)
    if not drop:
        return tk.abort(404, tk._("The scanner flagged no column of this resource"))
    copy = tempfile.TemporaryFile()
    try:
        check_runner.write_quarantine(resource, [column["index"] for column in drop], copy)
    except (ScanError, resource_source.SourceError) as error:
        copy.close()
        tk.h.flash_error(tk._("The quarantine copy could not be made: {error}").format(
            error=error.translated(tk._) if isinstance(error, ScanError) else error))
        return tk.redirect_to("resource.read", id=id, resource_id=resource_id)
    copy.seek(0)
    name = os.path.splitext(resource_source.file_name(resource))[0] or resource_id
    return send_file(copy, mimetype="text/csv", as_attachment=True,
                     download_name=f"{name}-quarantaine.csv")
