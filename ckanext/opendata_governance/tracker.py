"""The publication tracker: where a dataset stands between draft and public, and what next."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import check_runner, checks

__all__ = ["Facts", "Step", "track"]

#: Step states, as CSS classes and data attributes: done, waiting (someone else acts,
#: or checks are running), failed (the producer must fix something), todo.
STATES = ("done", "waiting", "failed", "todo")


@dataclasses.dataclass
class Facts:
    """What the tracker reads of a dataset, gathered by the helper that shows it."""

    pkg_dict: dict[str, Any]
    #: The dataset's latest review (governance_review_show), or None.
    review: Optional[dict[str, Any]]
    #: An approved sign-off matches the current version.
    covered: bool
    #: The organization's publication gate is on (off: a sign-off is optional).
    gate_enabled: bool
    #: The current user may edit the dataset (ask for a sign-off, publish it).
    can_edit: bool
    #: The current user may decide on the pending review.
    can_decide: bool


@dataclasses.dataclass
class Step:
    key: str
    label: str
    state: str
    detail: str = ""


def _metadata_step(facts: Facts) -> Step:
    check = next(check for check in checks.registered() if check.id == "metadata_complete")
    missing = [finding["message"] for finding in checks.run_one(check, facts.pkg_dict)["findings"]]
    if missing:
        return Step("metadata", tk._("Metadata complete"), "failed", "; ".join(missing))
    return Step("metadata", tk._("Metadata complete"), "done")


def _checks_step(facts: Facts) -> Step:
    label = tk._("Automated checks")
    if facts.review is None or facts.review["state"] == "withdrawn":
        return Step("checks", label, "todo",
                    tk._("They run when you ask for the compliance sign-off."))
    results = facts.review.get("checks") or []
    pending = [result for result in results if result["status"] == check_runner.PENDING]
    blocking = [result for result in checks.blocking_failures(results)
                if result["status"] != check_runner.PENDING]
    if blocking:
        return Step("checks", label, "failed", tk.ungettext(
            "{n} blocking check to fix: {checks}", "{n} blocking checks to fix: {checks}",
            len(blocking)).format(n=len(blocking), checks=", ".join(
                sorted({result["title"] for result in blocking}))))
    if pending:
        return Step("checks", label, "waiting", tk.ungettext(
            "{n} check still running", "{n} checks still running",
            len(pending)).format(n=len(pending)))
    return Step("checks", label, "done")


def _review_steps(facts: Facts) -> list[Step]:
    review = facts.review if facts.review and facts.review["state"] != "withdrawn" else None
    requested = Step("requested", tk._("Compliance sign-off requested"), "todo")
    decided = Step("decided", tk._("Decision"), "todo")
    if review is not None:
        requested.state = "done"
        requested.detail = tk.h.render_datetime(review["created"])
        if review["state"] == "submitted":
            decided.state = "waiting"
            decided.detail = tk._("A reviewer examines the dataset.")
        elif review["state"] == "rejected":
            decided.state = "failed"
            decided.detail = tk._("Refused: fix what the reviewer says, then ask again.")
        elif facts.covered:
            decided.state = "done"
            decided.detail = tk._("Approved")
        else:
            decided.state = "failed"
            decided.detail = tk._("Approved, but the dataset changed since: ask again.")
    return [requested, decided]


def _next_action(facts: Facts, steps: dict[str, Step]) -> Optional[dict[str, Any]]:
    """The one thing to do now, as ``{"label", "url", "waiting"}``; None once public."""
    name = facts.pkg_dict["name"]
    tab = tk.h.url_for("governance_review.dataset", id=name)
    edit = tk.h.url_for("dataset.edit", id=name)
    if steps["public"].state == "done":
        return None
    if steps["decided"].state == "done":
        return {"label": tk._("Make the dataset public"), "url": edit + "#field-private"} \
            if facts.can_edit else None
    if steps["decided"].state == "waiting":
        if facts.can_decide:
            return {"label": tk._("Decide on the request"),
                    "url": tab + "#governance-decide-form"}
        return {"label": tk._("Waiting for a reviewer's decision"), "url": "",
                "waiting": True}
    if steps["checks"].state == "waiting":
        return {"label": tk._("Waiting for the checks still running"), "url": "",
                "waiting": True}
    if not facts.can_edit:
        return None
    if steps["metadata"].state != "done":
        return {"label": tk._("Complete the metadata"), "url": edit}
    if not facts.gate_enabled:
        return {"label": tk._("Make the dataset public"), "url": edit + "#field-private"}
    if steps["checks"].state == "failed":
        return {"label": tk._("See what to fix"), "url": tab + "#governance-checks"}
    return {"label": tk._("Ask for the compliance sign-off"),
            "url": tab + "#governance-request-form"}


def track(facts: Facts) -> dict[str, Any]:
    """The tracker of a dataset: ``steps`` (key, label, state, detail) in order,
    ``next`` (the next action, or None) and ``dataset`` (its name)."""
    public = Step("public", tk._("Public"), "todo" if facts.pkg_dict.get("private") else "done")
    ordered = [_metadata_step(facts), _checks_step(facts), *_review_steps(facts), public]
    steps = {step.key: step for step in ordered}
    return {"steps": [dataclasses.asdict(step) for step in ordered],
            "next": _next_action(facts, steps), "dataset": facts.pkg_dict["name"]}
