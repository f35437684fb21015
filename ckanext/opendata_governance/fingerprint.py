"""What a sign-off covers: a stable hash of a dataset's reviewed metadata and resources."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Optional

from ckan import model

from ckanext.opendata_governance.model import Review

__all__ = ["COVERED_FIELDS", "COVERED_EXTRAS", "RESOURCE_FIELDS", "snapshot",
           "fingerprint_of", "current", "matching_approval", "changes"]

#: Core dataset columns a reviewer signs off.
COVERED_FIELDS = ("title", "notes", "license_id", "owner_org")
#: Scheming fields (stored as extras) a reviewer signs off.
COVERED_EXTRAS = ("owner_service", "contains_personal_data")
#: Resource columns that say which data is published; a change means new data.
RESOURCE_FIELDS = ("id", "url", "url_type", "format", "size", "hash", "last_modified")


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def snapshot(package: model.Package) -> dict[str, Any]:
    """The covered fields of a dataset, as stored (active resources in order)."""
    extras = package.extras or {}
    return {
        "fields": {field: _plain(getattr(package, field, None)) for field in COVERED_FIELDS},
        "extras": {field: extras.get(field) or None for field in COVERED_EXTRAS},
        "resources": [{field: _plain(getattr(resource, field, None))
                       for field in RESOURCE_FIELDS}
                      for resource in package.resources],
    }


def fingerprint_of(snap: dict[str, Any]) -> str:
    """The sha256 of a snapshot's canonical JSON."""
    text = json.dumps(snap, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current(package: model.Package) -> tuple[str, dict[str, Any]]:
    """The dataset's fingerprint and snapshot now."""
    snap = snapshot(package)
    return fingerprint_of(snap), snap


def matching_approval(package: model.Package) -> Optional[Review]:
    """The latest approved review, if it covers the dataset as it is now."""
    review = Review.latest_for(package.id, state="approved")
    if review is not None and review.fingerprint == current(package)[0]:
        return review
    return None


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Readable keys of what differs between two snapshots ("title", "resource:<id>")."""
    changed = [field for field in COVERED_FIELDS
               if before.get("fields", {}).get(field) != after.get("fields", {}).get(field)]
    changed += [field for field in COVERED_EXTRAS
                if before.get("extras", {}).get(field) != after.get("extras", {}).get(field)]
    old = {r.get("id"): r for r in before.get("resources", [])}
    new = {r.get("id"): r for r in after.get("resources", [])}
    changed += [f"resource:{rid}" for rid in sorted(set(old) | set(new))
                if old.get(rid) != new.get(rid)]
    return changed
