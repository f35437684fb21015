"""ckanext-xloader's hooks (IXloader), in the order the DataStore's guards apply."""
from __future__ import annotations

from typing import Any

from ckanext.opendata_governance.datastore import (
    dictionary, gate, load_faults, search_indexes)

__all__ = ["can_upload", "after_upload"]


def can_upload(resource_id: str) -> bool:
    """The gate's policy first (personal data, outbound addresses), then the file's own
    faults; each records its refusal as the resource's load status."""
    return gate.can_upload(resource_id) and load_faults.can_upload(resource_id)


def after_upload(context: Any, resource: dict[str, Any], dataset: dict[str, Any]) -> None:
    """After a load: the gate's scan (which may withdraw the table), then the schema's
    dictionary and the search indexes, each queued as a job."""
    gate.after_upload(context, resource, dataset)
    dictionary.after_upload(resource, dataset)
    search_indexes.after_upload(context, resource, dataset)
