"""Round trip: the portal's own ``/catalog.ttl`` (ckanext-dcat with the suite profile),
served on 127.0.0.1, harvested back by ``territorial_dcat_harvester``."""
from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

import ckan.plugins.toolkit as tk
from ckan.config.middleware import make_app
from ckan.tests import factories

from tests.suite_dcat.dcat_setup import organization_with_service
from tests.territorial_consolidation import harvest_setup
from tests.territorial_consolidation.replay_server import (dataset_of, fields_of, job_errors,
                                                           snapshot)

PLUGINS = (f"{harvest_setup.PLUGINS} territorial_dcat_harvester dcat structured_data "
           "suite_dcat")
pytestmark = [mark for mark in harvest_setup.MARKS
              if not (mark.name == "ckan_config" and mark.args[0] == "ckan.plugins")] + [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS)]

SCHEMA = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"


@pytest.fixture
def served_portal() -> Iterator[str]:
    """The portal's WSGI application served on a free loopback port; its URL."""
    server = make_server("127.0.0.1", 0, make_app(tk.config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def published() -> dict[str, Any]:
    """A governed dataset of the portal: owner service with a shared mailbox, frequency,
    territory, Licence Ouverte 2.0, and a resource conforming to a schema."""
    org = organization_with_service()
    return factories.Dataset(
        owner_org=org["id"], title="Délibérations du conseil",
        notes="Les délibérations du conseil municipal depuis 2020.",
        owner_service="finances", maintainer="Jean Dupont",
        maintainer_email="jean.dupont@ville.example", update_frequency="MONTHLY",
        last_data_update="2024-03-01", territory_code="35238", territorial_level="commune",
        license_id="etalab-2.0",
        resources=[{"url": "https://ville.example/deliberations.csv", "format": "CSV",
                    "name": "Délibérations 2024", "description": "Une ligne par délibération",
                    "conforms_to": SCHEMA}])


def test_own_catalogue_comes_back_unchanged(served_portal: str,
                                            published: dict[str, Any]) -> None:
    """Titles, descriptions, frequency, territory, licence, contact (the service, never
    the maintainer), schema and resources of the portal's catalogue come back."""
    source = harvest_setup.make_source(factories.Organization(),
                                       f"{served_portal}/catalog.ttl", {},
                                       source_type="territorial_dcat")

    job = harvest_setup.run_job(source["id"])

    assert job_errors(job.id) == []
    [remote_id] = snapshot(source["id"])
    copy = dataset_of(source["id"], remote_id)
    assert copy["id"] != published["id"]
    fields = fields_of(copy)
    assert copy["title"] == published["title"]
    assert copy["notes"] == published["notes"]
    assert fields["update_frequency"] == "MONTHLY"
    assert fields["last_data_update"] == "2024-03-01"
    assert (fields["territorial_level"], fields["territory_code"]) == ("commune", "35238")
    assert copy["license_id"] == "etalab-2.0"
    assert (copy["maintainer"], copy["maintainer_email"]) == (
        "Direction des finances", "finances@ville.example")
    [resource] = copy["resources"]
    original = published["resources"][0]
    assert {key: resource[key] for key in ("url", "format", "name", "description",
                                           "conforms_to")} == {
        key: original[key] for key in ("url", "format", "name", "description", "conforms_to")}
