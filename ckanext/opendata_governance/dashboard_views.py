"""The governance dashboard page and the CSV data inventory, for sysadmins and org admins."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, stream_with_context

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import export, svg_charts
from ckanext.suite import csrf, pages
from ckanext.suite.pages import Result, user_context as _context
from ckanext.opendata_governance.logic.dashboard_action import MAX_INVENTORY_PAGE

__all__ = ["governance_dashboard"]

governance_dashboard = csrf.protect(Blueprint("opendata_governance_dashboard", __name__))


pages.error_pages(governance_dashboard, log_in_first=True,
                  forbidden=lambda: tk._("Only sysadmins and organization admins can see the "
                                         "governance dashboard and the data inventory"))
governance_dashboard.register_error_handler(tk.ValidationError, pages.bad_request_page)


def _filter() -> dict[str, Any]:
    organization = tk.request.args.get("organization", "").strip()
    return {"organization_id": organization} if organization else {}


@governance_dashboard.route("/governance")
def index() -> Result:
    """Figures and charts per organization and owner service."""
    data_dict = _filter()
    figures = tk.get_action("governance_dashboard")(_context(), data_dict)
    return tk.render("opendata_governance/dashboard/index.html", {
        "figures": figures,
        "charts": svg_charts.dashboard_charts(figures),
        "selected": data_dict.get("organization_id", ""),
    })


@governance_dashboard.route("/governance/inventory.csv")
def inventory() -> Result:
    """The data inventory as CSV: ``organization`` filters, ``sep=semicolon`` for French
    Excel, ``labels=1`` for headers and values in words in the page's language."""
    sep = tk.request.args.get("sep", "comma")
    labelled = tk.request.args.get("labels") in ("1", "true")
    if sep not in export.SEPARATORS:
        raise tk.ValidationError({"sep": [tk._("Use comma or semicolon")]})
    data_dict = _filter()
    action = tk.get_action("governance_inventory")
    context = _context()
    # The first page is read before the response starts, so that a refusal
    # is a proper 403 and not a broken download.
    first = action(dict(context), {**data_dict, "limit": MAX_INVENTORY_PAGE})["results"]

    def next_page(offset: int) -> list[dict[str, Any]]:
        return action(dict(context), {**data_dict, "limit": MAX_INVENTORY_PAGE,
                                      "offset": offset})["results"]

    name = "inventaire-donnees-{}{}.csv".format(
        data_dict.get("organization_id", "") + "-" if data_dict else "",
        dt.date.today().isoformat())
    return Response(
        stream_with_context(export.csv_chunks(
            first, next_page, MAX_INVENTORY_PAGE, export.SEPARATORS[sep],
            labelled=labelled, lang=tk.h.lang() or "fr")),
        mimetype="text/csv",
        headers={"Content-Type": "text/csv; charset=utf-8",
                 "Content-Disposition": f'attachment; filename="{name}"'})
