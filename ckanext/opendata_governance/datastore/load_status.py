"""What the resource page says of a resource's DataStore load: status, rows, time, error."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.datastore import load_errors, load_faults

__all__ = ["resource_load_status"]

#: xloader's job states, as the resource page names them (its own badge shows only
#: some of them, in English).
_STATES = ("pending", "running", "complete", "error")


def resource_load_status(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The DataStore load of a resource, for whoever may see the resource, or None
    where nothing is or will be loaded (no loader, or a format it does not load).

    :returns: ``status`` (one of pending, running, complete, error, or ``none`` for
        a loadable resource never loaded), its translated ``label``, ``rows`` loaded
        (None unless complete), ``last_updated`` (ISO time or None), ``error`` (a plain,
        translated sentence or None) and ``raw_error`` (xloader's own text, for
        sysadmins only, else None)
    """
    if not (p.plugin_loaded("xloader") and _loadable(resource)):
        return None
    try:
        tk.check_access("resource_show", {}, {"id": resource["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    job = _job(resource["id"])
    status = _state(job.get("status"))
    error = job.get("error") if status == "error" else None
    raw = load_errors.raw_message(error)
    return {
        "status": status,
        "label": _label(status),
        "rows": _rows(resource) if status == "complete" else None,
        "last_updated": job.get("last_updated"),
        # A refusal of the suite's own checks carries a code (load_faults); xloader's
        # errors are English text (load_errors).
        "error": _explain(error, raw),
        "raw_error": raw if raw and tk.current_user.is_authenticated
        and tk.current_user.sysadmin else None,
    }


def _explain(error: Any, raw: Optional[str]) -> Optional[str]:
    """The sentence the page gives for a failed load: the gate's own reason (already a
    sentence for people), a coded refusal of the suite's file checks (load_faults), or
    xloader's English error made plain (load_errors)."""
    if isinstance(error, dict) and error.get("governance") and raw:
        return raw
    if load_faults.is_coded(error):
        return load_faults.describe(error)
    return load_errors.explain(raw)


def _loadable(resource: dict[str, Any]) -> bool:
    formats = (tk.config.get("ckanext.xloader.formats") or "").lower().split()
    return bool(resource.get("datastore_active")) or (
        (resource.get("format") or "").lower() in formats)


def _job(resource_id: str) -> dict[str, Any]:
    # xloader_status is for editors; the status (not the log) is for every reader,
    # whose access to the resource was checked above.
    try:
        return tk.get_action("xloader_status")({"ignore_auth": True},
                                               {"resource_id": resource_id})
    except tk.ObjectNotFound:
        return {}


def _state(status: Optional[str]) -> str:
    if status in ("submitting", "pending"):
        return "pending"
    if status == "running_but_viewable":
        return "running"
    return status if status in _STATES else "none"


def _label(status: str) -> str:
    return {
        "pending": tk._("Waiting to be loaded"),
        "running": tk._("Loading"),
        "complete": tk._("Loaded"),
        "error": tk._("Load failed"),
        "none": tk._("Not loaded yet"),
    }[status]


def _rows(resource: dict[str, Any]) -> Optional[int]:
    if not resource.get("datastore_active"):
        return None
    try:
        found = tk.get_action("datastore_search")(
            {}, {"resource_id": resource["id"], "limit": 0, "include_total": True})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None
    return found.get("total")
