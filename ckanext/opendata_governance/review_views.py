"""Pages of the sign-off workflow: dataset tab, reviewers' queue, organization tab."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint
from werkzeug.wrappers.response import Response as WerkzeugResponse

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite import csrf, pages
from ckanext.suite.collation import collation_key
from ckanext.suite.pages import Result, user_context as _context

from ckanext.opendata_governance import checklist
from ckanext.opendata_governance.logic import review_action

__all__ = ["reviews"]

reviews = csrf.protect(Blueprint("governance_review", __name__))


#: Blank rows the checklist form offers for new items.
NEW_ROWS = 2
#: The most rows the checklist form is read for.
MAX_ROWS = 100


pages.error_pages(reviews,
                  forbidden=lambda: tk._("You are not allowed to see this governance page"),
                  not_found=lambda: tk._("Dataset, organization or review not found"))


# The dataset's "Governance" tab.

def _dataset(id_: str) -> dict[str, Any]:
    try:
        pkg_dict = tk.get_action("package_show")(_context(), {"id": id_})
    except tk.NotAuthorized:
        # A reviewer need not be a member of the organization, yet signs off
        # its private datasets: reading the dataset is part of reviewing it.
        tk.check_access("governance_review_show", _context(), {"package_id": id_})
        pkg_dict = tk.get_action("package_show")({"ignore_auth": True}, {"id": id_})
    if not tk.h.governance_can_see_review_tab(pkg_dict):
        raise tk.NotAuthorized()
    return pkg_dict


def _latest_review(pkg_dict: dict[str, Any]) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action("governance_review_show")(
            _context(), {"package_id": pkg_dict["id"]})
    except tk.ObjectNotFound:
        return None


def _render_dataset(pkg_dict: dict[str, Any], **extra: Any) -> str:
    review = _latest_review(pkg_dict)
    events = tk.get_action("governance_event_list")(
        _context(), {"package_id": pkg_dict["id"], "limit": 50})
    user_ids = {tk.current_user.id, tk.current_user.name}
    is_reviewer = tk.h.governance_is_reviewer(pkg_dict.get("owner_org"))
    pending = bool(review and review["state"] == "submitted")
    try:
        tk.check_access("package_update", _context(), {"id": pkg_dict["id"]})
        can_request = not pending
    except tk.NotAuthorized:
        can_request = False
    values: dict[str, Any] = {"request": {"publish": True}, "decide": {}}
    values.update(extra.pop("values", {}))
    return tk.render("opendata_governance/review/dataset.html", {
        "pkg_dict": pkg_dict,
        "dataset_type": pkg_dict.get("type") or "dataset",
        "review": review,
        "events": events["results"],
        "event_count": events["count"],
        "status": tk.h.governance_publication_status(pkg_dict),
        "can_request": can_request,
        # The requester never decides on their own request, so never sees the form.
        "can_decide": bool(pending and is_reviewer and review
                           and review["requested_by"] not in user_ids),
        "values": values,
        "request_errors": {},
        "decide_errors": {},
        **extra,
    })


@reviews.route("/dataset/<id>/governance")
def dataset(id: str) -> Result:
    """The governance tab of a dataset: status, latest review, forms and history."""
    return _render_dataset(_dataset(id))


@reviews.route("/dataset/<id>/governance/request", methods=["POST"])
def request_review(id: str) -> Result:
    """Ask for a sign-off of the dataset (its editors)."""
    pkg_dict = _dataset(id)
    values = {"comment": tk.request.form.get("comment", "").strip(),
              "publish": tk.request.form.get("publish") == "on"}
    _result, errors = pages.submit("governance_review_request",
                                   {"id": pkg_dict["id"], **values})
    if errors:
        return _render_dataset(pkg_dict, values={"request": values}, request_errors=errors)
    tk.h.flash_success(tk._("Review requested: the reviewers will examine the dataset"))
    return tk.redirect_to("governance_review.dataset", id=pkg_dict["name"])


def _review_items(review_id: str) -> list[dict[str, Any]]:
    """The checklist items the review is decided on (its organization's list)."""
    try:
        review = tk.get_action("governance_review_show")(_context(), {"id": review_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return checklist.defaults()
    return review["checklist_items"]


def _checklist_from_form(keys: list[str]) -> dict[str, Any]:
    verdicts: dict[str, Any] = {}
    for item in keys:
        verdict = tk.request.form.get(f"verdict-{item}", "")
        comment = tk.request.form.get(f"comment-{item}", "").strip()
        if verdict or comment:
            verdicts[item] = {"verdict": verdict, "comment": comment}
    return verdicts


def _checklist_errors(errors: dict[str, Any], keys: list[str]) -> dict[str, list[str]]:
    """Errors per checklist item, whether the action nests them or names them with a prefix."""
    nested = errors.get("checklist")
    per_item: dict[str, list[str]] = {}
    for item in keys:
        found: Any = []
        if isinstance(nested, dict):
            found = nested.get(item, [])
        found = found or errors.get(f"checklist.{item}") or errors.get(f"checklist__{item}") or []
        if isinstance(found, dict):
            found = [message for messages in found.values() for message in
                     (messages if isinstance(messages, list) else [messages])]
        per_item[item] = [str(m) for m in (found if isinstance(found, list) else [found])]
    return per_item


@reviews.route("/dataset/<id>/governance/decide", methods=["POST"])
def decide(id: str) -> Result:
    """Approve or reject the dataset's pending review (its reviewers)."""
    pkg_dict = _dataset(id)
    review_id = tk.request.form.get("review_id", "")
    keys = [item["key"] for item in _review_items(review_id)]
    verdicts = _checklist_from_form(keys)
    values = {
        "decision": tk.request.form.get("decision", ""),
        "checklist": verdicts,
        "comment": tk.request.form.get("comment", "").strip(),
        "override": tk.request.form.get("override") == "on",
    }
    _result, errors = pages.submit("governance_review_decide", {"id": review_id, **values})
    if errors:
        general = {key: value for key, value in errors.items()
                   if key != "checklist" and not key.startswith("checklist")}
        if isinstance(errors.get("checklist"), list):
            general["checklist"] = errors["checklist"]
        per_item = _checklist_errors(errors, keys)
        if errors.get("checklist"):
            # The action names missing items in one message; point at each of them too.
            for item in keys:
                if not verdicts.get(item, {}).get("verdict"):
                    per_item[item] = per_item[item] or [tk._("Choose a verdict")]
        return _render_dataset(pkg_dict, values={"decide": values},
                               decide_errors=general, checklist_errors=per_item)
    if values["decision"] == "approve":
        tk.h.flash_success(tk._("Review approved"))
    else:
        tk.h.flash_success(tk._("Review rejected"))
    return tk.redirect_to("governance_review.dataset", id=pkg_dict["name"])


# The reviewers' queue.

@reviews.route("/governance/reviews")
def queue() -> Result:
    """Pending reviews the current user may see, newest first, filterable by organization."""
    organization = tk.request.args.get("organization", "").strip()
    data_dict: dict[str, Any] = {"state": "submitted"}
    if organization:
        data_dict["organization_id"] = organization
    tk.check_access("governance_review_list", _context(), data_dict)
    per_page = 20
    page = max(tk.h.get_page_number(tk.request.args), 1)
    listed, errors = pages.submit("governance_review_list", {
        **data_dict, "limit": per_page, "offset": (page - 1) * per_page})
    if errors:
        listed = {"count": 0, "results": []}
    return tk.render("opendata_governance/review/queue.html", {
        "reviews": listed["results"], "count": listed["count"],
        "page": page, "per_page": per_page, "organization": organization,
        "organizations": _reviewed_organizations(), "errors": errors,
    })


def _reviewed_organizations() -> list[dict[str, str]]:
    """The organizations whose reviews the user sees (all for sysadmins), by title in
    French order: the queue's filter offers these only."""
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    query = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    if not authz.is_sysadmin(user):
        query = query.filter(model.Group.id.in_(review_action.organizations_of(user) or ["-"]))
    return sorted(({"id": group.id, "name": group.name, "title": group.title or group.name}
                   for group in query), key=lambda org: collation_key(org["title"]))


# The organization's "Governance" tab: reviewers and the publication gate.

def _render_organization(organization: dict[str, Any], **extra: Any) -> str:
    reviewers = tk.get_action("governance_reviewer_list")(
        _context(), {"organization_id": organization["id"]})
    settings = tk.get_action("governance_settings_show")(
        _context(), {"organization_id": organization["id"]})
    listed = tk.get_action("governance_checklist_show")(
        _context(), {"organization_id": organization["id"]})
    return tk.render("opendata_governance/review/organization.html", {
        "group_dict": organization, "group_type": organization["type"],
        "reviewers": reviewers.get("results", []) if isinstance(reviewers, dict) else reviewers,
        "settings": settings,
        "can_manage": _allowed("governance_reviewer_create",
                               {"organization_id": organization["id"]}),
        "can_switch_off": _allowed("governance_settings_update", {
            "organization_id": organization["id"], "gate_enabled": False}),
        "checklist": listed,
        "can_edit_checklist": _allowed("governance_checklist_update",
                                       {"organization_id": organization["id"]}),
        "checklist_rows": extra.pop("checklist_rows", None) or listed["items"],
        "checklist_errors": {}, "new_rows": NEW_ROWS,
        "errors": {}, "user_value": "", **extra,
    })


def _allowed(action: str, data_dict: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(), data_dict)
    except tk.NotAuthorized:
        return False
    return True


def _to_organization(organization: dict[str, Any]) -> WerkzeugResponse:
    return tk.redirect_to("governance_review.organization", id=organization["name"])


@reviews.route("/organization/governance/<id>")
def organization(id: str) -> Result:
    """The organization's reviewers and publication-gate switch (admins manage, members read)."""
    return _render_organization(pages.organization_or_404(id))


@reviews.route("/organization/governance/<id>/reviewers/add", methods=["POST"])
def reviewer_add(id: str) -> Result:
    """Name a user reviewer of the organization (its admins)."""
    organization_dict = pages.organization_or_404(id)
    user = tk.request.form.get("user", "").strip()
    _result, errors = pages.submit("governance_reviewer_create",
                                   {"organization_id": organization_dict["id"], "user": user})
    if errors:
        return _render_organization(organization_dict, errors=errors, user_value=user)
    tk.h.flash_success(tk._("Reviewer added"))
    return _to_organization(organization_dict)


@reviews.route("/organization/governance/<id>/reviewers/remove", methods=["POST"])
def reviewer_remove(id: str) -> Result:
    """Withdraw a user from the organization's reviewers (its admins)."""
    organization_dict = pages.organization_or_404(id)
    _result, errors = pages.submit("governance_reviewer_delete", {
        "organization_id": organization_dict["id"],
        "user": tk.request.form.get("user", "").strip()})
    if errors:
        return _render_organization(organization_dict, errors=errors)
    tk.h.flash_success(tk._("Reviewer removed"))
    return _to_organization(organization_dict)


@reviews.route("/organization/governance/<id>/settings", methods=["POST"])
def settings(id: str) -> Result:
    """Switch the organization's publication gate on or off (its admins; off: sysadmins
    unless the site lets admins do it)."""
    organization_dict = pages.organization_or_404(id)
    # Fail closed: only the form's explicit "off" switches the gate off; a missing
    # or garbled field goes to the action, whose validation refuses it.
    value = tk.request.form.get("gate_enabled")
    result, errors = pages.submit("governance_settings_update", {
        "organization_id": organization_dict["id"],
        "gate_enabled": {"on": True, "off": False}.get(value or "", value)})
    if errors:
        return _render_organization(organization_dict, errors=errors)
    tk.h.flash_success(tk._("Publication gate switched on") if result["gate_enabled"]
                       else tk._("Publication gate switched off"))
    return _to_organization(organization_dict)


def _checklist_rows() -> list[dict[str, Any]]:
    """The checklist form's rows, in their new order, without those marked for removal
    and the new rows left blank."""
    form = tk.request.form
    rows = []
    for index in range(MAX_ROWS):
        if f"item-{index}-label" not in form:
            continue
        row = {field: form.get(f"item-{index}-{field}", "").strip()
               for field in ("key", "label", "help")}
        if form.get(f"item-{index}-remove") == "on" or not any(row.values()):
            continue
        row["required"] = form.get(f"item-{index}-required") == "on"
        try:
            position = float(form.get(f"item-{index}-position", ""))
        except ValueError:
            position = float(index + 1)
        rows.append((position, index, row))
    return [row for _position, _index, row in sorted(rows, key=lambda entry: entry[:2])]


@reviews.route("/organization/governance/<id>/checklist", methods=["POST"])
def checklist_update(id: str) -> Result:
    """Write the organization's review checklist (its admins): the rows as edited, or
    the built-in items back with ``reset``."""
    organization_dict = pages.organization_or_404(id)
    reset = tk.request.form.get("reset") == "on"
    rows = [] if reset else _checklist_rows()
    data = {"organization_id": organization_dict["id"], "reset": reset, "items": rows}
    _result, errors = pages.submit("governance_checklist_update", data)
    if errors:
        # Re-shown in the order given, so that each error sits beside its item.
        return _render_organization(organization_dict, checklist_rows=rows,
                                    checklist_errors=errors)
    tk.h.flash_success(tk._("Built-in checklist restored") if reset
                       else tk._("Checklist saved"))
    return _to_organization(organization_dict)
