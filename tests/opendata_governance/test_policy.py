"""Portal policy around the gate: who creates organizations, who switches a gate off, fail closed."""
from __future__ import annotations

import configparser
import html
import pathlib
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.opendata_governance.gate_setup import switch_gate
from tests.shared import as_user, csrf_token, login
from tests.opendata_governance.services_setup import MARKS, Portal, make_portal

pytestmark = MARKS

PORTAL_INI = pathlib.Path(__file__).parents[2] / "ckan.ini.in"
ADMINS_MAY = "ckanext.opendata_governance.admins_can_switch_gate_off"


def _gate_enabled(portal: Portal) -> bool:
    return helpers.call_action("governance_settings_show",
                               organization_id=portal.org["id"])["gate_enabled"]


def _switch(portal: Portal, user: dict[str, Any], value: Any) -> dict[str, Any]:
    return helpers.call_action("governance_settings_update", as_user(user),
                               organization_id=portal.org["id"], gate_enabled=value)


def _settings_page(client: Any, portal: Portal) -> str:
    return client.get("/organization/governance/{}".format(portal.org["name"])).body


def _post_settings(client: Any, portal: Portal, **form: Any) -> Any:
    token = csrf_token(_settings_page(client, portal))
    return client.post("/organization/governance/{}/settings".format(portal.org["name"]),
                       data={"_csrf_token": token, **form})


def test_portal_configuration_keeps_organization_creation_to_sysadmins():
    """ckan.ini.in turns off CKAN's default of letting any user create an organization."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(PORTAL_INI)
    assert parser.get("app:main", "ckan.auth.user_create_organizations") == "false"


def test_a_registered_user_cannot_create_an_organization():
    """Under the portal's policy a logged-in user who is no sysadmin creates no organization."""
    portal = make_portal()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("organization_create", as_user(portal.plain), name="mon-orga")


def test_admin_cannot_switch_the_gate_off_by_default():
    """By default an organization's admin is refused switching its gate off."""
    portal = make_portal()
    with pytest.raises(tk.NotAuthorized):
        _switch(portal, portal.admin, False)
    assert _gate_enabled(portal) is True


def test_sysadmin_switches_the_gate_off():
    """A sysadmin switches an organization's gate off."""
    portal = make_portal()
    _switch(portal, portal.sysadmin, False)
    assert _gate_enabled(portal) is False


def test_admin_switches_the_gate_back_on():
    """An admin may always switch the gate on again."""
    portal = make_portal()
    switch_gate(portal.org["id"], False)
    _switch(portal, portal.admin, True)
    assert _gate_enabled(portal) is True


@pytest.mark.ckan_config(ADMINS_MAY, True)
def test_admin_switches_the_gate_off_when_the_portal_lets_admins():
    """With admins_can_switch_gate_off, an organization's admin switches its gate off."""
    portal = make_portal()
    _switch(portal, portal.admin, False)
    assert _gate_enabled(portal) is False


@pytest.mark.parametrize("value", ["", "sometimes", None, ["false"], 0.5])
def test_settings_refuse_a_gate_enabled_that_is_no_boolean(value: Any):
    """An empty or garbled gate_enabled is a ValidationError on gate_enabled; the gate stays on."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        _switch(portal, portal.sysadmin, value)
    assert "gate_enabled" in error.value.error_dict
    assert _gate_enabled(portal) is True


def test_form_hides_the_off_switch_from_an_admin(app):
    """An admin's settings form offers "Off" disabled, with the reason."""
    portal = make_portal()
    body = html.unescape(_settings_page(login(app, portal.admin), portal))
    assert 'value="off" disabled' in body
    assert "Only the portal's sysadmins can switch the publication gate off" in body


def test_form_offers_the_off_switch_to_a_sysadmin(app):
    """A sysadmin's settings form offers "Off", without the reason."""
    portal = make_portal()
    body = _settings_page(login(app, portal.sysadmin), portal)
    assert 'value="off" disabled' not in body
    assert "governance-gate-reserved" not in body


def test_form_posting_off_as_an_admin_is_refused(app):
    """An admin posting "off" gets a 403 and the gate stays on."""
    portal = make_portal()
    response = _post_settings(login(app, portal.admin), portal, gate_enabled="off")
    assert response.status_code == 403
    assert _gate_enabled(portal) is True


@pytest.mark.parametrize("form", [{}, {"gate_enabled": ""}, {"gate_enabled": "of"}])
def test_form_without_an_explicit_off_keeps_the_gate_on(app, form: dict[str, str]):
    """A missing, empty or garbled gate field re-renders the form with an error; gate on."""
    portal = make_portal()
    response = _post_settings(login(app, portal.sysadmin), portal, **form)
    assert response.status_code == 200
    assert "alert-danger" in response.body
    assert _gate_enabled(portal) is True
