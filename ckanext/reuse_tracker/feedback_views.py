"""Feedback pages: the form on the dataset page, the inbox, one item's handling page."""
from __future__ import annotations


from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page

from ckanext.reuse_tracker.antispam import HONEYPOT_FIELD
from ckanext.reuse_tracker.services import service_titles
from ckanext.suite import csrf, pages
from ckanext.suite.collation import collation_key
from ckanext.suite.pages import Result, error_page as _error_page, user_context as _context

__all__ = ["feedback"]

feedback = csrf.protect(Blueprint("reuse_tracker_feedback", __name__))


FILTERS = ("organization", "service", "kind", "state")


pages.error_pages(feedback,
                  forbidden=lambda: tk._("You are not allowed to see or handle this feedback"),
                  not_found=lambda: tk._("Dataset or feedback not found"))


def _flash_errors(error: tk.ValidationError) -> None:
    for field, messages in error.error_dict.items():
        for message in messages if isinstance(messages, list) else [messages]:
            tk.h.flash_error(f"{field}: {message}")


@feedback.route("/dataset/<id>/feedback", methods=["POST"])
def create(id: str) -> Result:
    """Post the dataset page's feedback form, then go back to the dataset."""
    form = tk.request.form
    data = {"package_id": id, **{key: form.get(key, "") for key in (
        "kind", "body", "rating", "resource_id", "reference", "row_id", "author_name")}}
    data[HONEYPOT_FIELD] = form.get(HONEYPOT_FIELD, "")
    data = {key: value for key, value in data.items() if value != ""}
    try:
        result = tk.get_action("feedback_create")(_context(), data)
    except tk.ValidationError as error:
        _flash_errors(error)
        if "rate_limit" in error.error_dict:
            return _error_page(429, error.error_dict["rate_limit"][0])
        return tk.redirect_to("dataset.read", id=id, _anchor="feedback")
    if result["state"] == "spam":
        tk.h.flash_notice(tk._("Thank you: your feedback will be checked before it is shown."))
    else:
        tk.h.flash_success(tk._("Thank you: your feedback was sent to the dataset's producer."))
    return tk.redirect_to("dataset.read", id=id, _anchor="feedback")


@feedback.route("/feedback/inbox")
def inbox() -> Result:
    """Feedback on the datasets the user edits, filtered, with overdue items and figures."""
    if not tk.current_user.is_authenticated:
        return pages.to_login()
    args = tk.request.args
    filters = {key: args.get(key, "") for key in FILTERS if args.get(key)}
    overdue = args.get("overdue") in ("1", "true", "on")
    per_page = tk.config["ckanext.reuse_tracker.feedback_per_page"]
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    try:
        result = tk.get_action("feedback_list")(_context(), {
            **filters, "overdue": overdue, "limit": per_page,
            "offset": (page - 1) * per_page})
    except tk.ValidationError as error:
        return _error_page(400, "; ".join(
            f"{key}: {' '.join(value)}" for key, value in error.error_dict.items()))
    stats = tk.get_action("feedback_stats")(
        _context(), {"organization": filters["organization"]}
        if filters.get("organization") else {})
    pager = Page(collection=[], page=page, item_count=result["count"],
                      items_per_page=per_page,
                      url=lambda q=None, page=1: tk.h.url_for(
                          "reuse_tracker_feedback.inbox", page=page, **filters,
                          **({"overdue": "1"} if overdue else {})))
    titles = service_titles(row["organization_id"] for row in stats["organizations"])
    return tk.render("reuse_tracker/feedback/inbox.html", {
        "result": result, "stats": stats, "filters": filters, "overdue": overdue,
        "pager": pager, "service_titles": titles,
        "services": sorted({(name, title) for (_org, name), title in titles.items()},
                           key=lambda item: collation_key(item[1]))})


@feedback.route("/feedback/<id>")
def read(id: str) -> Result:
    """One feedback item with its answer, state and internal notes, for the dataset's editors."""
    tk.check_access("feedback_note_create", _context(), {"id": id})
    item = tk.get_action("feedback_show")(_context(), {"id": id})
    return tk.render("reuse_tracker/feedback/read.html", {"item": item})


def _handle(id: str, action: str, fields: tuple[str, ...], done: str) -> Result:
    data = {"id": id, **{key: tk.request.form.get(key, "") for key in fields}}
    try:
        tk.get_action(action)(_context(), {k: v for k, v in data.items() if v != ""})
    except tk.ValidationError as error:
        _flash_errors(error)
    else:
        tk.h.flash_success(done)
    return tk.redirect_to("reuse_tracker_feedback.read", id=id)


@feedback.route("/feedback/<id>/respond", methods=["POST"])
def respond(id: str) -> Result:
    """Publish (or replace) the public answer, optionally changing the state."""
    return _handle(id, "feedback_respond", ("body", "state"), tk._("Answer published."))


@feedback.route("/feedback/<id>/status", methods=["POST"])
def status(id: str) -> Result:
    """Change the state, with an optional internal note."""
    return _handle(id, "feedback_update_status", ("state", "note"), tk._("Status changed."))


@feedback.route("/feedback/<id>/note", methods=["POST"])
def note(id: str) -> Result:
    """Add an internal note."""
    return _handle(id, "feedback_note_create", ("body",), tk._("Note added."))
