"""`ckan reuse-tracker demo load`: reuses, feedback and data requests in every state,
idempotent, on either demo portal."""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from ckan import model
from ckan.tests import factories, helpers

from ckanext.reuse_tracker import demo, demo_participation
from ckanext.reuse_tracker.cli import reuse_tracker
from ckanext.reuse_tracker.model import (
    DataRequest, DataRequestComment, DataRequestFollower, DataRequestVote, Feedback,
    FeedbackNote, FeedbackRating, Reuse, ReuseDataset)
from tests.opendata_governance.dashboard_setup import gate_off
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import GOVERNANCE_MARKS, MARKS


def marks(items: list[Any]) -> Callable[[Any], Any]:
    """Apply a list of marks to one test (a module-wide ckan_config would override them)."""
    def apply(function: Any) -> Any:
        for mark in reversed(items):
            function = mark(function)
        return function
    return apply


def _states() -> Counter:
    model.Session.remove()
    return Counter(row.state for row in model.Session.query(Reuse))


def _linked_names() -> set[str]:
    rows = (model.Session.query(model.Package.name)
            .join(ReuseDataset, ReuseDataset.package_id == model.Package.id))
    return {row.name for row in rows}


@marks(MARKS)
def test_loading_twice_creates_each_reuse_once(cli):
    """The first run creates reuses in every state; the second creates nothing more."""
    first = cli.invoke(reuse_tracker, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Reuses: 7 created, 0 kept" in first.output
    second = cli.invoke(reuse_tracker, ["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "Reuses: 0 created, 7 kept" in second.output
    assert "Users: 0 created, 4 kept" in second.output
    assert _states() == {"published": 4, "pending": 1, "rejected": 1, "archived": 1}


@marks(MARKS)
def test_without_the_governance_demo_reuses_link_datasets_of_their_own():
    """Without the governance demo, the reuses link the demo's own public datasets."""
    demo.load_demo()
    assert _linked_names() == {item["name"] for item in demo.FALLBACK_DATASETS}
    dataset = helpers.call_action("package_show", as_user(None),
                                  id="exemple-arbres-remarquables")
    assert dataset["private"] is False


@marks(MARKS)
def test_the_gallery_shows_the_published_reuses_featured_first():
    """Anonymous visitors get the four published reuses, the featured one first."""
    demo.load_demo()
    listed = helpers.call_action("reuse_list", as_user(None))
    assert listed["count"] == 4
    assert listed["results"][0]["name"] == "carte-des-arbres-de-rennes"
    assert listed["results"][0]["featured"] is True


@marks(MARKS)
def test_one_published_reuse_shows_a_broken_link_to_moderators():
    """The demo's article has a broken link, seen by a sysadmin in its link record."""
    demo.load_demo()
    sysadmin = factories.Sysadmin()
    shown = helpers.call_action("reuse_show", as_user(sysadmin),
                                id="qualite-air-rennes-article")
    assert shown["state"] == "published"
    assert shown["link"]["broken_since"] and shown["link"]["status"] == "HTTP 404"


@marks(MARKS)
def test_publications_are_spread_over_past_months():
    """The published reuses are dated over several months, for the charts to show."""
    demo.load_demo()
    result = helpers.call_action("reuse_stats", as_user(None), group_by="month")
    assert sum(1 for group in result["groups"] if group["count"]) >= 4
    assert result["total"] == 4


@marks(GOVERNANCE_MARKS)
def test_with_the_governance_demo_reuses_link_its_datasets():
    """When the governance demo's datasets exist, the reuses, feedback and data requests
    use them, not our own."""
    organization = factories.Organization(name="rennes-metropole")
    gate_off(organization["id"])
    rennes = factories.Organization(name="rennes")
    gate_off(rennes["id"])
    names = {name for spec in demo.REUSES for name in spec["datasets"]}
    feedback_names = {spec["dataset"] for spec in demo_participation.FEEDBACK}
    for name in names | feedback_names:
        factories.Dataset(name=name, owner_org=organization["id"])
    summary = demo.load_demo()
    assert len(summary.created["reuses"]) == 7
    assert summary.created["datasets"] == [] and summary.created["organizations"] == []
    assert _linked_names() == names
    assert len(summary.created["feedback"]) == len(demo_participation.FEEDBACK)
    assert {row.package_id for row in model.Session.query(Feedback)} == {
        model.Package.get(name).id for name in feedback_names}
    published = model.Session.query(DataRequest).filter_by(state="published").one()
    assert published.package_id == model.Package.get("rennes-arbres-alignement").id
    # Organizations the portal lacks (cesson-sevigne here) leave the request untargeted.
    targets = {row.title: row.organization_id for row in model.Session.query(DataRequest)}
    assert targets["Emplacements des défibrillateurs"] == organization["id"]
    assert targets["Horaires d'ouverture des équipements sportifs"] == rennes["id"]
    assert targets["Menus des cantines scolaires"] is None


@marks(GOVERNANCE_MARKS)
def test_with_governance_but_without_its_demo_the_load_stops(cli):
    """With the governance plugin but not its demo, the command asks to load it first."""
    result = cli.invoke(reuse_tracker, ["demo", "load"])
    assert result.exit_code == 1
    assert "ckan opendata-demo load" in result.output
    assert _states() == {}


def _rows() -> dict[str, int]:
    model.Session.remove()
    tables = (Feedback, FeedbackNote, FeedbackRating, DataRequest, DataRequestVote,
              DataRequestComment, DataRequestFollower)
    return {table.__name__: model.Session.query(table).count() for table in tables}


@marks(MARKS)
def test_loading_twice_creates_feedback_and_data_requests_once(cli):
    """The first run posts feedback and data requests; the second adds no row anywhere."""
    first = cli.invoke(reuse_tracker, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Feedback: 8 created, 0 kept" in first.output
    assert "Data requests: 6 created, 0 kept" in first.output
    rows = _rows()
    assert rows["Feedback"] == 8 and rows["DataRequest"] == 6
    second = cli.invoke(reuse_tracker, ["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "Feedback: 0 created, 8 kept" in second.output
    assert "Data requests: 0 created, 6 kept" in second.output
    assert _rows() == rows


@marks(MARKS)
def test_demo_feedback_covers_every_kind_and_several_states():
    """Every kind, the states new to resolved, public answers, a note, an overdue item."""
    demo.load_demo()
    items = model.Session.query(Feedback).all()
    assert {item.kind for item in items} == {"question", "problem", "update_request",
                                             "thanks"}
    assert {"new", "acknowledged", "in_progress", "resolved"} <= {
        item.state for item in items}
    assert sum(1 for item in items if item.state == "resolved" and item.answer) >= 2
    assert model.Session.query(FeedbackNote).filter(FeedbackNote.body != "").count() >= 1
    sysadmin = factories.Sysadmin()
    overdue = helpers.call_action("feedback_list", as_user(sysadmin), overdue=True)
    assert overdue["count"] == 1
    assert "déchèteries" in overdue["results"][0]["body"]
    stats = helpers.call_action("feedback_stats", as_user(sysadmin))
    (org,) = stats["organizations"]
    assert org["median_response_days"] is not None and org["overdue"] == 1


@marks(MARKS)
def test_demo_ratings_come_from_two_users():
    """A dataset is rated by two demo users."""
    demo.load_demo()
    listing = helpers.call_action("feedback_list", as_user(None),
                                  package_id="exemple-arbres-remarquables")
    assert listing["rating_count"] == 2
    assert listing["rating_average"] == 4.5


@marks(MARKS)
def test_demo_data_requests_are_in_every_state():
    """Open (voted, commented), under review, planned, published (linked) and declined."""
    demo.load_demo()
    listed = helpers.call_action("datarequest_list", as_user(None), limit=100)["results"]
    by_state = Counter(row["state"] for row in listed)
    assert by_state == {"open": 2, "under_review": 1, "planned": 1, "published": 1,
                        "declined": 1}
    # The default order: the most voted first.
    top = listed[0]
    assert (top["title"], top["vote_count"], top["comment_count"]) == (
        "Horaires d'ouverture des équipements sportifs", 4, 2)
    assert top["organization_name"] == demo.FALLBACK_ORGANIZATION["name"]
    (published,) = [row for row in listed if row["state"] == "published"]
    assert published["package_name"] == "exemple-arbres-remarquables"
    (declined,) = [row for row in listed if row["state"] == "declined"]
    assert "données sont personnelles" in declined["reason"]
    shown = helpers.call_action("datarequest_show", as_user(None),
                                id=[row for row in listed if row["state"] == "planned"][0]["id"])
    assert [c["state_change"] for c in shown["comments"]] == ["open>planned"]
    assert shown["created"] < shown["comments"][0]["created"]
