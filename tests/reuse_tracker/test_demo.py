"""`ckan reuse-tracker demo load`: reuses in every state, idempotent, on either demo portal."""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from ckan import model
from ckan.tests import factories, helpers

from ckanext.reuse_tracker import demo
from ckanext.reuse_tracker.cli import reuse_tracker
from ckanext.reuse_tracker.model import Reuse, ReuseDataset
from tests.opendata_governance.dashboard_setup import gate_off
from tests.reuse_tracker.reuse_setup import GOVERNANCE_MARKS, MARKS, as_user


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
    assert "Users: 0 created, 2 kept" in second.output
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
    """When the governance demo's datasets exist, the reuses link them, not our own."""
    organization = factories.Organization(name="rennes-metropole")
    gate_off(organization["id"])
    names = {name for spec in demo.REUSES for name in spec["datasets"]}
    for name in names:
        factories.Dataset(name=name, owner_org=organization["id"])
    summary = demo.load_demo()
    assert len(summary.created["reuses"]) == 7
    assert summary.created["datasets"] == [] and summary.created["organizations"] == []
    assert _linked_names() == names


@marks(GOVERNANCE_MARKS)
def test_with_governance_but_without_its_demo_the_load_stops(cli):
    """With the governance plugin but not its demo, the command asks to load it first."""
    result = cli.invoke(reuse_tracker, ["demo", "load"])
    assert result.exit_code == 1
    assert "ckan opendata-demo load" in result.output
    assert _states() == {}
