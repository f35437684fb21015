"""The DataStore behind the publication gate: ckanext-xloader's settings, and (in the
modules of this package) what may be loaded, who may query it, and what the resource
page shows of it."""
from __future__ import annotations

from typing import Any, MutableMapping

#: ckanext-xloader's default place for its job table: a file in /tmp, lost on reboot
#: and not shared between the machines of a deployment.
XLOADER_SQLITE_DEFAULT = "sqlite:////tmp/xloader_jobs.db"

__all__ = ["configure_xloader", "N_"]


def N_(message: str) -> str:
    """Mark a string for extraction only: it is translated where it is shown."""
    return message


def configure_xloader(config: MutableMapping[str, Any]) -> None:
    """Keep ckanext-xloader's job records in CKAN's own database unless the portal
    chose another place (the value follows ``CKAN_SQLALCHEMY_URL``)."""
    if config.get("ckanext.xloader.jobs_db.uri") in (None, "", XLOADER_SQLITE_DEFAULT):
        config["ckanext.xloader.jobs_db.uri"] = config["sqlalchemy.url"]
