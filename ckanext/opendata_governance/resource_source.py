"""Opens a resource's bytes for the checks: the uploaded file, else its URL fetched safely."""
from __future__ import annotations

import contextlib
import os
import urllib.parse
from typing import IO, Any, Iterator

import ckan.plugins.toolkit as tk
from ckan.lib import uploader

from ckanext.opendata_governance import safe_fetch

__all__ = ["SourceError", "is_upload", "upload_path", "file_name", "open_resource"]


class SourceError(Exception):
    """The resource's data cannot be opened; the message says why."""


def is_upload(resource: dict[str, Any]) -> bool:
    """Whether the resource's data is a file uploaded to this portal."""
    return resource.get("url_type") == "upload"


def upload_path(resource: dict[str, Any]) -> str:
    """Where the uploaded file of a resource is stored (it may not exist)."""
    return uploader.get_resource_uploader(resource).get_path(resource["id"])


def file_name(resource: dict[str, Any]) -> str:
    """The file name of a resource, from its URL (used to guess the format)."""
    path = urllib.parse.urlsplit(resource.get("url") or "").path
    return os.path.basename(path)


@contextlib.contextmanager
def open_resource(resource: dict[str, Any], *, max_bytes: int,
                  timeout: float) -> Iterator[IO[bytes]]:
    """A binary stream of the resource's data, at most ``max_bytes`` + 1 bytes of it.

    The extra byte lets a reader bounded by ``max_bytes`` tell a file cut at the cap
    from one that ends there.

    :raises SourceError: no file, no URL, or the URL was refused or failed
    """
    if is_upload(resource):
        path = upload_path(resource)
        if not os.path.isfile(path):
            raise SourceError(tk._("The uploaded file of this resource is missing"))
        with open(path, "rb") as stream:
            yield stream
        return
    url = resource.get("url")
    if not url:
        raise SourceError(tk._("The resource has no file and no URL"))
    try:
        fetched = safe_fetch.fetch(url, max_bytes=max_bytes + 1, timeout=timeout,
                                   truncate=True)
    except safe_fetch.FetchError as error:
        raise SourceError(str(error)) from error
    with fetched:
        if fetched.status_code >= 400:
            raise SourceError(tk._("The URL answered with HTTP status {status}").format(
                status=fetched.status_code))
        yield fetched  # type: ignore[misc]  # RawIOBase is a binary stream
