"""The fingerprint of a dataset changes with what a sign-off covers, and only with that."""
from __future__ import annotations

from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_governance import fingerprint
from tests.opendata_governance.services_setup import MARKS

pytestmark = MARKS


def _package(dataset: dict) -> model.Package:
    model.Session.expire_all()
    return model.Package.get(dataset["id"])


def _dataset() -> dict:
    org = factories.Organization()
    return factories.Dataset(owner_org=org["id"], private=True, license_id="cc-by-4.0",
                             title="Budget primitif 2025",
                             resources=[{"url": "https://example.org/budget.csv",
                                         "format": "CSV"}])


def test_edits_outside_the_covered_fields_keep_the_fingerprint():
    """Changing the version or a resource description leaves the fingerprint as it was."""
    dataset = _dataset()
    before = fingerprint.current(_package(dataset))[0]
    helpers.call_action("package_patch", id=dataset["id"], version="2.0")
    helpers.call_action("resource_patch", id=dataset["resources"][0]["id"],
                        description="Montants en euros")
    assert fingerprint.current(_package(dataset))[0] == before


def test_a_title_change_is_detected_and_named():
    """Changing the title changes the fingerprint, and changes() names the title."""
    dataset = _dataset()
    before_hash, before = fingerprint.current(_package(dataset))
    helpers.call_action("package_patch", id=dataset["id"], title="Budget 2025 (corrigé)")
    after_hash, after = fingerprint.current(_package(dataset))
    assert after_hash != before_hash
    assert fingerprint.changes(before, after) == ["title"]


def test_new_data_in_a_resource_is_detected_and_names_the_resource():
    """A resource given a new URL changes the fingerprint, named as resource:<id>."""
    dataset = _dataset()
    resource_id = dataset["resources"][0]["id"]
    before = fingerprint.current(_package(dataset))[1]
    helpers.call_action("resource_patch", id=resource_id,
                        url="https://example.org/budget-v2.csv")
    after = fingerprint.current(_package(dataset))[1]
    assert fingerprint.changes(before, after) == [f"resource:{resource_id}"]


def test_an_added_resource_is_detected():
    """A new resource is a change the earlier sign-off did not cover."""
    dataset = _dataset()
    before = fingerprint.current(_package(dataset))[1]
    resource = helpers.call_action("resource_create", package_id=dataset["id"],
                                   url="https://example.org/annexe.csv", format="CSV")
    after = fingerprint.current(_package(dataset))[1]
    assert fingerprint.changes(before, after) == [f"resource:{resource['id']}"]
