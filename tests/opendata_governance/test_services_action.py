"""The owner service actions: creation, changes, deletion rules, reassignment and events."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS


def _create(portal, **kwargs):
    data = {"organization_id": portal.org["id"], "name": "direction-de-la-mobilite",
            "title": "Direction de la mobilité", **kwargs}
    return helpers.call_action("governance_service_create", as_user(portal.admin), **data)


def _events(portal, **kwargs):
    return helpers.call_action("governance_event_list",
                               organization_id=portal.org["id"], **kwargs)["results"]


def test_create_returns_the_service_with_its_fields():
    """An org admin creates a service whose fields come back as given, active by default."""
    portal = make_portal()
    service = _create(portal, email="mobilite@example.org",
                      referent_id=portal.editor["name"])
    assert service["name"] == "direction-de-la-mobilite"
    assert service["organization_id"] == portal.org["id"]
    assert service["email"] == "mobilite@example.org"
    assert service["referent_id"] == portal.editor["id"]
    assert service["active"] is True


def test_create_accepts_the_organization_name():
    """The organization may be given by its name instead of its id."""
    portal = make_portal()
    service = _create(portal, organization_id=portal.org["name"])
    assert service["organization_id"] == portal.org["id"]


def test_create_records_an_event():
    """Creating a service appends a service_created event naming the actor."""
    portal = make_portal()
    service = _create(portal)
    event = _events(portal, event_type="service_created")[0]
    assert event["object_id"] == service["id"]
    assert event["actor_id"] == portal.admin["id"]
    assert event["details"]["service"]["name"] == "direction-de-la-mobilite"


def test_duplicate_name_in_the_organization_is_refused():
    """A second service with the same name in one organization is a ValidationError on name."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _create(portal, name="direction-des-finances")
    assert "name" in error.value.error_dict


def test_same_name_in_another_organization_is_accepted():
    """Service names are unique within an organization only."""
    portal = make_portal()
    service = helpers.call_action(
        "governance_service_create", organization_id=portal.other_org["id"],
        name="direction-des-finances", title="Direction des finances")
    assert service["organization_id"] == portal.other_org["id"]


def test_referent_who_is_not_a_member_is_refused():
    """A referent outside the organization is a ValidationError on referent_id."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _create(portal, referent_id=portal.other_editor["name"])
    assert "referent_id" in error.value.error_dict


def test_backup_referent_who_is_not_a_member_is_refused():
    """A backup referent outside the organization is a ValidationError on backup_referent_id."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _create(portal, backup_referent_id=portal.plain["name"])
    assert "backup_referent_id" in error.value.error_dict


def test_missing_title_and_bad_email_are_named():
    """Missing title and malformed mailbox are reported on their fields."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _create(portal, title="", email="not-an-address")
    assert {"title", "email"} <= set(error.value.error_dict)


def test_unknown_organization_is_refused():
    """A service of an organization that does not exist is refused."""
    with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
        helpers.call_action("governance_service_create", organization_id="nowhere",
                            name="x", title="X")


def test_update_changes_only_the_given_fields_and_records_them():
    """Updating the title keeps the other fields and records the change."""
    portal = make_portal()
    updated = helpers.call_action(
        "governance_service_update", as_user(portal.admin),
        id=portal.service["id"], title="Direction des finances et du budget")
    assert updated["title"] == "Direction des finances et du budget"
    assert updated["email"] == "finances@example.org"
    event = _events(portal, event_type="service_updated")[0]
    assert event["details"]["changes"]["title"] == [
        "Direction des finances", "Direction des finances et du budget"]


def test_update_deactivates_a_service():
    """An admin can deactivate a service; it stays listed but leaves the active list."""
    portal = make_portal()
    helpers.call_action("governance_service_update", id=portal.service["id"], active=False)
    listed = helpers.call_action("governance_service_list",
                                 organization_id=portal.org["id"])
    active = helpers.call_action("governance_service_list",
                                 organization_id=portal.org["id"], active_only=True)
    assert listed["count"] == 1 and listed["results"][0]["active"] is False
    assert active["count"] == 0


def test_rename_is_refused_while_datasets_refer_to_the_service():
    """A service named by datasets cannot be renamed: the error is on name."""
    portal = make_portal()
    dataset(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_service_update", id=portal.service["id"],
                            name="finances")
    assert "reassign" in error.value.error_dict["name"][0]


def test_delete_is_refused_while_datasets_exist():
    """Deleting a service with datasets says how many and points to reassignment."""
    portal = make_portal()
    dataset(portal)
    dataset(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_service_delete", as_user(portal.admin),
                            id=portal.service["id"])
    message = error.value.error_dict["id"][0]
    assert "2 datasets" in message and "reassign" in message


def test_delete_counts_private_and_draft_datasets():
    """A private dataset and a draft both keep their service from being deleted."""
    portal = make_portal()
    dataset(portal, private=True)
    dataset(portal, state="draft")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_service_delete", as_user(portal.admin),
                            id=portal.service["id"])
    assert "2 datasets" in error.value.error_dict["id"][0]


def test_delete_removes_a_service_without_datasets_and_records_it():
    """A service no dataset names is deleted, and a service_deleted event remains."""
    portal = make_portal()
    helpers.call_action("governance_service_delete", as_user(portal.admin),
                        id=portal.service["id"])
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("governance_service_show", id=portal.service["id"])
    assert _events(portal, event_type="service_deleted")[0]["object_id"] == (
        portal.service["id"])


def test_show_counts_the_datasets_of_the_service():
    """governance_service_show reports how many datasets belong to the service."""
    portal = make_portal()
    dataset(portal)
    shown = helpers.call_action("governance_service_show", as_user(portal.editor),
                                id=portal.service["id"])
    assert shown["dataset_count"] == 1


def test_show_accepts_a_name_with_its_organization():
    """A service can be shown by its name and its organization's name."""
    portal = make_portal()
    shown = helpers.call_action("governance_service_show", id="direction-des-finances",
                                organization_id=portal.org["name"])
    assert shown["id"] == portal.service["id"]


def test_contacts_are_the_mailbox_and_referents_each_address_once():
    """A service's contacts: its mailbox, its referent and backup referent, in that
    order; a referent with the mailbox's address is not given twice."""
    portal = make_portal()
    service = _create(portal, email="mobilite@example.org", referent_id=portal.editor["name"],
                      backup_referent_id=portal.member["name"])
    helpers.call_action("user_patch", id=portal.member["id"], email="MOBILITE@example.org")

    contacts = helpers.call_action("governance_service_contacts", as_user(portal.admin),
                                   id=service["name"], organization_id=portal.org["id"])

    assert [(c["role"], c["email"]) for c in contacts] == [
        ("mailbox", "mobilite@example.org"), ("referent", portal.editor["email"])]
    assert contacts[0]["name"] == "Direction de la mobilité"


def test_contacts_of_the_roles_asked_skip_deleted_accounts():
    """``roles`` chooses among the contacts (a list or names separated by commas); a
    deleted referent is never written to."""
    portal = make_portal()
    service = _create(portal, email="mobilite@example.org", referent_id=portal.editor["name"],
                      backup_referent_id=portal.member["name"])
    helpers.call_action("user_delete", id=portal.member["id"])

    def roles(value):
        return [c["role"] for c in helpers.call_action(
            "governance_service_contacts", id=service["id"], roles=value)]

    assert roles(["referent", "backup_referent"]) == ["referent"]
    assert roles("mailbox,backup_referent") == ["mailbox"]


@pytest.mark.parametrize("value", [["mailbox", "owner"], "owner", "mailbox,", 3])
def test_contacts_refuse_unknown_roles_naming_the_field(value):
    """Roles outside mailbox, referent and backup_referent are a validation error on
    ``roles``."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_service_contacts", id=portal.service["id"],
                            roles=value)
    assert "roles" in error.value.error_dict


def test_list_pages_with_count_and_results():
    """governance_service_list pages by limit and offset and gives the full count."""
    portal = make_portal()
    for index in range(3):
        _create(portal, name=f"service-{index}", title=f"Service {index}")
    page = helpers.call_action("governance_service_list",
                               organization_id=portal.org["id"], limit=2, offset=2)
    assert page["count"] == 4
    assert [s["name"] for s in page["results"]] == ["service-1", "service-2"]


def test_reassign_moves_every_dataset_to_the_target():
    """Reassignment gives every dataset of the source service the target service."""
    portal = make_portal()
    target = _create(portal)
    names = [dataset(portal)["name"], dataset(portal, private=True)["name"]]
    result = helpers.call_action("governance_service_reassign", as_user(portal.admin),
                                 id=portal.service["id"], target=target["name"])
    assert sorted(result["moved"]) == sorted(names)
    for name in names:
        assert helpers.call_action("package_show", id=name)["owner_service"] == (
            "direction-de-la-mobilite")
    assert helpers.call_action("governance_service_show",
                               id=portal.service["id"])["dataset_count"] == 0


def test_reassign_records_one_event_per_dataset():
    """Each moved dataset gets a service_reassigned event with the old and new service."""
    portal = make_portal()
    target = _create(portal)
    moved = dataset(portal)
    helpers.call_action("governance_service_reassign", id=portal.service["id"],
                        target=target["id"])
    events = helpers.call_action("governance_event_list",
                                 package_id=moved["id"])["results"]
    assert [e["event_type"] for e in events] == ["service_reassigned"]
    assert events[0]["details"] == {"from": "direction-des-finances",
                                    "to": "direction-de-la-mobilite"}


def test_reassign_then_delete_succeeds():
    """Once its datasets are reassigned, the service can be deleted."""
    portal = make_portal()
    target = _create(portal)
    dataset(portal)
    helpers.call_action("governance_service_reassign", id=portal.service["id"],
                        target=target["id"])
    helpers.call_action("governance_service_delete", id=portal.service["id"])
    assert helpers.call_action("governance_service_list",
                               organization_id=portal.org["id"])["count"] == 1


def test_reassign_to_a_service_of_another_organization_is_refused():
    """The target must belong to the same organization: the error is on target."""
    portal = make_portal()
    foreign = helpers.call_action("governance_service_create",
                                  organization_id=portal.other_org["id"],
                                  name="autre", title="Autre")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_service_reassign", id=portal.service["id"],
                            target=foreign["id"])
    assert "target" in error.value.error_dict


def test_reassign_to_a_deactivated_service_is_refused():
    """A deactivated service cannot receive datasets."""
    portal = make_portal()
    _create(portal, active=False)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_service_reassign", id=portal.service["id"],
                            target="direction-de-la-mobilite")
    assert "target" in error.value.error_dict


def test_event_list_pages_newest_first():
    """governance_event_list returns the newest event first with the full count."""
    portal = make_portal()
    _create(portal)
    page = helpers.call_action("governance_event_list",
                               organization_id=portal.org["id"], limit=1)
    assert page["count"] == 2
    assert page["results"][0]["event_type"] == "service_created"
    assert page["results"][0]["details"]["service"]["name"] == "direction-de-la-mobilite"


def test_event_list_keeps_other_organizations_apart():
    """Events of one organization are not listed for another."""
    portal = make_portal()
    assert helpers.call_action("governance_event_list",
                               organization_id=portal.other_org["id"])["count"] == 0
