"""opening_suggestion_list and opening_suggestion_dismiss on a portal of harvested peers."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.opendata_governance.suggest_setup import (
    MARKS, PEERS, PRENOMS_URL, SUBVENTIONS_URL, as_user, harvest, make_portal, reason,
    suggestion, suggestions)

pytestmark = MARKS

FIVE = ["35238", "35051", "35288", "35360", "35115"]


def _five_peers_publish_subventions(portal):
    for code in FIVE:
        harvest(portal, code, f"Subventions aux associations de {PEERS[code]}",
                schema=SUBVENTIONS_URL)


def test_a_schema_five_peer_communes_publish_ranks_in_the_first_three_naming_them():
    """Five communes of the département publish subventions: among Bruz's first three,
    with a reason naming the five and linking their datasets."""
    portal = make_portal()
    _five_peers_publish_subventions(portal)
    harvest(portal, "35281", "Budget primitif", tags=("budget",))
    harvest(portal, "35238", "Délibérations du conseil", tags=("délibérations",))
    result = suggestions(portal)
    keys = [item["key"] for item in result["suggestions"]]
    assert "subventions" in keys[:3]
    peers = reason(suggestion(result, "subventions"), "peers")
    assert "5 communes" in peers["text"] and "Ille-et-Vilaine" in peers["text"]
    for code in FIVE:
        assert PEERS[code] in peers["text"]
    assert sorted(item["territory_id"] for item in peers["evidence"]) == sorted(
        f"commune:{code}" for code in FIVE)
    assert all(item["name"] for item in peers["evidence"])
    scores = [item["score"] for item in result["suggestions"]]
    assert scores == sorted(scores, reverse=True)


def test_tags_stand_for_a_schema_no_resource_declares():
    """A peer's dataset tagged "budget" counts for the budget entry."""
    portal = make_portal()
    harvest(portal, "35281", "Budget primitif 2025", tags=("Budget",))
    peers = reason(suggestion(suggestions(portal), "budget"), "peers")
    assert peers is not None and "Saint-Jacques-de-la-Lande" in peers["text"]


def test_what_the_organization_publishes_is_not_suggested():
    """Bruz's public subventions file (by conforms_to) and budget (by tag) leave the list."""
    portal = make_portal()
    _five_peers_publish_subventions(portal)
    factories.Dataset(owner_org=portal.org["id"], title="Subventions 2025",
                      resources=[{"url": "https://bruz.example.fr/s.csv",
                                  "conforms_to": SUBVENTIONS_URL}])
    factories.Dataset(owner_org=portal.org["id"], title="Budget", tags=[{"name": "budget"}])
    keys = [item["key"] for item in suggestions(portal)["suggestions"]]
    assert "subventions" not in keys and "budget" not in keys
    assert "prenoms" in keys


def test_a_private_dataset_publishes_nothing_and_proves_nothing():
    """A private peer dataset neither counts nor shows; Bruz's private one is not "published"."""
    portal = make_portal()
    secret = harvest(portal, "35238", "Prénoms confidentiels", schema=PRENOMS_URL,
                     private=True)
    factories.Dataset(owner_org=portal.org["id"], private=True, title="Subventions brouillon",
                      resources=[{"url": "https://bruz.example.fr/s.csv",
                                  "conforms_to": SUBVENTIONS_URL}])
    result = suggestions(portal)
    assert reason(suggestion(result, "prenoms"), "peers") is None
    assert secret["name"] not in str(result)
    assert suggestion(result, "subventions") is not None


def test_level_reasons_say_why_the_entry_is_expected():
    """Prénoms is expected of a commune: its reason carries the reference's French "why"."""
    portal = make_portal()
    level = reason(suggestion(suggestions(portal), "prenoms"), "level")
    assert level["points"] == 40 and "état civil" in level["text"]


def test_a_dismissed_suggestion_stays_dismissed_and_admins_see_why():
    """Dismissed, subventions leaves the list for good, even when more peers publish it;
    the admins see the reason, the editors do not get the list of dismissals."""
    portal = make_portal()
    _five_peers_publish_subventions(portal)
    helpers.call_action("opening_suggestion_dismiss", as_user(portal.editor),
                        organization_id=portal.org["id"], key="subventions",
                        reason="Nous ne versons aucune subvention.")
    harvest(portal, "35281", "Subventions", schema=SUBVENTIONS_URL)
    assert suggestion(suggestions(portal), "subventions") is None
    assert "dismissed" not in suggestions(portal, portal.editor)
    dismissed = suggestions(portal, portal.admin)["dismissed"]
    assert [(row["key"], row["reason"], row["dismissed_by"]) for row in dismissed] == [
        ("subventions", "Nous ne versons aucune subvention.", portal.editor["name"])]


def test_dismissing_twice_keeps_one_dismissal_with_the_new_reason():
    """A second dismissal replaces the reason instead of adding a row."""
    portal = make_portal()
    for text in ("Première raison", "Seconde raison"):
        helpers.call_action("opening_suggestion_dismiss", as_user(portal.admin),
                            organization_id=portal.org["id"], key="prenoms", reason=text)
    dismissed = suggestions(portal, portal.admin)["dismissed"]
    assert [row["reason"] for row in dismissed] == ["Seconde raison"]


def test_an_organization_without_territory_gets_a_prompt_instead_of_level_suggestions():
    """No territory: no level or peer reasons, and a message asking to set it."""
    portal = make_portal(territory=None, load=False)
    result = suggestions(portal)
    assert result["territory"] is None and "territory" in result["message"]
    assert all(reason(item, "level") is None for item in result["suggestions"])


def test_open_requests_and_their_votes_raise_the_entry_they_name():
    """A request to Bruz naming prénoms, voted twice, adds a "requested" reason worth
    15 + 2 per vote; a request to another organization adds nothing."""
    portal = make_portal()
    request = helpers.call_action(
        "datarequest_create", as_user(portal.plain), organization_id=portal.org["id"],
        title="Prénoms des nouveau-nés", description="Les prénoms donnés chaque année.")
    for _ in range(2):
        helpers.call_action("datarequest_vote", as_user(factories.User()), id=request["id"])
    votes = helpers.call_action("datarequest_show", id=request["id"])["vote_count"]
    helpers.call_action("datarequest_create", as_user(portal.plain),
                        organization_id=factories.Organization()["id"],
                        title="Menus de la cantine", description="Les menus.")
    result = suggestions(portal)
    asked = reason(suggestion(result, "prenoms"), "requested")
    assert asked["points"] == 15 + 2 * votes
    assert asked["evidence"][0]["id"] == request["id"]
    assert reason(suggestion(result, "menus-collectifs"), "requested") is None


def test_published_reuses_of_peer_datasets_add_a_reused_reason():
    """A published reuse of Rennes's subventions adds "reused" to subventions."""
    portal = make_portal()
    dataset = harvest(portal, "35238", "Subventions", schema=SUBVENTIONS_URL)
    reuse = helpers.call_action(
        "reuse_create", as_user(portal.plain), title="Carte des subventions",
        url="https://reuses.example.org/carte-subventions", description="Une carte.",
        type="application", topic="economy_and_business", datasets=[dataset["id"]])
    helpers.call_action("reuse_moderate", as_user(portal.sysadmin), id=reuse["id"],
                        decision="publish")
    reused = reason(suggestion(suggestions(portal), "subventions"), "reused")
    assert reused["points"] == 10 and reused["evidence"][0]["id"] == reuse["id"]


@pytest.mark.parametrize("field,data", [
    ("organization_id", {"organization_id": "no-such-organization"}),
    ("key", {"key": "no-such-entry", "reason": "x"}),
    ("reason", {"key": "prenoms", "reason": "   "}),
    ("reason", {"key": "prenoms", "reason": "x" * 1001}),
])
def test_bad_input_is_a_validation_error_naming_the_field(field, data):
    """An unknown organization or key, an empty or too long reason: ValidationError."""
    portal = make_portal(load=False, territory=None)
    action = "opening_suggestion_list" if field == "organization_id" else \
        "opening_suggestion_dismiss"
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action(action, as_user(portal.sysadmin),
                            **{"organization_id": portal.org["id"], **data})
    assert field in error.value.error_dict


def test_local_datasets_of_peer_organizations_count_by_their_organizations_territory():
    """Rennes's own organization publishes subventions on this portal, without territory
    fields: the peers reason names Rennes through its organization's territory."""
    portal = make_portal()
    rennes = factories.Organization(name="ville-de-rennes")
    helpers.call_action("territory_organization_set", as_user(portal.sysadmin),
                        organization_id=rennes["id"], territory_id="commune:35238")
    helpers.call_action("governance_settings_update", as_user(portal.sysadmin),
                        organization_id=rennes["id"], gate_enabled=False)
    dataset = factories.Dataset(owner_org=rennes["id"], title="Subventions 2025",
                                resources=[{"url": "https://rennes.example.fr/s.csv",
                                            "conforms_to": SUBVENTIONS_URL}])
    peers = reason(suggestion(suggestions(portal), "subventions"), "peers")
    assert "1 commune" in peers["text"] and "Rennes" in peers["text"]
    assert peers["evidence"] == [{"type": "dataset", "name": dataset["name"],
                                  "territory_id": "commune:35238", "territory_name": "Rennes"}]
