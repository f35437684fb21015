"""The "open by default" obligation: population from the territory, agents from the settings."""
from __future__ import annotations

from typing import Optional

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.suggest_setup import MARKS, as_user, make_portal, suggestions

pytestmark = MARKS


def _obligation(level: str, population: Optional[int], agents: Optional[int]) -> dict:
    """The obligation of an organization standing for a new territory of this size."""
    portal = make_portal(territory=None, load=False)
    context = as_user(portal.sysadmin)
    helpers.call_action("territory_create", dict(context), level="departement",
                        code="35", name="Ille-et-Vilaine")
    helpers.call_action("territory_create", dict(context), level=level, code="99999",
                        name="Val-de-Test", parent_ids=["departement:35"],
                        population=population)
    helpers.call_action("territory_organization_set", dict(context),
                        organization_id=portal.org["id"], territory_id=f"{level}:99999")
    if agents is not None:
        helpers.call_action("governance_settings_update", as_user(portal.admin),
                            organization_id=portal.org["id"], agent_count=agents)
    return suggestions(portal)["obligation"]


def test_a_commune_of_3600_inhabitants_and_60_agents_is_under_the_rule():
    """3,600 inhabitants and 60 agents: applies, and the text cites CRPA L312-1-1."""
    obligation = _obligation("commune", 3600, 60)
    assert obligation["applies"] is True
    assert (obligation["population"], obligation["agent_count"]) == (3600, 60)
    assert "L312-1-1" in obligation["text"]


def test_a_commune_of_3400_inhabitants_is_not_even_with_60_agents():
    """3,400 inhabitants: the obligation neither applies nor shows."""
    obligation = _obligation("commune", 3400, 60)
    assert obligation["applies"] is False
    assert "L312-1-1" not in obligation["text"]


def test_a_commune_of_49_agents_is_not_under_the_rule():
    """Below 50 agents the rule does not apply, whatever the population."""
    obligation = _obligation("commune", 20000, 49)
    assert obligation["applies"] is False and obligation["text"] == ""


def test_an_epci_at_both_thresholds_is_under_the_rule():
    """An EPCI of exactly 3,500 inhabitants and 50 agents is under it."""
    assert _obligation("epci", 3500, 50)["applies"] is True


def test_an_unknown_agent_count_asks_for_it_without_claiming_the_rule():
    """A large commune without an agent count: not applied, asked to set the count."""
    obligation = _obligation("commune", 20000, None)
    assert obligation["applies"] is False
    assert "agents" in obligation["text"] and "L312-1-1" not in obligation["text"]


@pytest.mark.parametrize("value", ["-3", "beaucoup", 2.5, True, 10 ** 7])
def test_a_bad_agent_count_is_a_validation_error_naming_it(value):
    """A negative, non-numeric, fractional or absurd agent count is refused."""
    portal = make_portal(territory=None, load=False)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_settings_update", as_user(portal.admin),
                            organization_id=portal.org["id"], agent_count=value)
    assert "agent_count" in error.value.error_dict


def test_setting_the_agent_count_keeps_the_gate_as_it_was():
    """Only the agent count changes; the gate stays on."""
    portal = make_portal(territory=None, load=False)
    helpers.call_action("governance_settings_update", as_user(portal.sysadmin),
                        organization_id=portal.org["id"], gate_enabled=True)
    settings = helpers.call_action("governance_settings_update", as_user(portal.admin),
                                   organization_id=portal.org["id"], agent_count="120")
    assert (settings["agent_count"], settings["gate_enabled"]) == (120, True)
