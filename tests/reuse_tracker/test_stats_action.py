"""reuse_stats (groupings, most reused, privacy) and reuse_link_check, with their auth."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from ckanext.reuse_tracker.model import Reuse
from tests.opendata_governance import services_setup
from tests.opendata_governance.dashboard_setup import gate_off
from tests.reuse_tracker.link_setup import link_server  # noqa: F401  (fixture)
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import (GOVERNANCE_MARKS, MARKS, Portal, make_portal,
                                             published, submit)


def marks(items: list[Any]) -> Callable[[Any], Any]:
    """Apply a list of marks to one test (a module-wide ckan_config would override them)."""
    def apply(function: Any) -> Any:
        for mark in reversed(items):
            function = mark(function)
        return function
    return apply


@dataclasses.dataclass
class Reuses:
    """Four published reuses and a pending one over the portal's datasets."""

    both: dict[str, Any]       # public + private (application)
    public_pair: dict[str, Any]  # public + second (visualization)
    private_only: dict[str, Any]  # private (api)
    other: dict[str, Any]      # other organization's dataset (application)
    pending: dict[str, Any]


def publish_as(portal: Portal, user: dict[str, Any], datasets: list[Any],
               **kwargs: Any) -> dict[str, Any]:
    """A reuse submitted by the user (who may link what they can read), then published."""
    reuse = submit(user, datasets, **kwargs)
    return helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=reuse["id"],
                               decision="publish")


def make_reuses(portal: Portal) -> Reuses:
    # The organization's member links its private dataset; the submitter could not.
    return Reuses(
        both=publish_as(portal, portal.member, [portal.public, portal.private],
                        type="application"),
        public_pair=published(portal, [portal.public, portal.second], type="visualization"),
        private_only=publish_as(portal, portal.member, [portal.private], type="api"),
        other=published(portal, [portal.other], type="application"),
        pending=submit(portal.submitter, [portal.public], type="paper"),
    )


def stats(user: Any, **data: Any) -> dict[str, Any]:
    return helpers.call_action("reuse_stats", as_user(user), **data)


def counts(result: dict[str, Any], key: str = "key") -> dict[Any, int]:
    return {group[key]: group["count"] for group in result["groups"] if group["count"]}


def set_published(reuse: dict[str, Any], when: dt.datetime) -> None:
    stored = Reuse.get(reuse["id"])
    stored.published = when
    model.Session.commit()


@marks(MARKS)
def test_types_count_every_published_reuse_and_list_every_type():
    """By type, the published reuses count, the pending one does not, all types listed."""
    portal = make_portal()
    make_reuses(portal)
    result = stats(None, group_by="type")
    assert result["total"] == 4
    assert counts(result) == {"application": 2, "visualization": 1, "api": 1}
    assert len(result["groups"]) == 8
    assert {g["key"]: g["label"] for g in result["groups"]}["news_article"] == "News article"


@marks(MARKS)
def test_datasets_of_anonymous_callers_leave_out_private_ones():
    """By dataset, an anonymous caller sees public datasets only, the private one unnamed."""
    portal = make_portal()
    make_reuses(portal)
    result = stats(None, group_by="dataset")
    assert counts(result, "name") == {"budget-primitif": 2, "arbres-urbains": 1,
                                      "velos-en-libre-service": 1}
    assert "Subventions" not in str(result)


@marks(MARKS)
def test_members_of_the_organization_see_their_private_dataset():
    """A member of the owning organization gets the private dataset's figures too."""
    portal = make_portal()
    make_reuses(portal)
    for user in (portal.member, portal.sysadmin):
        result = stats(user, group_by="dataset")
        assert counts(result, "name")["subventions-brouillon"] == 2


@marks(MARKS)
def test_a_member_of_another_organization_does_not_see_the_private_dataset():
    """The admin of another organization gets the public figures only."""
    portal = make_portal()
    make_reuses(portal)
    result = stats(portal.other_admin, group_by="dataset")
    assert "subventions-brouillon" not in counts(result, "name")


@marks(MARKS)
def test_an_organization_filter_counts_reuses_of_its_visible_datasets():
    """Filtered on an organization, a reuse of its private dataset only counts for members."""
    portal = make_portal()
    make_reuses(portal)
    assert stats(None, organization="ville-de-lyon")["total"] == 2
    assert stats(portal.member, organization="ville-de-lyon")["total"] == 3
    result = stats(portal.member, organization="ville-de-lyon", group_by="dataset")
    assert counts(result, "name") == {"budget-primitif": 2, "subventions-brouillon": 2,
                                      "arbres-urbains": 1}


@marks(MARKS)
def test_organizations_count_each_reuse_once_per_organization():
    """By organization, a reuse of two datasets of one organization counts once for it."""
    portal = make_portal()
    make_reuses(portal)
    result = stats(None, group_by="organization")
    assert counts(result, "name") == {"ville-de-lyon": 2, "metropole": 1}
    assert {g["name"]: g["label"] for g in result["groups"]}["metropole"] == "Métropole"


@marks(MARKS)
def test_most_reused_lists_the_top_datasets_first():
    """most_reused gives the N most reused datasets the caller may see, most first."""
    portal = make_portal()
    make_reuses(portal)
    most = stats(None, most_reused=2)["most_reused"]
    assert [item["name"] for item in most][0] == "budget-primitif"
    assert len(most) == 2 and most[0]["count"] == 2
    assert stats(None, most_reused=0)["most_reused"] == []


@marks(MARKS)
def test_a_dataset_filter_counts_the_reuses_of_that_dataset():
    """Filtered on a dataset, the total is the number of its published reuses."""
    portal = make_portal()
    make_reuses(portal)
    result = stats(None, dataset="budget-primitif", group_by="type")
    assert result["total"] == 2
    assert counts(result) == {"application": 1, "visualization": 1}


@marks(MARKS)
def test_figures_of_a_private_dataset_are_refused_to_outsiders():
    """Asking about a private dataset without the right to see it is not authorized."""
    portal = make_portal()
    make_reuses(portal)
    with pytest.raises(tk.NotAuthorized):
        stats(portal.plain, dataset=portal.private["name"])
    assert stats(portal.member, dataset=portal.private["name"])["total"] == 2


@marks(MARKS)
def test_a_dataset_that_turns_private_disappears_from_public_figures():
    """A public dataset made private later drops out of the figures of anonymous callers."""
    portal = make_portal()
    make_reuses(portal)
    helpers.call_action("package_patch", id=portal.second["id"], private=True)
    assert "arbres-urbains" not in counts(stats(None, group_by="dataset"), "name")


@marks(MARKS)
def test_months_are_continuous_and_count_by_publication_month():
    """By month, months without reuses are listed with zero, up to the current month."""
    portal = make_portal()
    reuses = make_reuses(portal)
    today = dt.date.today().replace(day=15)
    three_months_ago = dt.datetime(today.year - (today.month <= 3),
                                   (today.month - 4) % 12 + 1, 10)
    set_published(reuses.other, three_months_ago)
    result = stats(None, group_by="month")
    keys = [group["key"] for group in result["groups"]]
    assert len(keys) == 4
    assert keys[0] == three_months_ago.strftime("%Y-%m")
    assert keys[-1] == today.strftime("%Y-%m")
    assert [group["count"] for group in result["groups"]] == [1, 0, 0, 3]


@marks(MARKS)
def test_months_can_be_limited_to_the_last_ones():
    """months=N gives exactly the last N months, the current one last."""
    portal = make_portal()
    make_reuses(portal)
    result = stats(None, group_by="month", months=12)
    assert len(result["groups"]) == 12
    assert result["groups"][-1]["count"] == 4
    assert sum(group["count"] for group in result["groups"]) == 4


@marks(MARKS)
@pytest.mark.parametrize("data, field", [
    ({"group_by": "colour"}, "group_by"),
    ({"most_reused": 1000}, "most_reused"),
    ({"months": -1}, "months"),
    ({"group_by": "service"}, "group_by"),
])
def test_bad_parameters_are_validation_errors_naming_the_field(data, field):
    """Unknown groupings, too large or negative numbers, service without governance."""
    with pytest.raises(tk.ValidationError) as error:
        stats(None, **data)
    assert field in error.value.error_dict


@marks(MARKS)
def test_an_unknown_organization_is_not_found():
    """An organization that does not exist is not found."""
    with pytest.raises(tk.ObjectNotFound):
        stats(None, organization="nowhere")


@marks(GOVERNANCE_MARKS)
def test_services_group_by_the_owner_service_of_each_dataset():
    """With governance, reuses group by the owner service of the datasets they use."""
    portal = services_setup.make_portal()
    gate_off(portal.org["id"])
    with_service = services_setup.dataset(portal, private=False, title="Budget")
    without = services_setup.dataset(portal, service=None, private=False, title="Arbres")
    first = submit(portal.plain, [with_service])
    second = submit(portal.plain, [with_service, without])
    for reuse in (first, second):
        helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=reuse["id"],
                            decision="publish")
    result = stats(None, group_by="service")
    groups = {(g["organization"], g["key"]): (g["label"], g["count"])
              for g in result["groups"]}
    assert groups == {
        (portal.org["name"], "direction-des-finances"): ("Direction des finances", 2),
        (portal.org["name"], None): ("No owner service", 1),
    }


# Auth matrix --------------------------------------------------------------------------

ROLES = ("anonymous", "user", "submitter", "editor", "admin", "sysadmin")


def _user(portal: Portal, role: str) -> Any:
    return {"anonymous": None, "user": portal.plain, "submitter": portal.submitter,
            "editor": portal.editor, "admin": portal.admin,
            "sysadmin": portal.sysadmin}[role]


def _allowed(action: str, user: Any, **data: Any) -> bool:
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(action, context, **data)
    except tk.NotAuthorized:
        return False
    return True


@marks(MARKS)
def test_auth_matrix_of_reuse_stats():
    """Everyone reads public figures; a private dataset's figures only its readers."""
    portal = make_portal()
    public = {role: _allowed("reuse_stats", _user(portal, role), group_by="dataset")
              for role in ROLES}
    private = {role: _allowed("reuse_stats", _user(portal, role),
                              dataset=portal.private["id"]) for role in ROLES}
    assert public == dict.fromkeys(ROLES, True)
    assert private == {"anonymous": False, "user": False, "submitter": False,
                       "editor": True, "admin": True, "sysadmin": True}


@marks(MARKS)
def test_auth_matrix_of_reuse_link_check():
    """Only the reuse's moderators (the owning organization's admins, sysadmins) check it."""
    portal = make_portal()
    reuse = published(portal, [portal.public])
    allowed = {role: _allowed("reuse_link_check", _user(portal, role), id=reuse["id"])
               for role in ROLES}
    assert allowed == {"anonymous": False, "user": False, "submitter": False,
                       "editor": False, "admin": True, "sysadmin": True}


@marks(MARKS + [pytest.mark.ckan_config("ckanext.reuse_tracker.link_check_allowlist",
                                        "127.0.0.1")])
def test_a_moderator_checks_a_link_now(link_server):
    """reuse_link_check by an organization admin checks the link during the call."""
    portal = make_portal()
    reuse = published(portal, [portal.public], url=link_server.url("/missing"))
    result = helpers.call_action("reuse_link_check", as_user(portal.admin), id=reuse["id"])
    assert (result["outcome"], result["status"]) == ("failed", "HTTP 404")
    shown = helpers.call_action("reuse_show", as_user(portal.admin), id=reuse["id"])
    assert shown["link"]["failures"] == 1


@marks(MARKS)
def test_checking_the_link_of_a_pending_reuse_is_a_validation_error():
    """Only published reuses' links are checked; a pending one names the id field."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("reuse_link_check", as_user(portal.sysadmin), id=reuse["id"])
    assert "id" in error.value.error_dict
