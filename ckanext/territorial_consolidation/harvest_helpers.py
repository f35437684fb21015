"""Template helpers for harvested datasets and harvest source pages."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

__all__ = ["territorial_provenance", "territorial_harvest_count_labels", "territorial_safe_url"]


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def territorial_provenance(package_id: str) -> Optional[dict[str, Any]]:
    """Where the dataset was harvested from, for whoever may see it; None otherwise."""
    try:
        return tk.get_action("territorial_provenance_show")(_context(), {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def territorial_harvest_count_labels() -> list[tuple[str, str]]:
    """The counts of a job report, in display order, with their labels."""
    return [("added", tk._("Added")), ("updated", tk._("Updated")),
            ("unchanged", tk._("Unchanged")), ("withdrawn", tk._("Withdrawn")),
            ("missing", tk._("Missing (grace period)")), ("errors", tk._("Errors"))]


def territorial_safe_url(url: Optional[str]) -> Optional[str]:
    """The URL if it is http(s), else None: a partner's value never becomes a script link."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None
