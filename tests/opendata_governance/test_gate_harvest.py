"""The publication gate on harvest imports: a public dataset is kept, privately, until signed off."""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ckan import model
from ckan.tests import helpers

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError, HarvestSource
from ckanext.opendata_governance.model import Event
from tests.opendata_governance.gate_setup import approve, switch_gate
from tests.opendata_governance.services_setup import PLUGINS, SCHEMA, make_portal

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", f"{PLUGINS} harvest"),
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMA),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


class PartnerHarvester(HarvesterBase):
    """A harvester whose objects already hold the partner's dataset as JSON."""

    def info(self) -> dict[str, str]:
        return {"name": "gate_test_partner", "title": "Partner portal",
                "description": "Imports datasets given as JSON"}

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        return []

    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        return True

    def import_stage(self, harvest_object: HarvestObject) -> Any:
        package_dict = json.loads(harvest_object.content)
        return self._create_or_update_package(package_dict, harvest_object,
                                              package_dict_form="package_show")


def _source(organization_id: str) -> HarvestSource:
    source = HarvestSource(url="https://partner.example.org/", title="Partner portal",
                           type="gate_test_partner", publisher_id=organization_id)
    model.Session.add(source)
    model.Session.commit()
    return source


def _import(source: HarvestSource, remote: dict[str, Any]) -> tuple[Any, HarvestObject]:
    """Run the import stage of a new job on one harvested dataset."""
    job = HarvestJob(source=source, status="Running")
    model.Session.add(job)
    model.Session.commit()
    harvest_object = HarvestObject(guid=remote["id"], job=job, source=source,
                                   content=json.dumps(remote))
    model.Session.add(harvest_object)
    model.Session.commit()
    result = PartnerHarvester().import_stage(harvest_object)
    return result, harvest_object


def _remote(organization_id: str) -> dict[str, Any]:
    """A partner's public dataset, as its portal describes it."""
    return {
        "id": str(uuid.uuid4()), "name": "arbres-d-alignement",
        "title": "Arbres d'alignement", "notes": "Inventaire des arbres",
        "owner_org": organization_id, "private": False, "license_id": "odc-odbl",
        "resources": [{"id": str(uuid.uuid4()), "name": "arbres.csv", "format": "CSV",
                       "url": "https://partner.example.org/arbres.csv"}],
    }


def _object_errors(harvest_object: HarvestObject) -> list[str]:
    return [error.message for error in model.Session.query(HarvestObjectError)
            .filter_by(harvest_object_id=harvest_object.id)]


def test_harvested_public_dataset_is_kept_private_in_a_governed_organization():
    """A public dataset harvested into a governed organization is imported, but private."""
    portal = make_portal()
    remote = _remote(portal.org["id"])
    result, harvest_object = _import(_source(portal.org["id"]), remote)
    assert result is True
    assert _object_errors(harvest_object) == []
    dataset = helpers.call_action("package_show", id=remote["id"])
    assert dataset["private"] is True
    assert dataset["title"] == "Arbres d'alignement"
    anonymous = helpers.call_action("package_search", {"user": ""}, q="*:*")
    assert anonymous["count"] == 0


def test_kept_private_harvest_import_is_recorded_with_the_reason():
    """The audit log says the harvested dataset was kept private, and why."""
    portal = make_portal()
    remote = _remote(portal.org["id"])
    _import(_source(portal.org["id"]), remote)
    [event] = model.Session.query(Event).filter_by(event_type="gate_refused").all()
    assert event.package_id == remote["id"]
    assert event.details["path"] == "harvest"
    assert event.details["kept_private"] is True
    assert "no approved compliance sign-off" in event.details["reason"]


def test_reharvest_of_a_signed_off_dataset_publishes_it():
    """Once signed off, the next harvest of the same dataset makes it public."""
    portal = make_portal()
    source = _source(portal.org["id"])
    remote = _remote(portal.org["id"])
    _import(source, remote)
    approve(remote["id"])
    result, harvest_object = _import(source, remote)
    assert result is True
    assert _object_errors(harvest_object) == []
    assert helpers.call_action("package_show", id=remote["id"])["private"] is False


def test_reharvest_with_changed_data_stays_private():
    """A harvest bringing content other than what was signed off keeps the dataset private."""
    portal = make_portal()
    source = _source(portal.org["id"])
    remote = _remote(portal.org["id"])
    _import(source, remote)
    approve(remote["id"])
    _import(source, {**remote, "title": "Arbres d'alignement (nouvelle version)"})
    dataset = helpers.call_action("package_show", id=remote["id"])
    assert dataset["private"] is True
    assert dataset["title"] == "Arbres d'alignement (nouvelle version)"


def test_harvest_into_an_organization_with_the_gate_off_stays_public():
    """An organization that switched the gate off gets harvested datasets as they come."""
    portal = make_portal()
    switch_gate(portal.org["id"], False)
    remote = _remote(portal.org["id"])
    _import(_source(portal.org["id"]), remote)
    assert helpers.call_action("package_show", id=remote["id"])["private"] is False
