"""What the governance demo tests share: the demo's description and ways to read the portal."""
from __future__ import annotations

from typing import Any

from ckan.tests import helpers

from ckanext.opendata_governance import demo

DEMO_PLUGINS = "postgres_search opendata_governance"
DESCRIPTION = demo.read_description()
DATASETS = DESCRIPTION["datasets"]
PUBLIC = [d for d in DATASETS if not d.get("private")]
PRIVATE = [d for d in DATASETS if d.get("private")]


def all_datasets() -> list[dict[str, Any]]:
    """Every dataset, private ones included."""
    return helpers.call_action(
        "package_search", include_private=True, rows=1000)["results"]


def site_context() -> dict[str, Any]:
    """The context of the site user, a sysadmin: the review queue lists what its user sees."""
    return {"user": helpers.call_action("get_site_user")["name"]}


def extras_of(obj: dict[str, Any]) -> dict[str, str]:
    """A dataset's or organization's extras as a dict."""
    return {extra["key"]: extra["value"] for extra in obj.get("extras", [])}
