"""Shared set-up of the dashboard tests: a portal with datasets, services and reviews."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import OrganizationSetting, Review
from tests.opendata_governance.services_setup import Portal, dataset

#: Fields that make a dataset's metadata complete, apart from its owner service.
COMPLETE = {"notes": "Les données.", "license_id": "cc-by-4.0", "tags": [{"name": "budget"}],
            "update_frequency": "ANNUAL", "data_steward": "donnees@example.org"}


def days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def gate_off(organization_id: str) -> None:
    """Let datasets of the organization be public without a sign-off."""
    model.Session.add(OrganizationSetting(organization_id=organization_id,
                                          gate_enabled=False))
    model.Session.commit()


def add_service(portal: Portal, name: str, title: str) -> dict[str, Any]:
    return helpers.call_action(
        "governance_service_create", {"user": portal.sysadmin["name"]},
        organization_id=portal.org["id"], name=name, title=title)


def add_review(package_id: str, state: str = "submitted", *,
               created: dt.datetime, decided: Optional[dt.datetime] = None,
               decided_by: Optional[str] = None) -> Review:
    """A review row written straight through the model, with explicit dates."""
    review = Review(package_id=package_id, state=state, created=created,
                    decided=decided, decided_by=decided_by, fingerprint="f" * 64)
    model.Session.add(review)
    model.Session.commit()
    return review


def other_dataset(portal: Portal, **kwargs: Any) -> dict[str, Any]:
    """A private dataset of the portal's second organization."""
    return factories.Dataset(owner_org=portal.other_org["id"], private=True, **kwargs)


__all__ = ["COMPLETE", "add_review", "add_service", "dataset", "days_ago", "gate_off",
           "now", "other_dataset"]
