"""The error page every blueprint of the suite answers with, in CKAN's page frame."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["error_page"]


def error_page(code: int, content: str) -> tuple[str, int]:
    """CKAN's error document with this status (400, 403, 404 or 429) and explanation."""
    names = {400: tk._("Bad request"), 403: tk._("Forbidden"), 404: tk._("Not found"),
             429: tk._("Too many requests")}
    return tk.render("error_document_template.html", {
        "code": code, "name": names[code], "content": content}), code
