"""The dataset fields of the governance schema and the owner service search facet."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS


def test_dataset_takes_an_active_service_of_its_organization():
    """A dataset stores the slug of a service of its own organization."""
    portal = make_portal()
    created = dataset(portal)
    assert helpers.call_action("package_show", id=created["id"])["owner_service"] == (
        "direction-des-finances")


def test_owner_service_is_optional_at_creation():
    """A dataset without owner service is accepted (review requires it later)."""
    portal = make_portal()
    created = dataset(portal, service=None)
    assert not created.get("owner_service")


def test_service_of_another_organization_is_refused_on_a_dataset():
    """A service of another organization is a ValidationError on owner_service."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_create", name="budget",
                            owner_org=portal.other_org["id"],
                            owner_service="direction-des-finances")
    message = error.value.error_dict["owner_service"][0]
    # The organization by its title, not the service's slug: the form shows this message.
    assert portal.other_org["display_name"] in message
    assert "direction-des-finances" not in message


def test_service_without_organization_asks_for_the_organization_first():
    """A dataset given a service but no organization is told to choose the organization."""
    make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_create", name="budget",
                            owner_service="direction-des-finances")
    assert "organization first" in error.value.error_dict["owner_service"][0]


def test_unknown_service_is_refused_on_a_dataset():
    """A service name that does not exist is a ValidationError on owner_service."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        dataset(portal, service="direction-fantome")
    assert "owner_service" in error.value.error_dict


def test_deactivated_service_is_refused_for_a_new_dataset():
    """A new dataset cannot be given a deactivated service."""
    portal = make_portal()
    helpers.call_action("governance_service_update", id=portal.service["id"], active=False)
    with pytest.raises(tk.ValidationError) as error:
        dataset(portal)
    assert "owner_service" in error.value.error_dict


def test_dataset_keeps_a_service_deactivated_after_it_was_given():
    """Editing a dataset whose service was deactivated since is still allowed."""
    portal = make_portal()
    created = dataset(portal)
    helpers.call_action("governance_service_update", id=portal.service["id"], active=False)
    patched = helpers.call_action("package_patch", id=created["id"], title="Nouveau titre")
    assert patched["owner_service"] == "direction-des-finances"


def test_unknown_frequency_code_is_refused():
    """An update_frequency outside the EU codes is a ValidationError on the field."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        dataset(portal, update_frequency="FORTNIGHTLY")
    assert "update_frequency" in error.value.error_dict


def test_governance_vocabulary_is_stored_top_level():
    """Frequency, last update, steward and personal-data flag round-trip as fields."""
    portal = make_portal()
    created = dataset(portal, update_frequency="MONTHLY", last_data_update="2025-06-30",
                      data_steward="finances@example.org", contains_personal_data="false")
    shown = helpers.call_action("package_show", id=created["id"])
    assert (shown["update_frequency"], shown["last_data_update"], shown["data_steward"],
            shown["contains_personal_data"]) == (
                "MONTHLY", "2025-06-30", "finances@example.org", "false")


def test_frequency_choices_are_the_eu_codes_with_french_labels():
    """The frequency helper offers every code of the EU list, each with a French label."""
    from ckanext.opendata_governance import frequencies

    with helpers.changed_config("ckan.locale_default", "fr"):
        choices = tk.h.governance_frequency_choices({})
    assert [c["value"] for c in choices] == [f.code for f in frequencies.all_frequencies()]
    assert {c["value"]: c["label"] for c in choices}["QUARTERLY"] == "Trimestriel"


def test_package_search_facets_on_owner_service_with_titles():
    """A package_search facet on owner_service counts datasets and shows service titles."""
    portal = make_portal()
    dataset(portal)
    dataset(portal)
    result = helpers.call_action("package_search", rows=0,
                                 **{"facet.field": ["owner_service"]})
    assert result["facets"]["owner_service"] == {"direction-des-finances": 2}
    item = result["search_facets"]["owner_service"]["items"][0]
    assert item["display_name"] == "Direction des finances"


def test_dataset_search_page_shows_the_owner_service_facet(app):
    """The dataset search page offers the "Owner service" facet with the service's title."""
    portal = make_portal()
    dataset(portal)
    body = app.get("/dataset/").body
    assert "Owner service" in body
    assert "Direction des finances" in body


def test_organization_page_shows_the_owner_service_facet(app):
    """An organization's page offers the "Owner service" facet."""
    portal = make_portal()
    dataset(portal)
    body = app.get("/organization/{}".format(portal.org["name"])).body
    assert "Owner service" in body


def test_service_facet_is_translated_in_french(app):
    """In French the facet is called "Service producteur"."""
    portal = make_portal()
    dataset(portal)
    assert "Service producteur" in app.get("/fr/dataset/").body


def test_dataset_page_shows_the_service_title(app):
    """The dataset page shows its owner service by title, not by slug."""
    portal = make_portal()
    created = dataset(portal)
    body = app.get("/dataset/{}".format(created["name"])).body
    assert "Direction des finances" in body
