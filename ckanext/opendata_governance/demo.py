"""Loads the demo portal (Rennes Métropole and three communes) through CKAN actions."""
from __future__ import annotations

import contextlib
import datetime as dt
import mimetypes
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable, Optional, Sequence

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib import uploader
from ckan.types import Context

from ckanext.opendata_governance import checklist, freshness, schema_validation
from ckanext.suite import demo_summary, validation_compat

__all__ = [
    "DATA_DIR",
    "DESCRIPTION_FILE",
    "DemoError",
    "DemoSummary",
    "Progress",
    "load_demo",
    "read_description",
]

DATA_DIR = Path(__file__).parent / "demo_data"
DESCRIPTION_FILE = DATA_DIR / "demo.yaml"

#: Keys of an organization's description that CKAN stores as extras.
ORGANIZATION_FIELDS = ("territory_code", "territorial_level", "siren")

KINDS = ("organizations", "services", "users", "groups", "datasets", "resources",
         "reviews")

#: The verdicts of the demo reviewer: every checklist item is fine.
DEMO_CHECKLIST = {item: "ok" for item in checklist.KEYS}

Spec = dict[str, Any]
#: Wraps the dataset descriptions while they load, e.g. ``click.progressbar``.
Progress = Callable[[Sequence[Spec]], ContextManager[Iterable[Spec]]]


class DemoError(Exception):
    """The portal cannot take the demo as configured (storage, licences, files)."""


class DemoSummary(demo_summary.DemoSummary):
    """What a load of the governance demo created and kept, by kind."""

    kinds = KINDS


def read_description() -> dict[str, Any]:
    """The demo's organizations, groups and datasets, as written in demo.yaml."""
    with DESCRIPTION_FILE.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def load_demo(progress: Optional[Progress] = None) -> DemoSummary:
    """Create whatever part of the demo is missing, as the site user.

    Objects are found by name, and existing ones are left untouched, so a
    second run creates nothing and changes no ``metadata_modified``.

    :param progress: wraps the list of dataset descriptions and yields them
        back while they load (``click.progressbar`` fits); none by default.
    :returns: what was created and what was already there.
    """
    description = read_description()
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    _check_portal(description, user)

    dataset_fields = _declared_fields(
        user, "scheming_dataset_schema_show", "dataset", "dataset_fields")
    organization_fields = _declared_fields(
        user, "scheming_organization_schema_show", "organization", "fields")
    group_fields = _declared_fields(
        user, "scheming_group_schema_show", "group", "fields")

    summary = DemoSummary()
    for spec in description["organizations"]:
        values = {key: spec[key] for key in ORGANIZATION_FIELDS if key in spec}
        _ensure_group_like(user, "organization", spec, values,
                           organization_fields, summary)
        for service in spec.get("services", []):
            _ensure_service(user, spec["name"], service, summary)
    for spec in description["groups"]:
        _ensure_group_like(user, "group", spec, {}, group_fields, summary)
    roles = _ensure_users(user, description.get("users", []), summary)

    datasets: Sequence[Spec] = description["datasets"]
    wrap: Progress = progress or contextlib.nullcontext
    with wrap(datasets) as items:
        for spec in items:
            _ensure_dataset(user, spec, dataset_fields, summary)
            _ensure_sign_off(user, spec, roles, summary)
    return summary


def _context(user: str) -> Context:
    # Actions write into their context, so every call gets a fresh one.
    return {"user": user}


def _show(action: str, user: str, name: str) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action(action)(_context(user), {"id": name})
    except tk.ObjectNotFound:
        return None


def _check_portal(description: dict[str, Any], user: str) -> None:
    """Refuse before creating anything, rather than leave half a demo behind."""
    missing_files = sorted(
        resource["file"]
        for dataset in description["datasets"]
        for resource in dataset["resources"]
        if not (DATA_DIR / resource["file"]).is_file()
    )
    if missing_files:
        raise DemoError("Demo files missing from {}: {}".format(
            DATA_DIR, ", ".join(missing_files)))

    # Without a storage path the default uploader drops files silently and
    # leaves resources whose download is a 404.
    has_uploader_plugin = any(True for _ in p.PluginImplementations(p.IUploader))
    if not has_uploader_plugin and not uploader.get_storage_path():
        raise DemoError(
            "ckan.storage_path is not set: the demo uploads its CSV files")

    offered = {
        licence["id"]
        for licence in tk.get_action("license_list")(_context(user), {})
    }
    wanted = {dataset["license_id"] for dataset in description["datasets"]}
    if wanted - offered:
        raise DemoError("Licences used by the demo but not offered by this "
                        "portal: {}".format(", ".join(sorted(wanted - offered))))


def _declared_fields(user: str, action: str, type_: str, key: str) -> frozenset[str]:
    """Field names the portal's ckanext-scheming schema declares for ``type_``.

    CKAN refuses an extra that has the name of a schema field, so vocabulary
    values go top-level where a schema declares them and to extras elsewhere.
    """
    try:
        show = tk.get_action(action)
    except KeyError:
        return frozenset()
    try:
        schema = show(_context(user), {"type": type_})
    except tk.ObjectNotFound:
        return frozenset()
    return frozenset(field["field_name"] for field in schema.get(key) or [])


def _fields_and_extras(values: dict[str, Any],
                       declared: frozenset[str]) -> dict[str, Any]:
    values = _resolve_dates(values)
    data: dict[str, Any] = {
        key: value for key, value in values.items() if key in declared}
    extras = [{"key": key, "value": str(value)}
              for key, value in values.items() if key not in declared]
    if extras:
        data["extras"] = extras
    return data


def _resolve_dates(values: dict[str, Any]) -> dict[str, Any]:
    """Turn ``last_data_update_days_ago`` into a ``last_data_update`` date before today."""
    resolved = dict(values)
    days_ago = resolved.pop("last_data_update_days_ago", None)
    if days_ago is not None:
        resolved["last_data_update"] = (
            dt.date.today() - dt.timedelta(days=int(days_ago))).isoformat()
    return resolved


def _ensure_group_like(user: str, kind: str, spec: Spec, values: dict[str, Any],
                       declared: frozenset[str], summary: DemoSummary) -> None:
    name = spec["name"]
    plural = "organizations" if kind == "organization" else "groups"
    if _show(f"{kind}_show", user, name) is not None:
        summary.record(plural, name, created=False)
        return
    data = {
        "name": name,
        "title": spec["title"],
        "description": spec["description"].strip(),
        **_fields_and_extras(values, declared),
    }
    tk.get_action(f"{kind}_create")(_context(user), data)
    summary.record(plural, name, created=True)


def _ensure_service(user: str, organization: str, spec: Spec,
                    summary: DemoSummary) -> None:
    """Create the owner service unless the organization already has one of that name."""
    label = "{}/{}".format(organization, spec["name"])
    try:
        tk.get_action("governance_service_show")(
            _context(user), {"id": spec["name"], "organization_id": organization})
    except tk.ObjectNotFound:
        tk.get_action("governance_service_create")(_context(user), {
            "organization_id": organization,
            "name": spec["name"],
            "title": spec["title"],
            "email": spec.get("email", ""),
        })
        summary.record("services", label, created=True)
    else:
        summary.record("services", label, created=False)


def _ensure_dataset(user: str, spec: Spec, declared: frozenset[str],
                    summary: DemoSummary) -> None:
    name = spec["name"]
    dataset = _show("package_show", user, name)
    if dataset is None:
        data = {
            "name": name,
            "title": spec["title"],
            "notes": spec["notes"].strip(),
            "owner_org": spec["organization"],
            # Every dataset starts private: the publication gate publishes only
            # what a reviewer signed off (see _ensure_sign_off).
            "private": True,
            "license_id": spec["license_id"],
            "tags": [{"name": tag} for tag in spec.get("tags", [])],
            "groups": [{"name": group} for group in spec.get("groups", [])],
            **_fields_and_extras(spec.get("fields", {}), declared),
        }
        dataset = tk.get_action("package_create")(_context(user), data)
        summary.record("datasets", name, created=True)
    else:
        summary.record("datasets", name, created=False)

    # Resources are checked even on a kept dataset, so that a run stopped
    # between package_create and the uploads is completed by the next one.
    present = {resource.get("name") for resource in dataset.get("resources", [])}
    for resource in spec["resources"]:
        label = "{}/{}".format(name, resource["file"])
        if resource["name"] in present:
            summary.record("resources", label, created=False)
            continue
        _upload_resource(user, dataset["id"], resource)
        summary.record("resources", label, created=True)


def _upload_resource(user: str, dataset_id: str, spec: Spec) -> None:
    path = DATA_DIR / spec["file"]
    with path.open("rb") as stream:
        data: dict[str, Any] = {
            "package_id": dataset_id,
            "name": spec["name"],
            "description": spec.get("description", ""),
            "format": spec.get("format", "CSV"),
            "upload": FileStorage(
                stream=stream, filename=path.name,
                content_type=mimetypes.guess_type(path.name)[0] or "text/csv"),
        }
        if spec.get("conforms_to"):
            data["conforms_to"] = spec["conforms_to"]
        # The described last data update stays: uploading the demo files is
        # not new data.
        context = {**_context(user), freshness.KEEP_LAST_DATA_UPDATE: True}
        tk.get_action("resource_create")(context, data)


def _ensure_users(site_user: str, specs: list[Spec],
                  summary: DemoSummary) -> dict[str, dict[str, str]]:
    """Create the demo accounts, their memberships and reviewer roles that are missing.

    :returns: per organization, the name of its demo ``editor`` and ``reviewer``
    """
    roles: dict[str, dict[str, str]] = {}
    for spec in specs:
        name = spec["name"]
        if _show("user_show", site_user, name) is None:
            tk.get_action("user_create")(_context(site_user), {
                "name": name, "fullname": spec.get("fullname", ""),
                "email": spec["email"], "password": spec["password"]})
            summary.record("users", name, created=True)
        else:
            summary.record("users", name, created=False)
        for organization in spec.get("editor_of", []):
            _ensure_editor(site_user, organization, name)
            roles.setdefault(organization, {})["editor"] = name
        for organization in spec.get("reviewer_of", []):
            _ensure_reviewer(site_user, organization, name)
            roles.setdefault(organization, {})["reviewer"] = name
    return roles


def _ensure_editor(site_user: str, organization: str, user: str) -> None:
    user_id = tk.get_action("user_show")(_context(site_user), {"id": user})["id"]
    members = tk.get_action("member_list")(
        _context(site_user), {"id": organization, "object_type": "user"})
    if any(member_id == user_id for member_id, _type, _capacity in members):
        return
    tk.get_action("organization_member_create")(
        _context(site_user), {"id": organization, "username": user, "role": "editor"})


def _ensure_reviewer(site_user: str, organization: str, user: str) -> None:
    user_id = tk.get_action("user_show")(_context(site_user), {"id": user})["id"]
    listed = tk.get_action("governance_reviewer_list")(
        _context(site_user), {"organization_id": organization})
    rows = listed.get("results", []) if isinstance(listed, dict) else listed
    if any(user_id in (row.get("user_id"), row.get("id")) for row in rows):
        return
    tk.get_action("governance_reviewer_create")(
        _context(site_user), {"organization_id": organization, "user": user})


def _latest_review(user: str, dataset: str) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action("governance_review_show")(
            _context(user), {"package_id": dataset})
    except tk.ObjectNotFound:
        return None


def _validate_pending(dataset: dict[str, Any]) -> None:
    """Validate now the resources whose schema validation waits in the jobs queue: the
    reviewer cannot approve while a blocking check is running, and `make run` starts
    its worker after the demo."""
    for resource in dataset.get("resources", []):
        result = schema_validation.outcome(resource)
        if result is not None and result.status == "pending":
            validation_compat.validate_now(resource["id"])


def _ensure_sign_off(site_user: str, spec: Spec, roles: dict[str, dict[str, str]],
                     summary: DemoSummary) -> None:
    """Take a dataset through the sign-off its description asks for, unless done already.

    A public dataset is requested by the demo editor and approved by the demo
    reviewer, which publishes it; ``review: pending`` leaves a request waiting, and
    ``review_override`` approves despite a blocking check, with that comment.
    """
    name = spec["name"]
    pending = spec.get("review") == "pending"
    if spec.get("private") and not pending:
        return
    people = roles.get(spec["organization"], {})
    editor, reviewer = people.get("editor"), people.get("reviewer")
    if not editor or not reviewer:
        raise DemoError(f"No demo editor and reviewer for {spec['organization']}")
    dataset = tk.get_action("package_show")(_context(site_user), {"id": name})
    review = _latest_review(site_user, name)
    if pending:
        if review is not None:
            summary.record("reviews", name, created=False)
            return
        tk.get_action("governance_review_request")(_context(editor), {
            "id": name, "comment": spec.get("review_comment", ""), "publish": False})
        summary.record("reviews", name, created=True)
        return
    if not dataset["private"]:
        summary.record("reviews", name, created=False)
        return
    _validate_pending(dataset)
    if review is not None and review["state"] == "submitted":
        review_id = review["id"]  # a run stopped between request and decision
    else:
        review_id = tk.get_action("governance_review_request")(_context(editor), {
            "id": name, "comment": "Jeu de données de démonstration.", "publish": True})["id"]
    # ``review_override`` approves despite a blocking finding, with its justification.
    override = spec.get("review_override")
    tk.get_action("governance_review_decide")(_context(reviewer), {
        "id": review_id, "decision": "approve", "checklist": DEMO_CHECKLIST,
        "comment": override or "Vérifié pour la démonstration.", "override": bool(override)})
    summary.record("reviews", name, created=True)
