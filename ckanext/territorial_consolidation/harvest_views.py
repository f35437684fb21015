"""Harvest source pages: the last jobs with their counts and errors, and a preview."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckanext.suite import csrf, pages
from ckanext.suite.pages import Result, user_context as _context

__all__ = ["territorial_harvest"]

territorial_harvest = csrf.protect(Blueprint("territorial_harvest", __name__))


pages.error_pages(territorial_harvest, log_in_first=True,
                  forbidden=lambda: tk._("Only editors of the harvest source can see its reports"),
                  not_found=lambda: tk._("Harvest source not found"))
territorial_harvest.register_error_handler(tk.ValidationError, pages.bad_request_page)


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
