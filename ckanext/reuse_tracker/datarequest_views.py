"""Data request pages: the listing, the request form, a request's page and its forms."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker.antispam import HONEYPOT_FIELD
from ckanext.suite import csrf, pages
from ckanext.suite.pages import (
    error_page as _error_page, user_context as _context, page_number as _page)

__all__ = ["datarequest"]

datarequest = csrf.protect(Blueprint("reuse_tracker_datarequest", __name__))


SORTS = ("votes", "newest", "comments", "updated")
FILTERS = ("q", "state", "organization", "theme")
#: The form fields passed to datarequest_create and datarequest_update as typed.
FORM_FIELDS = ("title", "description", "organization_id", "theme")
#: organization_list returns at most this many organizations with all their fields.
ORGANIZATION_PAGE = 25


pages.error_pages(datarequest,
                  forbidden=lambda: tk._("You are not allowed to see or do this on data requests"),
                  not_found=lambda: tk._("Data request or organization not found"))


def _per_page() -> int:
    return tk.config["ckanext.reuse_tracker.datarequest_per_page"]


def _show(id_: str) -> dict[str, Any]:
    return tk.get_action("datarequest_show")(_context(), {"id": id_})


def _to_request(id_: str, anchor: str | None = None) -> WerkzeugResponse:
    if anchor:
        return tk.redirect_to("reuse_tracker_datarequest.read", id=id_, _anchor=anchor)
    return tk.redirect_to("reuse_tracker_datarequest.read", id=id_)


def _rate_limited(error: tk.ValidationError) -> tuple[str, int] | None:
    """The 429 page if the action refused the post for the user's rate limit."""
    if "rate_limit" not in error.error_dict:
        return None
    messages = error.error_dict["rate_limit"]
    return _error_page(429, messages[0] if isinstance(messages, list) else str(messages))


def _flash_errors(error: tk.ValidationError) -> None:
    for messages in error.error_dict.values():
        for message in messages if isinstance(messages, list) else [messages]:
            tk.h.flash_error(message)


def _all_organizations() -> list[dict[str, str]]:
    """Every active organization as ``{"value": name, "text": title}``, by title.

    A request may target any organization, not only the user's; organization_list hands
    out full records in pages of 25, so it is read page by page.
    """
    organizations: list[dict[str, Any]] = []
    while True:
        batch = tk.get_action("organization_list")(_context(), {
            "all_fields": True, "include_dataset_count": False, "include_extras": False,
            "include_users": False, "include_groups": False, "include_tags": False,
            "include_member_count": False, "limit": ORGANIZATION_PAGE,
            "offset": len(organizations)})
        organizations.extend(batch)
        if len(batch) < ORGANIZATION_PAGE:
            break
    options = [{"value": org["name"], "text": org.get("display_name") or org["name"]}
               for org in organizations]
    return sorted(options, key=lambda option: option["text"].lower())


# The listing.

@datarequest.route("/datarequest")
def index() -> pages.Result:
    """Data requests, most voted first: filters by state, organization, theme and text."""
    args = tk.request.args
    filters = {key: args.get(key, "").strip() for key in FILTERS}
    sort = args.get("sort", "votes")
    if sort not in SORTS:
        sort = "votes"
    page, per_page = _page(), _per_page()
    data_dict: dict[str, Any] = {key: value for key, value in filters.items() if value}
    status = 200
    try:
        listed = tk.get_action("datarequest_list")(_context(), {
            **data_dict, "sort": sort, "limit": per_page, "offset": (page - 1) * per_page})
        errors: dict[str, Any] = {}
    except tk.ValidationError as error:
        listed, errors, status = {"count": 0, "results": []}, error.error_dict, 400
    return tk.render("reuse_tracker/datarequest/index.html", {
        "datarequests": listed["results"], "count": listed["count"], "page": page,
        "per_page": per_page, "filters": filters, "sort": sort, "errors": errors,
        "organizations": _all_organizations(),
        "params": {**data_dict, "sort": sort if sort != "votes" else None},
    }), status


# The request form.

def _form_data() -> dict[str, Any]:
    form = tk.request.form
    data: dict[str, Any] = {key: form.get(key, "").strip() for key in FORM_FIELDS}
    data[HONEYPOT_FIELD] = form.get(HONEYPOT_FIELD, "")
    return data


def _render_form(values: dict[str, Any], errors: dict[str, Any],
                 request: dict[str, Any] | None = None) -> str:
    return tk.render("reuse_tracker/datarequest/form.html", {
        "values": values, "errors": errors, "datarequest": request,
        "organizations": _all_organizations(),
        "max_length": tk.config["ckanext.reuse_tracker.datarequest_description_max_length"],
    })


@datarequest.route("/datarequest/new", methods=["GET", "POST"])
def new() -> pages.Result:
    """Ask for data; ``?organization=<name>`` and ``?theme=<key>`` fill the form in."""
    login = pages.log_in_to("datarequest_create", {})
    if login is not None:
        return login
    if tk.request.method == "GET":
        args = tk.request.args
        return _render_form({"organization_id": args.get("organization", "").strip(),
                             "theme": args.get("theme", "").strip()}, {})
    data = _form_data()
    try:
        created = tk.get_action("datarequest_create")(
            _context(), {key: value for key, value in data.items() if value != ""})
    except tk.ValidationError as error:
        return _rate_limited(error) or _render_form(data, error.error_dict)
    if created["state"] == "spam":
        # Hidden from everyone but the moderators: its page would be a 404 to its author.
        tk.h.flash_notice(tk._("Thank you: your request will be checked before it is shown."))
        return tk.redirect_to("reuse_tracker_datarequest.index")
    tk.h.flash_success(tk._("Your data request is published. You will be told by e-mail "
                            "when its status changes."))
    return _to_request(created["id"])


# A request.

def _render_read(request: dict[str, Any], errors: dict[str, dict[str, Any]] | None = None,
                 values: dict[str, Any] | None = None) -> str:
    return tk.render("reuse_tracker/datarequest/read.html", {
        "datarequest": request, "errors": errors or {}, "values": values or {}})


@datarequest.route("/datarequest/<id>")
def read(id: str) -> pages.Result:
    """A request: description, status, votes, the comment thread and, for its moderators,
    the status forms."""
    return _render_read(_show(id))


@datarequest.route("/datarequest/<id>/edit", methods=["GET", "POST"])
def edit(id: str) -> pages.Result:
    """Change a request's text, organization or theme (its author while open, or a moderator)."""
    request = _show(id)
    tk.check_access("datarequest_update", _context(), {"id": request["id"]})
    if tk.request.method == "GET":
        values = {key: request.get(key) or "" for key in FORM_FIELDS}
        values["organization_id"] = request.get("organization_name") or ""
        return _render_form(values, {}, request)
    data = _form_data()
    data.pop(HONEYPOT_FIELD)
    try:
        tk.get_action("datarequest_update")(_context(), {"id": request["id"], **data})
    except tk.ValidationError as error:
        return _render_form(data, error.error_dict, request)
    tk.h.flash_success(tk._("Data request updated."))
    return _to_request(request["id"])


def _flag(name: str, current: bool) -> bool:
    """A yes/no form field ("1"/"0"); without it, the opposite of the current value."""
    value = tk.request.form.get(name)
    if value is None or value == "":
        return not current
    return value.lower() in ("1", "true", "on", "yes")


@datarequest.route("/datarequest/<id>/vote", methods=["POST"])
def vote(id: str) -> pages.Result:
    """Add or withdraw the user's vote."""
    request = _show(id)
    wanted = _flag("vote", bool(request.get("voted")))
    try:
        tk.get_action("datarequest_vote")(_context(), {"id": request["id"], "vote": wanted})
    except tk.ValidationError as error:
        _flash_errors(error)
    else:
        tk.h.flash_success(tk._("Thank you for your vote.") if wanted
                           else tk._("Your vote was withdrawn."))
    return _to_request(request["id"], "datarequest-votes")


@datarequest.route("/datarequest/<id>/follow", methods=["POST"])
def follow(id: str) -> pages.Result:
    """Follow the request (e-mails on its status changes), or stop following it."""
    request = _show(id)
    wanted = _flag("follow", bool(request.get("following")))
    try:
        tk.get_action("datarequest_follow")(_context(), {"id": request["id"], "follow": wanted})
    except tk.ValidationError as error:
        _flash_errors(error)
    else:
        tk.h.flash_success(tk._("You follow this request: you will be told by e-mail when "
                                "its status changes.") if wanted
                           else tk._("You no longer follow this request."))
    return _to_request(request["id"], "datarequest-votes")


@datarequest.route("/datarequest/<id>/comment", methods=["POST"])
def comment(id: str) -> pages.Result:
    """Add a comment to the thread."""
    request = _show(id)
    body = tk.request.form.get("body", "").strip()
    data = {"id": request["id"], "body": body,
            HONEYPOT_FIELD: tk.request.form.get(HONEYPOT_FIELD, "")}
    try:
        created = tk.get_action("datarequest_comment_create")(
            _context(), {key: value for key, value in data.items() if value != ""})
    except tk.ValidationError as error:
        return _rate_limited(error) or (_render_read(
            request, {"comment": error.error_dict}, {"body": body}), 400)
    if created.get("state") == "spam":
        tk.h.flash_notice(tk._("Thank you: your comment will be checked before it is shown."))
    else:
        tk.h.flash_success(tk._("Comment added."))
    return _to_request(request["id"], "datarequest-comments")


@datarequest.route("/datarequest/<id>/comment/<comment_id>/delete", methods=["POST"])
def comment_delete(id: str, comment_id: str) -> pages.Result:
    """Delete a comment (its author or a moderator)."""
    request = _show(id)
    tk.get_action("datarequest_comment_delete")(
        _context(), {"id": request["id"], "comment_id": comment_id})
    tk.h.flash_success(tk._("Comment deleted."))
    return _to_request(request["id"], "datarequest-comments")


@datarequest.route("/datarequest/<id>/status", methods=["POST"])
def status(id: str) -> pages.Result:
    """Move the request to another open state, with a comment (its moderators)."""
    request = _show(id)
    form = tk.request.form
    values = {"state": form.get("state", "").strip(), "comment": form.get("comment", "").strip()}
    data = {"id": request["id"], **{key: value for key, value in values.items() if value}}
    try:
        tk.get_action("datarequest_update")(_context(), data)
    except tk.ValidationError as error:
        return _render_read(request, {"status": error.error_dict}, values), 400
    tk.h.flash_success(tk._("Status changed."))
    return _to_request(request["id"])


@datarequest.route("/datarequest/<id>/close", methods=["POST"])
def close(id: str) -> pages.Result:
    """Close the request as published (with the dataset) or declined (with the reason)."""
    request = _show(id)
    form = tk.request.form
    values = {key: form.get(key, "").strip()
              for key in ("state", "package_id", "reason", "comment")}
    data = {"id": request["id"], **{key: value for key, value in values.items() if value}}
    try:
        tk.get_action("datarequest_close")(_context(), data)
    except tk.ValidationError as error:
        return _render_read(request, {"close": error.error_dict}, values), 400
    if values["state"] == "published":
        tk.h.flash_success(tk._("The request is closed as published."))
    else:
        tk.h.flash_success(tk._("The request is closed as declined."))
    return _to_request(request["id"])


# The organization's "Data requests" tab.

@datarequest.route("/organization/datarequests/<id>")
def organization(id: str) -> pages.Result:
    """The data requests addressed to the organization, most voted first."""
    group_dict = tk.get_action("organization_show")(
        _context(), {"id": id, "include_datasets": False})
    if not group_dict.get("is_organization"):
        raise tk.ObjectNotFound()
    state = tk.request.args.get("state", "").strip()
    page, per_page = _page(), _per_page()
    data_dict: dict[str, Any] = {"organization": group_dict["id"], "sort": "votes",
                                 "limit": per_page, "offset": (page - 1) * per_page}
    if state:
        data_dict["state"] = state
    try:
        listed = tk.get_action("datarequest_list")(_context(), data_dict)
    except tk.ValidationError as error:
        return _error_page(400, "; ".join(
            f"{key}: {' '.join(value)}" for key, value in error.error_dict.items()))
    params = {"id": group_dict["name"], **({"state": state} if state else {})}
    return tk.render("reuse_tracker/datarequest/organization.html", {
        "group_dict": group_dict, "group_type": group_dict["type"],
        "datarequests": listed["results"], "count": listed["count"], "page": page,
        "per_page": per_page, "state": state, "params": params,
    })
