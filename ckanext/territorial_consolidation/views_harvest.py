"""Harvest source pages: the last jobs with their counts and errors, and a preview."""
from __future__ import annotations

from typing import Any, Union

from flask import Blueprint
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk
from ckanext.suite import csrf
from ckanext.suite.pages import error_page as _error_page, user_context as _context

__all__ = ["territorial_harvest"]

territorial_harvest = csrf.protect(Blueprint("territorial_harvest", __name__))

Result = Union[str, WerkzeugResponse, tuple[str, int]]


@territorial_harvest.errorhandler(tk.NotAuthorized)
def _forbidden(error: tk.NotAuthorized) -> Result:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    return _error_page(403, tk._("Only editors of the harvest source can see its reports"))


@territorial_harvest.errorhandler(tk.ObjectNotFound)
def _not_found(error: tk.ObjectNotFound) -> Result:
    return _error_page(404, tk._("Harvest source not found"))


@territorial_harvest.errorhandler(tk.ValidationError)
def _bad_request(error: tk.ValidationError) -> Result:
    messages = "; ".join("{}: {}".format(field, " ".join(map(str, errors)))
                         for field, errors in (error.error_dict or {}).items())
    return _error_page(400, messages)


def _page(value: Any) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


@territorial_harvest.route("/harvest/territorial/<id>")
def report(id: str) -> Result:
    """The last jobs of a harvest source: counts, completeness and error messages."""
    page = _page(tk.request.args.get("page"))
    per_page = 10
    report = tk.get_action("territorial_harvest_report")(
        _context(), {"id": id, "limit": per_page, "offset": (page - 1) * per_page})
    return tk.render("territorial_consolidation/harvest/report.html", {
        "report": report, "page": page, "per_page": per_page, "source_id": id})


@territorial_harvest.route("/harvest/territorial/<id>/preview")
def preview(id: str) -> Result:
    """The first datasets of the partner as the next harvest would write them."""
    report = tk.get_action("territorial_harvest_report")(_context(), {"id": id, "limit": 1})
    errors: dict[str, Any] = {}
    datasets: list[dict[str, Any]] = []
    try:
        datasets = tk.get_action("territorial_harvest_preview")(
            _context(), {"id": id, "limit": 20})["results"]
    except tk.ValidationError as error:
        # The partner failing is what the preview is for: show why, in the page.
        errors = error.error_dict
    return tk.render("territorial_consolidation/harvest/preview.html", {
        "source": report["source"], "datasets": datasets, "errors": errors,
        "source_id": id})
