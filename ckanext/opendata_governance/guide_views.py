"""The producer guide: from draft to public, who does what, and an organization's checklist."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import checklist
from ckanext.suite.pages import user_context as _context

__all__ = ["guide"]

guide = Blueprint("governance_guide", __name__)


def _dataset(name: str) -> Optional[dict[str, Any]]:
    """The dataset named in the address, when the visitor may see it; else none, so the
    guide never tells whether a private dataset exists."""
    if not name:
        return None
    try:
        return tk.get_action("package_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None


def _organization(id_or_name: str) -> Optional[dict[str, Any]]:
    if not id_or_name:
        return None
    try:
        organization = tk.get_action("organization_show")(
            _context(), {"id": id_or_name, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    return organization if organization.get("is_organization") else None


def _checklist(organization: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The organization's checklist, when the visitor may read it (its members and
    reviewers); None otherwise."""
    if organization is None:
        return None
    try:
        return tk.get_action("governance_checklist_show")(
            _context(), {"organization_id": organization["id"]})
    except tk.NotAuthorized:
        return None


@guide.route("/governance/guide")
def index() -> str:
    """The guide; ``?organization=`` or ``?dataset=`` adds that organization's checklist."""
    dataset = _dataset(tk.request.args.get("dataset", "").strip())
    organization = _organization(
        dataset["owner_org"] if dataset and dataset.get("owner_org")
        else tk.request.args.get("organization", "").strip())
    return tk.render("opendata_governance/guide.html", {
        "dataset": dataset,
        "organization": organization,
        "checklist": _checklist(organization),
        "checks": tk.h.governance_guide_checks(),
        "default_items": checklist.defaults(),
    })
