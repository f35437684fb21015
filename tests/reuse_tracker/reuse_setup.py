"""Shared set-up of the reuse tests: plugins, a populated portal, reuses and images."""
from __future__ import annotations

import dataclasses
import io
import itertools
from typing import Any, Optional

import pytest

from ckan.tests import factories, helpers
from tests.shared import PASSWORD, as_user

PLUGINS = "postgres_search reuse_tracker"
#: With the governance plugin: owner services are told of new published reuses.
PLUGINS_WITH_GOVERNANCE = "postgres_search scheming_datasets opendata_governance reuse_tracker"
SCHEMA = "ckanext.opendata_governance:schemas/dataset.yaml"

#: Marks every reuse test: the reuse plugin alone, a clean database.
MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

#: Marks the tests that need the governance plugin too (owner services, the publication gate off).
GOVERNANCE_MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS_WITH_GOVERNANCE),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

_urls = itertools.count(1)


@dataclasses.dataclass
class Portal:
    """Two organizations, public and private datasets, and a user of every kind.

    ``submitter`` is a plain user who submits reuses; ``admin`` and ``editor``
    belong to ``org`` (which owns ``public``, ``private`` and ``second``);
    ``other_admin`` is the admin of ``other_org`` (which owns ``other``).
    """

    sysadmin: dict[str, Any]
    admin: dict[str, Any]
    editor: dict[str, Any]
    member: dict[str, Any]
    submitter: dict[str, Any]
    plain: dict[str, Any]
    other_admin: dict[str, Any]
    org: dict[str, Any]
    other_org: dict[str, Any]
    public: dict[str, Any]
    second: dict[str, Any]
    private: dict[str, Any]
    other: dict[str, Any]


def make_portal() -> Portal:
    users = {key: factories.User(password=PASSWORD, email=f"{key}@example.org")
             for key in ("admin", "editor", "member", "submitter", "plain", "other_admin")}
    sysadmin = factories.Sysadmin(password=PASSWORD, email="sysadmin@example.org")
    org = factories.Organization(name="ville-de-lyon", title="Ville de Lyon", users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"},
        {"name": users["member"]["name"], "capacity": "member"},
    ])
    other_org = factories.Organization(name="metropole", title="Métropole", users=[
        {"name": users["other_admin"]["name"], "capacity": "admin"},
    ])
    public = factories.Dataset(name="budget-primitif", title="Budget primitif",
                               owner_org=org["id"])
    second = factories.Dataset(name="arbres-urbains", title="Arbres urbains",
                               owner_org=org["id"])
    private = factories.Dataset(name="subventions-brouillon", title="Subventions (brouillon)",
                                owner_org=org["id"], private=True)
    other = factories.Dataset(name="velos-en-libre-service", title="Vélos en libre-service",
                              owner_org=other_org["id"])
    return Portal(sysadmin=sysadmin, org=org, other_org=other_org, public=public,
                  second=second, private=private, other=other, **users)




def unique_url() -> str:
    """A reuse URL no other reuse of the test uses."""
    return f"https://reuses.example.org/app-{next(_urls)}"


def submit(user: Optional[dict[str, Any]], datasets: Any, **kwargs: Any) -> dict[str, Any]:
    """Submit a reuse of the datasets (dicts, ids or names, or a comma-separated string)
    as the user, through reuse_create."""
    data: dict[str, Any] = {
        "title": "Carte des budgets",
        "url": unique_url(),
        "description": "Une **carte** interactive.",
        "type": "application",
        "topic": "economy_and_business",
        "datasets": datasets if isinstance(datasets, str) else [
            item["id"] if isinstance(item, dict) else item for item in datasets],
        **kwargs,
    }
    return helpers.call_action("reuse_create", as_user(user), **data)


def published(portal: Portal, datasets: Optional[list[Any]] = None,
              **kwargs: Any) -> dict[str, Any]:
    """A reuse submitted by the portal's submitter and published by a sysadmin."""
    reuse = submit(portal.submitter, datasets or [portal.public], **kwargs)
    return helpers.call_action("reuse_moderate", as_user(portal.sysadmin),
                               id=reuse["id"], decision="publish")


def image_bytes(width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    """A real image of the size and format (PNG, JPEG, WEBP, GIF), made with Pillow."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(data: bytes, filename: str = "image.png",
           content_type: str = "image/png") -> Any:
    """A multipart file field, as CKAN hands an ``image_upload`` to actions."""
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)
