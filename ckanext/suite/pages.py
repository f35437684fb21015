"""What every blueprint of the suite shares: the error page, the caller's context, the page number."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context

__all__ = ["error_page", "user_context", "page_number"]


def error_page(code: int, content: str) -> tuple[str, int]:
    """CKAN's error document with this status (400, 403, 404 or 429) and explanation."""
    names = {400: tk._("Bad request"), 403: tk._("Forbidden"), 404: tk._("Not found"),
             429: tk._("Too many requests")}
    return tk.render("error_document_template.html", {
        "code": code, "name": names[code], "content": content}), code


def user_context() -> Context:
    """An action context for the logged-in user (an empty name for anonymous visitors)."""
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def page_number() -> int:
    """The ``page`` query argument, 1 when missing or not a positive number."""
    try:
        return max(int(tk.request.args.get("page", 1)), 1)
    except ValueError:
        return 1
