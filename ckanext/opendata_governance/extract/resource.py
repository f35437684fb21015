"""The file of a CKAN resource as a local path, and the format to read it as."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Any, Iterator

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import resource_source
from ckanext.opendata_governance.extract import FORMATS

__all__ = ["format_of", "local_file", "SourceError"]

SourceError = resource_source.SourceError
# Seconds allowed to fetch a resource given by URL.
FETCH_TIMEOUT = 60


def format_of(resource: dict[str, Any]) -> str:
    """The resource's declared format when it is one we read, else its file's extension."""
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    if fmt in FORMATS:
        return fmt
    return os.path.splitext(resource_source.file_name(resource))[1].lower().lstrip(".") or fmt


@contextlib.contextmanager
def local_file(resource: dict[str, Any], max_bytes: int) -> Iterator[str]:
    """The path of the resource's file: the upload itself, or a temporary copy of its URL
    fetched through the suite's safe fetcher.

    :raises SourceError: no file, or the URL was refused or failed
    """
    if resource_source.is_upload(resource):
        path = resource_source.upload_path(resource)
        if not os.path.isfile(path):
            raise SourceError(tk._("The uploaded file of this resource is missing"))
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix="." + format_of(resource)) as copy:
        with resource_source.open_resource(resource, max_bytes=max_bytes,
                                           timeout=FETCH_TIMEOUT) as stream:
            shutil.copyfileobj(stream, copy)
        copy.flush()
        yield copy.name
