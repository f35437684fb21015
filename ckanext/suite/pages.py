"""What every blueprint of the suite shares: error page, context, login, organization, form."""
from __future__ import annotations

from typing import Any, Callable, Optional, Union

from flask import Blueprint

from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk
from ckan.types import Context

__all__ = ["Result", "error_page", "error_pages", "bad_request_page", "user_context", "page_number",
           "to_login", "log_in_to", "organization_or_404", "submit"]

#: What a view of the suite's blueprints returns: a page, a redirect, or a page and its status.
Result = Union[str, WerkzeugResponse, tuple[str, int]]


def error_page(code: int, content: str) -> tuple[str, int]:
    """CKAN's error document with this status (400, 403, 404 or 429) and explanation."""
    names = {400: tk._("Bad request"), 403: tk._("Forbidden"), 404: tk._("Not found"),
             429: tk._("Too many requests")}
    return tk.render("error_document_template.html", {
        "code": code, "name": names[code], "content": content}), code


def error_pages(*blueprints: Blueprint, forbidden: Callable[[], str],
                not_found: Optional[Callable[[], str]] = None,
                log_in_first: bool = False) -> None:
    """The blueprints answer ``NotAuthorized`` with a 403 page and ``ObjectNotFound`` with
    a 404 page, explained by ``forbidden()`` and ``not_found()`` (called for each error, so
    in the request's language); ``log_in_first`` sends visitors to the login page instead
    of the 403 page."""
    def _forbidden(error: tk.NotAuthorized) -> Union[WerkzeugResponse, tuple[str, int]]:
        if log_in_first and not tk.current_user.is_authenticated:
            return to_login()
        return error_page(403, forbidden())

    for blueprint in blueprints:
        blueprint.register_error_handler(tk.NotAuthorized, _forbidden)
        if not_found is not None:
            blueprint.register_error_handler(
                tk.ObjectNotFound, lambda error: error_page(404, not_found()))


def bad_request_page(error: tk.ValidationError, empty: str = "") -> tuple[str, int]:
    """The 400 page listing each field's errors (``empty`` when there are none)."""
    messages = "; ".join("{}: {}".format(field, " ".join(map(str, errors)))
                         for field, errors in (error.error_dict or {}).items())
    return error_page(400, messages or empty)


def user_context() -> Context:
    """An action context for the logged-in user (an empty name for anonymous visitors)."""
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def page_number() -> int:
    """The ``page`` query argument, 1 when missing or not a positive number."""
    try:
        return max(int(tk.request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def to_login() -> WerkzeugResponse:
    """The login page, coming back to this page once logged in."""
    return tk.redirect_to("user.login", came_from=tk.request.full_path)


def log_in_to(action: str, data_dict: dict[str, Any]) -> Optional[WerkzeugResponse]:
    """None when the user may call ``action``; the login page for a visitor who may not;
    ``NotAuthorized`` (the blueprint's 403 page) for a logged-in user who may not."""
    try:
        tk.check_access(action, user_context(), data_dict)
    except tk.NotAuthorized:
        if not tk.current_user.is_authenticated:
            return to_login()
        raise
    return None


def organization_or_404(id_: str) -> dict[str, Any]:
    """The organization of the URL's id or name as the user sees it; a group is not one."""
    organization = tk.get_action("organization_show")(
        user_context(), {"id": id_, "include_datasets": False})
    if not organization.get("is_organization"):
        raise tk.ObjectNotFound()
    return organization


def submit(action: str, data_dict: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Call a form's action: its result and no errors, or no result and the field errors."""
    try:
        return tk.get_action(action)(user_context(), data_dict), {}
    except tk.ValidationError as error:
        return None, error.error_dict
