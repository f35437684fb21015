"""The dataset picker's search: datasets the user may read whose title or name starts with
the words typed, for the reuse and data request forms."""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.plugins.toolkit as tk

from ckanext.suite.pages import user_context as _context

__all__ = ["picker"]

picker = Blueprint("reuse_tracker_picker", __name__)

#: Datasets offered per search.
ROWS = 10
#: Words of the query kept, and characters of each.
MAX_WORDS, MAX_WORD = 6, 40
_WORD = re.compile(r"\w+", re.UNICODE)


def search_query(text: str) -> str:
    """The words typed as a search query, each the start of a word of the title or of
    the name (``budg`` → ``(title:budg* OR name:budg*)``), all of them required: only
    letters and digits reach the query parser."""
    words = [word[:MAX_WORD].lower() for word in _WORD.findall(text or "")[:MAX_WORDS]]
    return " AND ".join(f"(title:{word}* OR name:{word}*)" for word in words)


@picker.route("/reuses/dataset-picker")
def search() -> WerkzeugResponse:
    """``{"results": [{"id", "name", "title"}]}``: at most ten datasets the user may read
    (core's package_search, which keeps private datasets to those who may read them)."""
    query = search_query(tk.request.args.get("q", ""))
    if not query:
        return jsonify({"results": []})
    try:
        found = tk.get_action("package_search")(_context(), {
            "q": query, "rows": ROWS, "include_private": True})
    except (tk.ValidationError, tk.NotAuthorized):
        return jsonify({"results": []})
    return jsonify({"results": [_option(dataset) for dataset in found["results"]]})


def _option(dataset: dict[str, Any]) -> dict[str, str]:
    return {"id": dataset["id"], "name": dataset["name"],
            "title": dataset.get("title") or dataset["name"]}
