"""Sign-off decisions in the dataset's activity stream, when the activity plugin is on."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.opendata_governance.clean_peer import ALLOWLIST
from tests.opendata_governance.review_setup import (
    SCHEMA, approve, as_user, make_review_portal, reject, request_review,
    reviewable_dataset)

pytestmark = [
    pytest.mark.ckan_config(
        "ckan.plugins", "postgres_search scheming_datasets activity opendata_governance"),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", ALLOWLIST),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _decided(dataset_id: str, user: dict) -> list[dict]:
    activities = helpers.call_action("package_activity_list", as_user(user), id=dataset_id)
    return [a for a in activities if a["activity_type"] == "reviewed package"]


def test_decision_is_an_activity_of_the_reviewer():
    """An approval adds one activity to the dataset's stream, by the reviewer."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    approve(request_review(portal.editor, dataset), portal.reviewer)
    [activity] = _decided(dataset["id"], portal.sysadmin)
    assert activity["user_id"] == portal.reviewer["id"]
    assert activity["data"]["review"]["decision"] == "approved"
    assert activity["data"]["package"]["name"] == dataset["name"]


def test_activity_leaves_out_the_comments():
    """The activity says the outcome, not the reviewer's internal comments."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    reject(request_review(portal.editor, dataset), portal.reviewer,
           comment="Nom de l'agent visible en colonne 3")
    [activity] = _decided(dataset["id"], portal.sysadmin)
    assert "Nom de l'agent" not in str(activity["data"])


def test_activity_of_private_dataset_is_hidden_from_outsiders():
    """A rejection of a private dataset carries its permission labels: outsiders do not see it."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    reject(request_review(portal.editor, dataset), portal.reviewer)

    def seen_by(user: dict) -> list[str]:
        return [a["activity_type"] for a in helpers.call_action(
            "user_activity_list", as_user(user), id=portal.reviewer["id"])]

    assert "reviewed package" in seen_by(portal.sysadmin)
    assert "reviewed package" in seen_by(portal.editor)
    assert "reviewed package" not in seen_by(portal.plain)


def test_activity_page_renders_the_decision(app):
    """The dataset's activity page renders the decision with its own snippet."""
    portal = make_review_portal()
    dataset = reviewable_dataset(portal)
    approve(request_review(portal.editor, dataset), portal.reviewer)
    page = app.get(f"/dataset/activity/{dataset['name']}")
    assert "approved the sign-off of" in page.body
    assert "reviewed-package" in page.body
