"""Who may call the harvest actions: the auth matrices."""
from __future__ import annotations

from typing import Any, Optional

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation.model import Provenance
from tests.opendata_governance.gate_setup import switch_gate
from tests.territorial_consolidation.harvest_setup import MARKS, make_source

pytestmark = MARKS

ROLES = ("anonymous", "plain", "member", "editor", "admin", "other_editor", "sysadmin")


@pytest.fixture
def portal() -> dict[str, Any]:
    """An organization with a member, an editor and an admin; another org's editor; a
    plain user; a sysadmin; a harvest source of the organization."""
    users = {role: factories.User() for role in ("plain", "member", "editor", "admin",
                                                 "other_editor")}
    users["sysadmin"] = factories.Sysadmin()
    users["anonymous"] = None
    org = factories.Organization(users=[
        {"name": users[role]["name"], "capacity": role} for role in ("member", "editor", "admin")])
    factories.Organization(users=[{"name": users["other_editor"]["name"],
                                   "capacity": "editor"}])
    switch_gate(org["id"], False)
    source = make_source(org, "https://partner.example.org", user=users["sysadmin"])
    return {"users": users, "org": org, "source": source}


def _allowed(action: str, user: Optional[dict[str, Any]], **data: Any) -> dict[str, bool]:
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(action, context, **data)
    except tk.NotAuthorized:
        return False
    return True


def _matrix(portal: dict[str, Any], action: str, **data: Any) -> dict[str, bool]:
    return {role: _allowed(action, portal["users"][role], **data) for role in ROLES}


def _expect(*allowed: str) -> dict[str, bool]:
    return {role: role in allowed for role in ROLES}


def test_preview_of_a_source(portal):
    """Editors and admins of the source's organization and sysadmins preview the source."""
    assert _matrix(portal, "territorial_harvest_preview", id=portal["source"]["id"]) == \
        _expect("editor", "admin", "sysadmin")


def test_preview_of_a_new_source(portal):
    """A new source is previewed by those who may create datasets in its organization."""
    assert _matrix(portal, "territorial_harvest_preview", url="https://partner.example.org",
                   source_type="territorial_ckan", owner_org=portal["org"]["id"]) == \
        _expect("editor", "admin", "sysadmin")


def test_preview_of_a_new_source_without_organization(portal):
    """Without an organization only sysadmins preview a new source."""
    assert _matrix(portal, "territorial_harvest_preview", url="https://partner.example.org",
                   source_type="territorial_ckan") == _expect("sysadmin")


def test_report_of_a_source(portal):
    """Job reports and their errors are for the source's editors, admins and sysadmins."""
    assert _matrix(portal, "territorial_harvest_report", id=portal["source"]["id"]) == \
        _expect("editor", "admin", "sysadmin")


def test_report_of_a_plain_dataset_is_refused(portal):
    """A dataset id that is not a harvest source is refused, even to its editors."""
    dataset = factories.Dataset(owner_org=portal["org"]["id"])
    assert _matrix(portal, "territorial_harvest_report", id=dataset["id"]) == \
        _expect("sysadmin")


def _harvested_dataset(portal: dict[str, Any], private: bool) -> dict[str, Any]:
    dataset = factories.Dataset(owner_org=portal["org"]["id"], private=private)
    model.Session.add(Provenance(package_id=dataset["id"],
                                 harvest_source_id=portal["source"]["id"],
                                 portal_kind="ckan", portal_url="https://partner.example.org",
                                 remote_id="r1", resource_urls=[]))
    model.Session.commit()
    return dataset


def test_provenance_of_a_public_dataset(portal):
    """Everyone sees where a public harvested dataset comes from."""
    dataset = _harvested_dataset(portal, private=False)
    assert _matrix(portal, "territorial_provenance_show", id=dataset["id"]) == \
        _expect(*ROLES)


def test_provenance_of_a_private_dataset(portal):
    """Only those who may see a private dataset see its provenance."""
    dataset = _harvested_dataset(portal, private=True)
    assert _matrix(portal, "territorial_provenance_show", id=dataset["id"]) == \
        _expect("member", "editor", "admin", "sysadmin")


def test_provenance_list_of_public_datasets(portal):
    """Everyone sees where public harvested datasets come from, several at a time."""
    dataset = _harvested_dataset(portal, private=False)
    assert _matrix(portal, "territorial_provenance_list", ids=[dataset["id"]]) == \
        _expect(*ROLES)


def test_provenance_list_with_a_private_dataset(portal):
    """A list naming a private dataset is refused to those who may not see it."""
    public = factories.Dataset(owner_org=portal["org"]["id"])
    private = _harvested_dataset(portal, private=True)
    assert _matrix(portal, "territorial_provenance_list", ids=[public["id"], private["id"]]) == \
        _expect("member", "editor", "admin", "sysadmin")
