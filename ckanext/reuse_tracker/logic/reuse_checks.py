"""The reuse actions' checks against the database: unique URL, readable datasets, the
submitter's organization, the uploaded image; each error collected, all raised at once."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.reuse_tracker import images
from ckanext.reuse_tracker.model import Reuse
from ckanext.reuse_tracker.reuse_visibility import can_read_dataset, may_see

__all__ = ["collect", "store_image", "unique_url", "packages", "organization_id"]


def collect(errors: dict[str, Any], check: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``check`` returns; a ValidationError it raises goes into ``errors`` instead."""
    try:
        return check(*args, **kwargs)
    except tk.ValidationError as error:
        for key, messages in error.error_dict.items():
            errors.setdefault(key, []).extend(
                messages if isinstance(messages, list) else [messages])
        return None


def store_image(errors: dict[str, Any], data: dict[str, Any]) -> Optional[tuple[str, str]]:
    """The uploaded image stored, or None; raises every collected error at once (and
    then removes the image just stored: nothing is kept of a refused form)."""
    upload = (collect(errors, images.store_upload, data["image_upload"])
              if data.get("image_upload") is not None and "image_upload" not in errors
              else None)
    if errors:
        if upload:
            images.delete(*upload)
        raise tk.ValidationError(errors)
    return upload


def unique_url(context: Context, url: str, own_id: Optional[str] = None) -> None:
    existing = model.Session.query(Reuse).filter(Reuse.url == url).one_or_none()
    if existing is None or existing.id == own_id:
        return
    if may_see(context, existing):
        raise tk.ValidationError({
            "url": [tk._("This address was already submitted: see the reuse "
                         "/reuses/{name}").format(name=existing.name)],
            "url_existing": [existing.name]})
    raise tk.ValidationError({"url": [tk._(
        "This address was already submitted; the reuse is awaiting moderation")]})


def packages(context: Context, references: list[str]) -> list[model.Package]:
    """The datasets named, each one the caller can see; else a ValidationError on datasets."""
    maximum = tk.config["ckanext.reuse_tracker.max_datasets"]
    if len(references) > maximum:
        raise tk.ValidationError({"datasets": [tk._(
            "A reuse links at most {n} datasets").format(n=maximum)]})
    packages: list[model.Package] = []
    missing: list[str] = []
    for reference in references:
        package = model.Package.get(reference)
        # A private dataset is "not found" too: its existence is not the submitter's to learn.
        if package is None or not can_read_dataset(context, package):
            missing.append(reference)
        elif package not in packages:
            packages.append(package)
    if missing:
        raise tk.ValidationError({"datasets": [tk._("Dataset not found: {names}").format(
            names=", ".join(missing))]})
    return packages


def organization_id(context: Context, user: Optional[model.User], reference: Optional[str],
                     current: Optional[str] = None) -> Optional[str]:
    if not reference:
        return None
    group = model.Group.get(reference)
    if group is not None and group.id == current:
        return current
    if (group is None or not group.is_organization or group.state != "active" or user is None
            or not (user.sysadmin or _is_member(user, group.id))):
        raise tk.ValidationError({"organization_id": [tk._(
            "Choose an organization you belong to")]})
    return group.id


def _is_member(user: model.User, group_id: str) -> bool:
    return model.Session.query(model.Member).filter(
        model.Member.group_id == group_id, model.Member.table_name == "user",
        model.Member.table_id == user.id, model.Member.state == "active").first() is not None
