"""Who may run a dataset's automated checks and list their results."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

import ckan.plugins.toolkit as tk

from tests.opendata_governance.check_setup import MARKS, make_review_portal, private_dataset

pytestmark = MARKS

#: Who is allowed, per kind of user.
MATRIX = [
    ("anonymous", False),
    ("plain", False),
    ("editor", True),
    ("other_editor", False),
    ("admin", True),
    ("reviewer", True),
    ("sysadmin", True),
]


def _user(portal, who):
    return None if who == "anonymous" else getattr(portal, who)


@pytest.mark.parametrize("action", ["governance_check_run", "governance_check_result_list"])
@pytest.mark.parametrize("who,allowed", MATRIX)
def test_only_editors_reviewers_and_sysadmins_may_run_and_list_checks(action, who, allowed):
    """Editors and admins of the organization, its reviewers and sysadmins are allowed."""
    portal = make_review_portal()
    dataset = private_dataset(portal)
    user = _user(portal, who)
    key = "id" if action == "governance_check_run" else "package_id"
    context = {"user": user["name"] if user else ""}
    if allowed:
        assert helpers.call_auth(action, context, **{key: dataset["id"]})
    else:
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth(action, context, **{key: dataset["id"]})


def test_an_unknown_dataset_is_refused():
    """Asking for the checks of a dataset that does not exist is refused, not a crash."""
    user = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("governance_check_run", {"user": user["name"]}, id="nope")
