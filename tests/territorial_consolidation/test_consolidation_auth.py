"""Who may manage, run and read consolidations."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.territorial_consolidation.consolidation_setup import (
    MARKS, make_consolidation, make_portal)

pytestmark = MARKS

MANAGE = [("anonymous", False), ("plain", False), ("editor", False), ("admin", True),
          ("sysadmin", True)]


def _context(portal, who):
    user = None if who == "anonymous" else getattr(portal, who)
    return {"user": user["name"] if user else ""}


@pytest.mark.parametrize("action", ["consolidation_update", "consolidation_run"])
@pytest.mark.parametrize("who,allowed", MANAGE)
def test_only_admins_of_the_organization_manage_and_run(action, who, allowed):
    """Organization admins and sysadmins may update and run; editors and others may not."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    if allowed:
        assert helpers.call_auth(action, _context(portal, who), id=consolidation["id"])
    else:
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth(action, _context(portal, who), id=consolidation["id"])


@pytest.mark.parametrize("who,allowed", MANAGE)
def test_only_admins_of_the_organization_create(who, allowed):
    """Creating a consolidation for an organization needs to be one of its admins."""
    portal = make_portal()
    context = _context(portal, who)
    if allowed:
        assert helpers.call_auth("consolidation_create", context,
                                 organization_id=portal.org["id"])
    else:
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth("consolidation_create", context,
                              organization_id=portal.org["id"])


def test_an_admin_cannot_move_a_consolidation_to_another_organization():
    """Updating towards an organization the user does not administer is refused."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    other = list(portal.communes.values())[0]
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("consolidation_update", _context(portal, "admin"),
                          id=consolidation["id"], organization_id=other["id"])


def test_an_unknown_consolidation_is_refused():
    """Running a consolidation that does not exist is refused, not a crash."""
    portal = make_portal()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("consolidation_run", _context(portal, "admin"), id="nope")


@pytest.mark.parametrize("action", ["consolidation_show", "consolidation_list",
                                    "territorial_coverage"])
def test_anyone_reads_consolidations_and_coverage(action):
    """Reads are open, anonymous included: only public datasets are consolidated."""
    assert helpers.call_auth(action, {"user": ""}, id="x")
