"""Shared set-up of the sign-off tests: a portal with a reviewer, reviewable datasets, and
the request and approval steps through the actions."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

from ckan.tests import factories, helpers

from tests.opendata_governance.clean_peer import clean_url
from tests.shared import PASSWORD, as_user
from tests.opendata_governance.services_setup import MARKS, SCHEMA, Portal, make_portal

#: A checklist with every item ``ok``.
ALL_OK: dict[str, str] = {
    "licence": "ok", "personal_data": "ok", "schema": "not_applicable",
    "open_format": "ok", "metadata": "ok"}


@dataclasses.dataclass
class ReviewPortal(Portal):
    """The services portal plus a named reviewer of its organization (not a member)."""

    reviewer: dict[str, Any] = dataclasses.field(default_factory=dict)


def make_review_portal() -> ReviewPortal:
    portal = make_portal()
    reviewer = factories.User(password=PASSWORD, fullname="Déléguée à la protection")
    helpers.call_action("governance_reviewer_create", as_user(portal.sysadmin),
                        organization_id=portal.org["id"], user=reviewer["name"])
    return ReviewPortal(**dataclasses.asdict(portal), reviewer=reviewer)


def reviewable_dataset(portal: Portal, **kwargs: Any) -> dict[str, Any]:
    """A private dataset of the portal's organization that passes every blocking check."""
    data: dict[str, Any] = {
        "owner_org": portal.org["id"],
        "owner_service": "direction-des-finances",
        "private": True,
        "title": "Budget primitif 2025",
        "notes": "Budget primitif voté par le conseil municipal.",
        "license_id": "odc-odbl",
        "tags": [{"name": "budget"}],
        "update_frequency": "ANNUAL",
        "contains_personal_data": "false",
        # A known small size: its file checks run at once (no worker in the tests);
        # a file they can read, or the personal-data scan would not run and block.
        "resources": [{"url": clean_url("budget.csv"), "format": "CSV", "size": 1000}],
        **kwargs,
    }
    return factories.Dataset(**data)


def request_review(user: Optional[dict[str, Any]], dataset: dict[str, Any],
                   **kwargs: Any) -> dict[str, Any]:
    """Ask for the sign-off of a dataset as this user (auth checked)."""
    return helpers.call_action("governance_review_request", as_user(user),
                               id=dataset["id"], **kwargs)


def approve(review: dict[str, Any], reviewer: dict[str, Any],
            **kwargs: Any) -> dict[str, Any]:
    """Approve a review as this reviewer with every checklist item ok (auth checked)."""
    data: dict[str, Any] = {"checklist": ALL_OK, **kwargs}
    return helpers.call_action("governance_review_decide", as_user(reviewer),
                               id=review["id"], decision="approve", **data)


def reject(review: dict[str, Any], reviewer: dict[str, Any],
           comment: str = "Les données ne sont pas anonymisées.") -> dict[str, Any]:
    """Reject a review as this reviewer (auth checked)."""
    return helpers.call_action(
        "governance_review_decide", as_user(reviewer), id=review["id"],
        decision="reject", comment=comment,
        checklist={**ALL_OK, "personal_data": "not_ok"})
