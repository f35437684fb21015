"""Private data never leaks through reuses: links, shows, lists, counts, filters and the API."""
from __future__ import annotations

import random
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit

pytestmark = MARKS


def _show(user: Any, reuse: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("reuse_show", as_user(user), id=reuse["id"])


def _list(user: Any, **filters: Any) -> dict[str, Any]:
    return helpers.call_action("reuse_list", as_user(user), **filters)


def _dataset_names(reuse: dict[str, Any]) -> set[str]:
    return {dataset["name"] for dataset in reuse["datasets"]}


def test_linking_a_private_dataset_one_cannot_see_is_refused():
    """A user outside the organization cannot link its private dataset; the message is
    the one of a dataset that does not exist."""
    portal = make_portal()
    for reference in (portal.private["name"], portal.private["id"]):
        with pytest.raises(tk.ValidationError) as error:
            submit(portal.submitter, [portal.public, reference])
        assert error.value.error_dict["datasets"] == [f"Dataset not found: {reference}"]


def test_linking_a_draft_or_deleted_dataset_is_refused():
    """Drafts and deleted datasets cannot be linked, even by their organization's admin."""
    portal = make_portal()
    draft = factories.Dataset(owner_org=portal.org["id"], state="draft")
    helpers.call_action("package_delete", id=portal.second["id"])
    for dataset in (draft, portal.second):
        with pytest.raises(tk.ValidationError) as error:
            submit(portal.admin, [dataset])
        assert "datasets" in error.value.error_dict


def test_private_link_is_hidden_from_outsiders():
    """A member's reuse linking a private dataset shows it to members only, counts included."""
    portal = make_portal()
    reuse = submit(portal.editor, [portal.public, portal.private])
    helpers.call_action("reuse_moderate", as_user(portal.admin), id=reuse["id"],
                        decision="publish")
    for user in (None, portal.plain, portal.other_admin, portal.submitter):
        shown = _show(user, reuse)
        assert _dataset_names(shown) == {"budget-primitif"}
        assert shown["dataset_count"] == 1
        assert "Subventions" not in str(shown)
    for user in (portal.member, portal.editor, portal.admin, portal.sysadmin):
        assert _show(user, reuse)["dataset_count"] == 2


def test_dataset_turned_private_later_disappears_for_visitors():
    """A dataset made private after the reuse was published leaves every visitor output."""
    portal = make_portal()
    reuse = published(portal, [portal.public, portal.second])
    helpers.call_action("package_patch", id=portal.second["id"], private=True)
    shown = _show(None, reuse)
    assert _dataset_names(shown) == {"budget-primitif"}
    [listed] = _list(None)["results"]
    assert listed["dataset_count"] == 1
    assert "Arbres urbains" not in str(listed)
    assert _show(portal.member, reuse)["dataset_count"] == 2


def test_deleted_dataset_disappears_for_everyone():
    """A deleted dataset is no longer listed in a reuse, not even for sysadmins."""
    portal = make_portal()
    reuse = published(portal, [portal.public, portal.second])
    helpers.call_action("package_delete", id=portal.second["id"])
    for user in (None, portal.admin, portal.sysadmin):
        assert _dataset_names(_show(user, reuse)) == {"budget-primitif"}


def test_filter_by_a_private_dataset_gives_nothing_to_outsiders():
    """Listing the reuses of a private dataset returns none to those who cannot read it."""
    portal = make_portal()
    published(portal, [portal.public, portal.second])
    helpers.call_action("package_patch", id=portal.second["id"], private=True)
    assert _list(None, dataset=portal.second["name"])["count"] == 0
    assert _list(portal.plain, dataset=portal.second["id"])["count"] == 0
    assert _list(portal.member, dataset=portal.second["name"])["count"] == 1


def test_organization_filter_ignores_hidden_links():
    """An organization's reuse list skips reuses that only link its private datasets."""
    portal = make_portal()
    hidden = published(portal, [portal.second, portal.other])
    helpers.call_action("package_patch", id=portal.second["id"], private=True)
    assert _list(None, organization=portal.org["name"])["count"] == 0
    assert [r["name"] for r in _list(portal.member, organization=portal.org["id"])[
        "results"]] == [hidden["name"]]


def test_sort_by_datasets_counts_visible_links_only():
    """Sorting by dataset count ranks by the links the caller can see."""
    portal = make_portal()
    many = published(portal, [portal.public, portal.second], title="Deux jeux")
    few = published(portal, [portal.other], title="Un jeu")
    helpers.call_action("package_patch", id=portal.public["id"], private=True)
    helpers.call_action("package_patch", id=portal.second["id"], private=True)
    visitor = [r["name"] for r in _list(None, sort="datasets", featured_first=False)["results"]]
    member = [r["name"] for r in _list(portal.member, sort="datasets")["results"]]
    assert visitor == [few["name"], many["name"]]
    assert member == [many["name"], few["name"]]


def test_pending_and_rejected_reuses_are_not_found_by_others():
    """Pending and rejected reuses are 'not found' for visitors, other users and editors."""
    portal = make_portal()
    pending = submit(portal.submitter, [portal.public])
    rejected = submit(portal.submitter, [portal.public])
    helpers.call_action("reuse_moderate", as_user(portal.admin), id=rejected["id"],
                        decision="reject", comment="Non")
    for reuse in (pending, rejected):
        for user in (None, portal.plain, portal.editor, portal.other_admin):
            with pytest.raises(tk.ObjectNotFound):
                _show(user, reuse)
        for user in (portal.submitter, portal.admin, portal.sysadmin):
            assert _show(user, reuse)["id"] == reuse["id"]


def test_archived_reuse_is_shown_but_not_listed_by_default():
    """An archived reuse stays reachable by its page but leaves the default list."""
    from ckan import model
    from ckanext.reuse_tracker.model import Reuse
    portal = make_portal()
    reuse = published(portal)
    model.Session.query(Reuse).update({"state": "archived"})
    model.Session.commit()
    assert _show(None, reuse)["state"] == "archived"
    assert _list(None)["count"] == 0
    assert _list(None, state="archived")["count"] == 1


def test_submitter_filter_shows_only_public_reuses_of_others():
    """Filtering by another user's name lists only their published reuses."""
    portal = make_portal()
    shown = published(portal)
    submit(portal.submitter, [portal.public])
    result = _list(portal.plain, submitter=portal.submitter["name"], state="any")
    assert [r["name"] for r in result["results"]] == [shown["name"]]


@pytest.mark.ckan_config("ckanext.reuse_tracker.anonymous_submission", "true")
def test_unknown_submitter_filter_lists_nothing(app: Any):
    """Filtering by a user who does not exist lists nothing, not the visitors' reuses."""
    factories.Dataset(name="budget-primitif")
    # A fresh address: the rate-limit counters live in Redis across runs.
    address = "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))
    with app.flask_app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        reuse = submit(None, ["budget-primitif"])
    helpers.call_action("reuse_moderate", id=reuse["id"], decision="publish")
    assert _list(None)["count"] == 1
    assert _list(None, submitter="personne")["count"] == 0


def test_api_show_hides_private_titles_from_visitors(app: Any):
    """Over HTTP, a visitor's reuse_show carries no trace of a linked private dataset."""
    portal = make_portal()
    reuse = submit(portal.editor, [portal.public, portal.private])
    helpers.call_action("reuse_moderate", as_user(portal.admin), id=reuse["id"],
                        decision="publish")
    body = app.get("/api/3/action/reuse_show", query_string={"id": reuse["name"]},
                   status=200).body
    assert "budget-primitif" in body
    assert "subventions-brouillon" not in body
    assert portal.private["id"] not in body
