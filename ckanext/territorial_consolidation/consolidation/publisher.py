"""Publishing a consolidated CSV: one resource per schema version, its file swapped in one step."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from typing import IO, Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.site import site_context
from ckanext.territorial_consolidation.consolidation.engine import PROVENANCE_COLUMNS
from ckanext.territorial_consolidation.consolidation.schema import TableSchema

__all__ = ["ensure_dataset", "publish", "RESOURCE_MARK"]

#: Resource field naming the consolidation and schema version a resource holds.
RESOURCE_MARK = "consolidation_schema_version"


def ensure_dataset(consolidation: Any) -> dict[str, Any]:
    """The consolidation's target dataset, created in its organization when missing."""
    if consolidation.package_id:
        try:
            package = tk.get_action("package_show")(
                site_context(), {"id": consolidation.package_id})
            if package.get("state") == "active":
                return package
        except tk.ObjectNotFound:
            pass
    name = consolidation.name
    try:
        existing = tk.get_action("package_show")(site_context(), {"id": name})
        if existing.get("state") == "active" and existing.get("owner_org") == \
                consolidation.organization_id:
            return existing
        name = f"{name}-{consolidation.id[:8]}"
    except tk.ObjectNotFound:
        pass
    data = {
        "name": name, "title": consolidation.title, "owner_org": consolidation.organization_id,
        "private": False,
        "notes": tk._("Consolidation of the files following the schema {url}, "
                      "with the origin of every row.").format(url=consolidation.schema_url),
    }
    try:
        return tk.get_action("package_create")(site_context(), data)
    except tk.ValidationError as error:
        if "private" not in error.error_dict:
            raise
        # A publication gate (opendata_governance) wants a sign-off first: the dataset
        # starts private and the organization asks for a review, as for any dataset.
        model.Session.rollback()
        return tk.get_action("package_create")(site_context(), {**data, "private": True})


def _dictionary(schema: TableSchema) -> str:
    fields = [{"id": field.name, "type": field.type, "label": field.title or field.name,
               "description": field.description or ""} for field in schema.fields]
    fields += [{"id": name, "type": "string", "label": name,
                "description": "provenance"} for name in PROVENANCE_COLUMNS]
    return json.dumps(fields, ensure_ascii=False)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_file(source: str, target: str) -> None:
    """Put ``source`` at ``target`` in one rename; a copy first when they are on two disks."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        handle, staged = tempfile.mkstemp(dir=os.path.dirname(target))
        os.close(handle)
        shutil.copyfile(source, staged)
        os.replace(staged, target)
        os.unlink(source)


def _local_path(resource: dict[str, Any]) -> Optional[str]:
    """Where the uploader keeps a resource's file, when it is a local file."""
    from ckan.lib import uploader

    if resource.get("url_type") != "upload":
        return None
    upload = uploader.get_resource_uploader(resource)
    path = upload.get_path(resource["id"]) if hasattr(upload, "get_path") else None
    return path if isinstance(path, str) else None


def _upload(package_id: str, existing: Optional[dict[str, Any]], filename: str,
            stream: IO[bytes], metadata: dict[str, Any]) -> dict[str, Any]:
    from werkzeug.datastructures import FileStorage

    storage = FileStorage(stream=stream, filename=filename, content_type="text/csv")
    data = {"package_id": package_id, "upload": storage, "url": filename, **metadata}
    if existing:
        return tk.get_action("resource_patch")(site_context(), {"id": existing["id"], **data})
    return tk.get_action("resource_create")(site_context(), data)


def publish(consolidation: Any, schema: TableSchema, output: str) -> dict[str, Any]:
    """Make ``output`` the dataset's resource for this schema version; returns the resource.

    The previous file stays in place until the new one replaces it in one rename. The
    file goes straight into the uploads' storage, so ``ckan.max_resource_size`` (a
    bound on what people upload) does not apply to it: a first publication uploads the
    header line only, then swaps the whole file in like every later run.
    """
    package = ensure_dataset(consolidation)
    version = schema.version or "unversioned"
    mark = f"{consolidation.id}:{version}"
    metadata = {
        "name": tk._("{title} (schema version {version})").format(
            title=schema.title or consolidation.title, version=version),
        "format": "CSV", "mimetype": "text/csv", "conforms_to": schema.url or
        consolidation.schema_url, RESOURCE_MARK: mark, "data_dictionary": _dictionary(schema),
        "hash": "sha256:" + _sha256(output), "size": os.path.getsize(output),
        "last_modified": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(),
    }
    filename = f"{consolidation.name}-{version}.csv"
    existing = next((resource for resource in package.get("resources", [])
                     if resource.get(RESOURCE_MARK) == mark), None)
    path = _local_path(existing) if existing else None
    if path is None:
        with open(output, "rb") as stream:
            header = stream.readline()
        existing = _upload(package["id"], existing, filename, io.BytesIO(header), metadata)
        path = _local_path(existing)
    consolidation.package_id = package["id"]
    if path is None:
        # A storage that is not a local directory: hand it the whole file.
        with open(output, "rb") as stream:
            resource = _upload(package["id"], existing, filename, stream, metadata)
        os.unlink(output)
        return resource
    backup = path + ".previous"
    if os.path.exists(backup):
        os.unlink(backup)
    if os.path.exists(path):
        os.link(path, backup)
    _replace_file(output, path)
    try:
        resource = tk.get_action("resource_patch")(
            site_context(), {"id": existing["id"], **metadata})
    except Exception:
        # The metadata could not follow: put the previous file back.
        if os.path.exists(backup):
            os.replace(backup, path)
        raise
    if os.path.exists(backup):
        os.unlink(backup)
    return resource
