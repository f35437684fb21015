"""The user's dashboard tabs: "My reuses" (every state) and "My data requests"."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.suite import pages
from ckanext.suite.pages import Result, user_context as _context, page_number as _page

__all__ = ["dashboard"]

dashboard = Blueprint("reuse_tracker_dashboard", __name__)


PER_PAGE = 20
#: The data request lists of the tab: the user's own, and those they follow.
REQUEST_LISTS = ("mine", "followed")


def _render(template: str, extra_vars: dict[str, Any]) -> str:
    """A dashboard tab: core's dashboard template reads the user's dict."""
    user_dict = tk.get_action("user_show")(_context(), {"id": tk.current_user.id})
    return tk.render(template, {**extra_vars, "user_dict": user_dict})


@dashboard.route("/dashboard/reuses")
def reuses() -> Result:
    """The reuses the user submitted, pending, rejected and archived ones included."""
    if not tk.current_user.is_authenticated:
        return pages.to_login()
    page = _page()
    listed = tk.get_action("reuse_list")(_context(), {
        "mine": True, "featured_first": False, "sort": "newest",
        "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return _render("reuse_tracker/dashboard/reuses.html", {
        "reuses": listed["results"], "count": listed["count"], "page": page,
        "per_page": PER_PAGE})


@dashboard.route("/dashboard/datarequests")
def datarequests() -> Result:
    """The data requests the user made, or (``?list=followed``) those they follow."""
    if not tk.current_user.is_authenticated:
        return pages.to_login()
    which = tk.request.args.get("list", "mine")
    if which not in REQUEST_LISTS:
        which = "mine"
    page = _page()
    listed = tk.get_action("datarequest_list")(_context(), {
        which: True, "sort": "updated", "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return _render("reuse_tracker/dashboard/datarequests.html", {
        "datarequests": listed["results"], "count": listed["count"], "page": page,
        "per_page": PER_PAGE, "which": which,
        "params": {"list": which} if which != "mine" else {}})
