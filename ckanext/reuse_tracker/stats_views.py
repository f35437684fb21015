"""Reuse statistics pages and CSV export."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Blueprint, Response

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.suite import csrf, pages
from ckanext.suite import csv_safe
from ckanext.suite.pages import Result, user_context as _context

__all__ = ["reuse_stats_pages"]

reuse_stats_pages = csrf.protect(Blueprint("reuse_tracker_stats", __name__))


#: Excel opens a UTF-8 file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"
#: Values of the ``sep`` parameter; French Excel expects semicolons.
SEPARATORS = {"comma": ",", "semicolon": ";"}

#: CSV columns per grouping: (header, key of the group).
COLUMNS = {
    "type": [("type", "key"), ("label", "label"), ("reuses", "count")],
    "month": [("month", "key"), ("reuses", "count")],
    "dataset": [("dataset", "name"), ("title", "label"), ("reuses", "count")],
    "organization": [("organization", "name"), ("title", "label"), ("reuses", "count")],
    "service": [("organization", "organization"), ("service", "key"), ("title", "label"),
                ("reuses", "count")],
}


pages.error_pages(reuse_stats_pages,
                  forbidden=lambda: tk._("You are not allowed to see these reuse statistics"),
                  not_found=lambda: tk._("Organization or dataset not found"))


reuse_stats_pages.register_error_handler(
    tk.ValidationError, lambda error: pages.bad_request_page(error, tk._("Invalid parameters")))


def _filters() -> dict[str, Any]:
    args = tk.request.args
    data = {key: args.get(key, "").strip() for key in ("organization", "dataset", "group_by")}
    return {key: value for key, value in data.items() if value}


def stats_csv(stats: dict[str, Any], delimiter: str) -> str:
    """The groups of ``reuse_stats`` as CSV text, byte order mark first."""
    columns = COLUMNS[stats["group_by"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([header for header, _key in columns])
    for group in stats["groups"]:
        writer.writerow([csv_safe.cell(group.get(key)) for _header, key in columns])
    return BOM + buffer.getvalue()


@reuse_stats_pages.route("/reuses/stats")
def index() -> Result:
    """Reuse figures grouped one way, the most reused datasets, and the CSV links."""
    filters = _filters()
    filters.setdefault("group_by", "month")
    stats = tk.get_action("reuse_stats")(_context(), {**filters, "most_reused": 10})
    organizations = tk.get_action("organization_list")(
        _context(), {"all_fields": True, "limit": 1000})
    groupings = ["type", "month", "dataset", "organization"]
    if p.plugin_loaded("opendata_governance"):
        groupings.append("service")
    return tk.render("reuse_tracker/stats/index.html", {
        "stats": stats, "filters": filters, "organizations": organizations,
        "groupings": groupings})


@reuse_stats_pages.route("/reuses/stats.csv")
def export() -> Result:
    """The figures of the page as CSV (``sep=semicolon`` for French spreadsheets)."""
    filters = _filters()
    filters.setdefault("group_by", "month")
    delimiter = SEPARATORS.get(tk.request.args.get("sep", "comma"))
    if delimiter is None:
        raise tk.ValidationError({"sep": [tk._("Choose comma or semicolon")]})
    stats = tk.get_action("reuse_stats")(_context(), {**filters, "most_reused": 0})
    parts = ["reutilisations", stats["group_by"]]
    parts += [filters[key] for key in ("organization", "dataset") if key in filters]
    name = re.sub(r"[^a-z0-9_-]+", "-", "-".join(parts).lower())
    return Response(stats_csv(stats, delimiter), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="{}.csv"'.format(name)})


@reuse_stats_pages.route("/reuses/<id>/check-link", methods=["POST"])
def check_link(id: str) -> Result:
    """A moderator checks a published reuse's link now; back to the reuse with the result."""
    result = tk.get_action("reuse_link_check")(_context(), {"id": id})
    if result["outcome"] == "ok":
        tk.h.flash_success(tk._("The link works."))
    else:
        tk.h.flash_error(tk._("The link check failed: {status}").format(
            status=result["status"]))
    return tk.redirect_to("reuse_tracker_reuse.read", id=result["name"] or id)
