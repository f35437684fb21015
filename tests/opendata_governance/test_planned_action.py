"""planned_dataset_create|update|delete|show|list: plans, their validation, late plans."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance.model import PlannedDataset
from tests.opendata_governance.suggest_setup import (
    MARKS, SUBVENTIONS_URL, as_user, make_portal)

pytestmark = MARKS

NEXT_MONTH = (dt.date.today() + dt.timedelta(days=30)).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def _service(portal, org=None):
    return helpers.call_action(
        "governance_service_create", as_user(portal.sysadmin),
        organization_id=(org or portal.org)["id"], name="direction-des-finances",
        title="Direction des finances")


def _plan(portal, **data):
    fields = {"organization_id": portal.org["id"], "title": "Subventions 2026",
              "target_date": NEXT_MONTH, **data}
    return helpers.call_action("planned_dataset_create", as_user(portal.editor), **fields)


def test_a_plan_keeps_what_the_producer_said():
    """Title, date, service, schema, frequency and notes come back as given, state planned."""
    portal = make_portal(territory=None, load=False)
    _service(portal)
    planned = _plan(portal, owner_service="direction-des-finances",
                    conforms_to=SUBVENTIONS_URL, update_frequency="ANNUAL",
                    notes="Après le vote du budget", suggestion_key="subventions")
    shown = helpers.call_action("planned_dataset_show", as_user(portal.member),
                                id=planned["id"])
    assert (shown["title"], shown["target_date"], shown["owner_service"],
            shown["conforms_to"], shown["update_frequency"], shown["state"],
            shown["late"]) == ("Subventions 2026", NEXT_MONTH, "direction-des-finances",
                               SUBVENTIONS_URL, "ANNUAL", "planned", False)


@pytest.mark.parametrize("field,value", [
    ("target_date", YESTERDAY),
    ("target_date", "le mois prochain"),
    ("conforms_to", "https://example.org/mon-schema.json"),
    ("owner_service", "direction-des-finances"),
    ("update_frequency", "SOMETIMES"),
    ("state", "forgotten"),
    ("title", ""),
    ("title", "x" * 201),
    ("suggestion_key", "no-such-entry"),
])
def test_bad_fields_are_validation_errors_naming_them(field, value):
    """A past or garbled date, an unknown schema, a service of another organization, an
    unknown frequency or state, an empty or long title: ValidationError on that field."""
    portal = make_portal(territory=None, load=False)
    _service(portal, org=portal.harvest_org)  # exists, but in another organization
    with pytest.raises(tk.ValidationError) as error:
        _plan(portal, **{field: value})
    assert field in error.value.error_dict
    assert model.Session.query(PlannedDataset).count() == 0


def test_a_dataset_of_another_organization_cannot_be_the_plans_dataset():
    """package_id must name a dataset of the plan's organization."""
    portal = make_portal(territory=None, load=False)
    elsewhere = factories.Dataset(owner_org=portal.harvest_org["id"])
    with pytest.raises(tk.ValidationError) as error:
        _plan(portal, package_id=elsewhere["id"])
    assert "package_id" in error.value.error_dict


def test_updating_keeps_the_other_fields_and_a_past_date_may_stay():
    """A plan whose date has passed can still change state; a new past date is refused."""
    portal = make_portal(territory=None, load=False)
    planned = _plan(portal)
    row = model.Session.get(PlannedDataset, planned["id"])
    row.target_date = dt.date.today() - dt.timedelta(days=10)
    model.Session.commit()
    updated = helpers.call_action("planned_dataset_update", as_user(portal.editor),
                                  id=planned["id"], state="in_progress")
    assert (updated["state"], updated["title"], updated["late"]) == (
        "in_progress", "Subventions 2026", True)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("planned_dataset_update", as_user(portal.editor),
                            id=planned["id"], target_date=YESTERDAY)
    assert "target_date" in error.value.error_dict


def test_the_list_pages_counts_late_plans_and_filters_by_state():
    """Three plans, one late, one dropped: counts, filter and paging."""
    portal = make_portal(territory=None, load=False)
    first = _plan(portal, title="A")
    _plan(portal, title="B")
    dropped = _plan(portal, title="C")
    helpers.call_action("planned_dataset_update", as_user(portal.editor),
                        id=dropped["id"], state="dropped")
    row = model.Session.get(PlannedDataset, first["id"])
    row.target_date = dt.date.today() - dt.timedelta(days=3)
    model.Session.commit()
    listed = helpers.call_action("planned_dataset_list", as_user(portal.member),
                                 organization_id=portal.org["id"], limit=2)
    assert (listed["count"], listed["late"], len(listed["results"])) == (3, 1, 2)
    assert listed["results"][0]["title"] == "A"
    only = helpers.call_action("planned_dataset_list", as_user(portal.member),
                               organization_id=portal.org["id"], state="dropped")
    assert [item["title"] for item in only["results"]] == ["C"]


def test_deleting_a_plan_removes_it():
    """After planned_dataset_delete, the plan is not found (a sysadmin, allowed to ask
    about any plan, learns so; others are refused)."""
    portal = make_portal(territory=None, load=False)
    planned = _plan(portal)
    helpers.call_action("planned_dataset_delete", as_user(portal.admin), id=planned["id"])
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("planned_dataset_show", as_user(portal.sysadmin),
                            id=planned["id"])


def test_publishing_the_plans_dataset_closes_the_plan():
    """A plan started as a private dataset is published when the dataset becomes public."""
    portal = make_portal(territory=None, load=False)
    dataset = factories.Dataset(owner_org=portal.org["id"], private=True)
    planned = _plan(portal, package_id=dataset["name"], state="in_progress")
    assert planned["package_id"] == dataset["id"]
    helpers.call_action("package_patch", as_user(portal.sysadmin), id=dataset["id"],
                        private=False)
    shown = helpers.call_action("planned_dataset_show", as_user(portal.editor),
                                id=planned["id"])
    assert shown["state"] == "published"


def test_a_planned_suggestion_shows_its_plan():
    """A plan answering the prénoms suggestion is attached to it in the list."""
    portal = make_portal()
    planned = _plan(portal, title="Prénoms", suggestion_key="prenoms")
    listed = helpers.call_action("opening_suggestion_list", as_user(portal.editor),
                                 organization_id=portal.org["id"])
    prenoms = next(item for item in listed["suggestions"] if item["key"] == "prenoms")
    assert prenoms["planned"]["id"] == planned["id"]
