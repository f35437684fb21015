"""Reuse pages: gallery, reuse page, forms, moderation queue, organization tab."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, send_file

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker import images
from ckanext.reuse_tracker.antispam import HONEYPOT_FIELD
from ckanext.suite import csrf, pages
from ckanext.suite.pages import Result, user_context as _context, page_number as _page

__all__ = ["reuses"]

reuses = csrf.protect(Blueprint("reuse_tracker_reuse", __name__))


PER_PAGE = 12
SORTS = ("newest", "datasets", "title")
#: The form fields passed to reuse_create and reuse_update as typed.
FORM_FIELDS = ("title", "url", "description", "type", "topic", "datasets", "image_url",
               "organization_id", "contact_email")
#: The form fields of the DataStore query (datastore_query's keys, prefixed).
QUERY_FIELDS = ("resource_id", "filters", "q", "sort")


pages.error_pages(reuses,
                  forbidden=lambda: tk._("You are not allowed to see this reuse page"),
                  not_found=lambda: tk._("Reuse or organization not found"))


def _show(id_: str) -> dict[str, Any]:
    return tk.get_action("reuse_show")(_context(), {"id": id_})


# The gallery.

@reuses.route("/reuses")
def index() -> Result:
    """The published reuses: filters by type, topic and organization, search, sort, pages."""
    args = tk.request.args
    filters = {key: args.get(key, "").strip() for key in ("q", "type", "topic", "organization",
                                                        "dataset")}
    sort = args.get("sort", "newest")
    if sort not in SORTS:
        sort = "newest"
    page = _page()
    data_dict: dict[str, Any] = {key: value for key, value in filters.items() if value}
    try:
        listed = tk.get_action("reuse_list")(_context(), {
            **data_dict, "sort": sort, "featured_first": True,
            "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
        errors: dict[str, Any] = {}
    except tk.ValidationError as error:
        listed, errors = {"count": 0, "results": []}, error.error_dict
    return tk.render("reuse_tracker/index.html", {
        "reuses": listed["results"], "count": listed["count"], "page": page,
        "per_page": PER_PAGE, "filters": filters, "sort": sort, "errors": errors,
        "organizations": _publishing_organizations(),
        "params": {**data_dict, "sort": sort if sort != "newest" else None},
    })


def _publishing_organizations() -> list[dict[str, Any]]:
    """The organizations with public datasets, by title, for the gallery's filter.

    One search facet: organization_list with all fields shows each organization in
    turn (and stops at 25), which made the gallery several times slower.
    """
    searched = tk.get_action("package_search")(_context(), {
        "rows": 0, "facet.field": ["organization"], "facet.limit": 1000})
    items = searched.get("search_facets", {}).get("organization", {}).get("items", [])
    return sorted(items, key=lambda item: (item.get("display_name") or item["name"]).lower())


# A reuse.

@reuses.route("/reuses/<id>")
def read(id: str) -> Result:
    """A reuse: description, link out, datasets used, state for its submitter and moderators."""
    return tk.render("reuse_tracker/read.html", {"reuse": _show(id), "errors": {},
                                                "comment": ""})


def _form_data() -> dict[str, Any]:
    form = tk.request.form
    data: dict[str, Any] = {key: form.get(key, "").strip() for key in FORM_FIELDS}
    data[HONEYPOT_FIELD] = form.get(HONEYPOT_FIELD, "")
    query = {key: form.get(f"query_{key}", "").strip() for key in QUERY_FIELDS}
    # No resource named: no query (on edit, that removes it).
    data["datastore_query"] = ({key: value for key, value in query.items() if value}
                               if query["resource_id"] else "")
    upload = tk.request.files.get("image_upload")
    if upload is not None and upload.filename:
        data["image_upload"] = upload
    return data


def _organizations_for_form() -> list[dict[str, str]]:
    """The organizations the user belongs to, as options of the "on behalf of" field."""
    if not tk.current_user.is_authenticated:
        return []
    organizations = tk.get_action("organization_list_for_user")(
        _context(), {"permission": "read", "include_dataset_count": False})
    return [{"value": org["id"], "text": org["display_name"]} for org in organizations]


def _dataset_titles(names: Any, reuse: dict[str, Any] | None) -> dict[str, str]:
    """The titles of the datasets named in the form, for the picker: those the reuse links,
    else read with the user's rights (a dataset they cannot read keeps its bare name)."""
    if isinstance(names, str):
        names = [name.strip() for name in names.split(",")]
    titles = {dataset["name"]: dataset.get("title") or dataset["name"]
              for dataset in (reuse or {}).get("datasets") or []}
    limit = tk.config["ckanext.reuse_tracker.max_datasets"]
    for name in [name for name in names or [] if isinstance(name, str) and name][:limit]:
        if name in titles:
            continue
        try:
            dataset = tk.get_action("package_show")(_context(), {"id": name})
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            continue
        titles[name] = dataset.get("title") or dataset["name"]
    return titles


def _render_form(values: dict[str, Any], errors: dict[str, Any],
                 reuse: dict[str, Any] | None = None) -> str:
    return tk.render("reuse_tracker/form.html", {
        "values": values, "errors": errors, "reuse": reuse,
        "organizations": _organizations_for_form(),
        "dataset_titles": _dataset_titles(values.get("datasets"), reuse),
    })


@reuses.route("/reuses/new", methods=["GET", "POST"])
def new() -> Result:
    """Propose a reuse; ``?dataset=<name>`` fills the datasets field in."""
    login = pages.log_in_to("reuse_create", {})
    if login is not None:
        return login
    if tk.request.method == "GET":
        return _render_form({"datasets": tk.request.args.get("dataset", "").strip(),
                             "type": "application"}, {})
    data = _form_data()
    try:
        reuse = tk.get_action("reuse_create")(_context(), dict(data))
    except tk.ValidationError as error:
        return _render_form(data, error.error_dict)
    if reuse["state"] == "published":
        tk.h.flash_success(tk._("Your reuse is published"))
    else:
        tk.h.flash_success(tk._("Thank you: your reuse will be published once a moderator "
                                "has checked it"))
    if not tk.current_user.is_authenticated and reuse["state"] != "published":
        # A visitor cannot see a pending reuse, not even their own.
        return tk.redirect_to("reuse_tracker_reuse.index")
    return tk.redirect_to("reuse_tracker_reuse.read", id=reuse["name"])


def _values_of(reuse: dict[str, Any]) -> dict[str, Any]:
    values = {key: reuse.get(key) or "" for key in FORM_FIELDS}
    values["datasets"] = ", ".join(dataset["name"] for dataset in reuse.get("datasets") or [])
    values["featured"] = reuse.get("featured", False)
    query = reuse.get("datastore_query") or {}
    values["datastore_query"] = {
        "resource_id": query.get("resource_id", ""), "q": query.get("q", ""),
        "sort": query.get("sort", ""),
        "filters": json.dumps(query["filters"], ensure_ascii=False) if query.get("filters")
        else ""}
    if _stored_image(reuse.get("image_url")):
        # An uploaded image is shown apart; typed back as a URL it would replace the file.
        values["image_url"] = ""
    return values


def _stored_image(url: str | None) -> bool:
    return bool(url) and images.URL_PREFIX in str(url)


@reuses.route("/reuses/<id>/edit", methods=["GET", "POST"])
def edit(id: str) -> Result:
    """Change a reuse (its submitter while pending, or a moderator)."""
    reuse = _show(id)
    tk.check_access("reuse_update", _context(), {"id": reuse["id"]})
    if tk.request.method == "GET":
        return _render_form(_values_of(reuse), {}, reuse)
    data = _form_data()
    if not data["image_url"]:
        data.pop("image_url")  # an empty field keeps the image; "clear_image" removes it
    if tk.request.form.get("clear_image") == "on":
        data["clear_image"] = True
    if tk.h.check_access("sysadmin"):
        data["featured"] = tk.request.form.get("featured") == "on"
    try:
        updated = tk.get_action("reuse_update")(_context(), {"id": reuse["id"], **data})
    except tk.ValidationError as error:
        return _render_form(data, error.error_dict, reuse)
    if updated["state"] == "pending" and reuse["state"] != "pending":
        tk.h.flash_success(tk._("Reuse updated: it will be shown again once a moderator "
                                "has checked the changes"))
    else:
        tk.h.flash_success(tk._("Reuse updated"))
    return tk.redirect_to("reuse_tracker_reuse.read", id=updated["name"])


@reuses.route("/reuses/<id>/delete", methods=["GET", "POST"])
def delete(id: str) -> Result:
    """Ask for confirmation, then delete the reuse (its submitter or a moderator)."""
    reuse = _show(id)
    tk.check_access("reuse_delete", _context(), {"id": reuse["id"]})
    if tk.request.method == "GET":
        return tk.render("reuse_tracker/delete.html", {"reuse": reuse})
    tk.get_action("reuse_delete")(_context(), {"id": reuse["id"]})
    tk.h.flash_success(tk._("Reuse deleted"))
    return tk.redirect_to("reuse_tracker_reuse.index")


# Moderation.

def _render_queue(errors: dict[str, dict[str, Any]] | None = None,
                  comments: dict[str, str] | None = None) -> str:
    page = _page()
    listed = tk.get_action("reuse_list")(_context(), {
        "moderation": True, "state": "pending", "featured_first": False, "sort": "newest",
        "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return tk.render("reuse_tracker/moderation.html", {
        "reuses": listed["results"], "count": listed["count"], "page": page,
        "per_page": PER_PAGE, "errors": errors or {}, "comments": comments or {},
    })


@reuses.route("/reuses/moderation")
def moderation() -> Result:
    """The pending reuses the current user may moderate."""
    if not tk.current_user.is_authenticated:
        return pages.to_login()
    return _render_queue()


@reuses.route("/reuses/<id>/moderate", methods=["POST"])
def moderate(id: str) -> Result:
    """Publish or reject a pending reuse with a comment (its moderators)."""
    reuse = _show(id)
    decision = tk.request.form.get("decision", "")
    comment = tk.request.form.get("comment", "").strip()
    from_queue = tk.request.form.get("from") == "queue"
    try:
        tk.get_action("reuse_moderate")(_context(), {
            "id": reuse["id"], "decision": decision, "comment": comment})
    except tk.ValidationError as error:
        if from_queue:
            return _render_queue({reuse["id"]: error.error_dict}, {reuse["id"]: comment})
        return tk.render("reuse_tracker/read.html", {
            "reuse": reuse, "errors": error.error_dict, "comment": comment})
    if decision == "publish":
        tk.h.flash_success(tk._("Reuse published"))
    else:
        tk.h.flash_success(tk._("Reuse rejected"))
    if from_queue:
        return tk.redirect_to("reuse_tracker_reuse.moderation")
    return tk.redirect_to("reuse_tracker_reuse.read", id=reuse["name"])


# Stored images.

@reuses.route("/reuses/image/<name>")
def image(name: str) -> Result:
    """A stored reuse image or thumbnail (names are checked: nothing else can be read)."""
    path = images.image_path(name)
    if path is None:
        raise tk.ObjectNotFound()
    response = send_file(path, max_age=86400)
    # The file was decoded and re-encoded on upload; never let a browser guess another type.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


# The organization's "Reuses" tab.

@reuses.route("/organization/reuses/<id>")
def organization(id: str) -> Result:
    """The published reuses of the organization's data, and its reuse figures."""
    group_dict = tk.get_action("organization_show")(
        _context(), {"id": id, "include_datasets": False})
    if not group_dict.get("is_organization"):
        raise tk.ObjectNotFound()
    page = _page()
    listed = tk.get_action("reuse_list")(_context(), {
        "organization": group_dict["id"], "sort": "newest",
        "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return tk.render("reuse_tracker/organization.html", {
        "group_dict": group_dict, "group_type": group_dict["type"],
        "reuses": listed["results"], "count": listed["count"], "page": page,
        "per_page": PER_PAGE,
    })
