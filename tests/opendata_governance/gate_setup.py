"""Shared set-up of the publication gate tests: sign-offs written as the review workflow would."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance import checks, fingerprint
from ckanext.opendata_governance.model import OrganizationSetting, Review


def approve(package_id: str, override: bool = False, decided_by: Optional[str] = None,
            owner_org: Optional[str] = None) -> Review:
    """An approved sign-off covering the dataset as it is now (or as it will be in
    ``owner_org``), committed."""
    package = model.Package.get(package_id)
    assert package is not None
    snap = fingerprint.snapshot(package)
    if owner_org:
        snap["fields"]["owner_org"] = owner_org
    digest = fingerprint.fingerprint_of(snap)
    dataset = helpers.call_action("package_show", id=package.id)
    review = Review(package_id=package.id, organization_id=package.owner_org,
                    state="approved", fingerprint=digest, snapshot=snap,
                    checks=checks.run_all(dataset), override=override,
                    decided_by=decided_by,
                    decided=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                    checklist={key: "ok" for key in ("licence", "personal_data", "schema",
                                                     "open_format", "metadata")})
    model.Session.add(review)
    model.Session.commit()
    return review


def request(package_id: str) -> Review:
    """A submitted (pending) review of the dataset as it is now, committed."""
    package = model.Package.get(package_id)
    assert package is not None
    digest, snap = fingerprint.current(package)
    review = Review(package_id=package.id, organization_id=package.owner_org,
                    state="submitted", fingerprint=digest, snapshot=snap, checks=[])
    model.Session.add(review)
    model.Session.commit()
    return review


def switch_gate(organization_id: str, enabled: bool) -> None:
    """Turn the publication gate on or off for one organization, committed."""
    setting = model.Session.get(OrganizationSetting, organization_id)
    if setting is None:
        setting = OrganizationSetting(organization_id=organization_id)
        model.Session.add(setting)
    setting.gate_enabled = enabled
    model.Session.commit()


def open_dataset(**kwargs: Any) -> dict[str, Any]:
    """Fields of a dataset that passes every blocking check."""
    return {"license_id": "cc-by-4.0", "contains_personal_data": "false", **kwargs}


def published(**data: Any) -> dict[str, Any]:
    """A public dataset, published as a producer would: created private, signed off, opened."""
    created = factories.Dataset(**{**data, "private": True})
    approve(created["id"])
    return helpers.call_action("package_patch", id=created["id"], private=False)
