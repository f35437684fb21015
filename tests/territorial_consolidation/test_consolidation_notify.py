"""With the governance plugin, reports on invalid files also reach the dataset's owner service."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from tests.smtp import smtp_server  # noqa: F401  (fixture)
from tests.territorial_consolidation.consolidation_setup import (
    BRUZ, RENNES, SUBVENTIONS, make_consolidation, make_portal, publish, run_now,
    subventions_rows)

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins",
                            "postgres_search territorial_consolidation opendata_governance"),
    pytest.mark.ckan_config("ckanext.territorial_consolidation.consolidation_allowlist",
                            "127.0.0.1"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def test_the_owner_service_mailbox_and_referent_hear_of_an_invalid_file(smtp_server,
                                                                        monkeypatch):
    """The owner service's mailbox and referent, found through the governance actions, are mailed."""
    smtp_server.ckan_config(monkeypatch)
    portal = make_portal()
    bruz = portal.communes[BRUZ]
    referent = factories.User(email="referente@bruz.example.org")
    for org in (bruz, portal.communes[RENNES]):
        helpers.call_action("governance_settings_update", {"ignore_auth": True},
                            organization_id=org["id"], gate_enabled=False)
    helpers.call_action("member_create", {"ignore_auth": True}, id=bruz["id"],
                        object=referent["name"], object_type="user", capacity="editor")
    helpers.call_action("governance_service_create", {"ignore_auth": True},
                        organization_id=bruz["id"], name="finances", title="Finances",
                        email="finances@bruz.example.org", referent_id=referent["name"])
    publish(bruz, (SUBVENTIONS / "exemple_invalide_erreurs_cellules.csv").read_bytes(),
            title="Subventions de Bruz",
            extras=[{"key": "owner_service", "value": "finances"}])
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    run = run_now(make_consolidation(portal, notify_owners=True))
    assert run["report"]["owners_notified"] == 2, run["report"]["sources"]
    recipients = sorted(message["To"].split("<")[-1].rstrip(">")
                        for message in smtp_server.messages)
    assert recipients == ["finances@bruz.example.org", "referente@bruz.example.org"]


def test_under_a_publication_gate_the_consolidated_dataset_starts_private():
    """When governance refuses to publish without a sign-off, the target is created private."""
    portal = make_portal()
    for org in portal.communes.values():
        helpers.call_action("governance_settings_update", {"ignore_auth": True},
                            organization_id=org["id"], gate_enabled=False)
    publish(portal.communes[RENNES], subventions_rows(2).encode())
    run = run_now(make_consolidation(portal))
    assert run["state"] == "succeeded", run["error"]
    resource = helpers.call_action("resource_show", id=run["resource_id"])
    target = helpers.call_action("package_show", id=resource["package_id"])
    assert target["private"] is True
    assert len(target["resources"]) == 1
