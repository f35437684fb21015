"""Core's tag and format listings show only what the caller's datasets reveal, private ones included."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.opendata_governance.gate_setup import switch_gate
from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, Portal, make_portal

pytestmark = MARKS


@pytest.fixture
def portal() -> Portal:
    """A public dataset tagged "budget" (CSV) and a private one tagged "secret-tag" (XLSX)."""
    portal = make_portal()
    switch_gate(portal.org["id"], False)
    factories.Dataset(owner_org=portal.org["id"], private=False, tags=[{"name": "budget"}],
                      resources=[{"url": "https://example.org/b.csv", "format": "CSV"}])
    factories.Dataset(owner_org=portal.org["id"], private=True,
                      tags=[{"name": "secret-tag"}, {"name": "budget"}],
                      resources=[{"url": "https://example.org/s.xlsx", "format": "XLSX"}])
    return portal


def _who(portal: Portal, role: str) -> dict[str, Any]:
    return as_user(None if role == "anonymous" else getattr(portal, role))


@pytest.mark.parametrize("role,sees", [("anonymous", False), ("plain", False),
                                       ("other_editor", False), ("member", True),
                                       ("sysadmin", True)])
def test_tag_list_shows_a_private_dataset_tag_only_to_those_who_read_it(
        portal: Portal, role: str, sees: bool):
    """A tag only on a private dataset is listed to its organization's members and sysadmins."""
    tags = helpers.call_action("tag_list", _who(portal, role))
    assert "budget" in tags
    assert ("secret-tag" in tags) is sees


def test_tag_list_query_is_filtered(portal: Portal):
    """tag_list's query finds the private tag for a member, nothing for a visitor."""
    assert helpers.call_action("tag_list", _who(portal, "anonymous"), query="secret") == []
    assert helpers.call_action("tag_list", _who(portal, "member"),
                               query="secret") == ["secret-tag"]


def test_tag_list_all_fields_is_filtered(portal: Portal):
    """tag_list with all_fields returns tag dictionaries, filtered the same way."""
    tags = helpers.call_action("tag_list", _who(portal, "anonymous"), all_fields=True)
    assert [tag["name"] for tag in tags] == ["budget"]
    assert {"id", "name", "vocabulary_id"} <= set(tags[0])


def test_tag_list_of_a_vocabulary_still_lists_its_terms(portal: Portal):
    """A vocabulary's terms, set by a sysadmin, are listed as core lists them."""
    vocabulary = helpers.call_action("vocabulary_create", name="themes",
                                     tags=[{"name": "environnement"}])
    tags = helpers.call_action("tag_list", _who(portal, "anonymous"),
                               vocabulary_id=vocabulary["id"])
    assert tags == ["environnement"]


def test_tag_autocomplete_hides_the_private_tag_from_visitors(portal: Portal):
    """tag_autocomplete completes the private tag for a member only."""
    assert helpers.call_action("tag_autocomplete", _who(portal, "anonymous"), q="secr") == []
    assert helpers.call_action("tag_autocomplete", _who(portal, "member"),
                               q="secr") == ["secret-tag"]


def test_tag_autocomplete_pages_after_filtering(portal: Portal):
    """A limit applies to the tags the caller may see, so a page is not cut short."""
    assert helpers.call_action("tag_autocomplete", _who(portal, "anonymous"),
                               q="e", limit=1) == ["budget"]


def test_tag_autocomplete_refuses_a_limit_that_is_no_number(portal: Portal):
    """A limit that is not a natural number is a ValidationError naming limit."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("tag_autocomplete", _who(portal, "member"), q="e", limit="ten")
    assert "limit" in error.value.error_dict


def test_tag_search_hides_the_private_tag_from_visitors(portal: Portal):
    """tag_search counts and returns only the tags the caller may see."""
    found = helpers.call_action("tag_search", _who(portal, "anonymous"), query="secret")
    assert found == {"count": 0, "results": []}
    found = helpers.call_action("tag_search", _who(portal, "member"), query="secret")
    assert [tag["name"] for tag in found["results"]] == ["secret-tag"]


def test_tag_show_of_a_private_tag_is_not_found_for_visitors(portal: Portal):
    """tag_show says a tag only on a private dataset does not exist, except to a member."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("tag_show", _who(portal, "anonymous"), id="secret-tag")
    assert helpers.call_action("tag_show", _who(portal, "member"),
                               id="secret-tag")["name"] == "secret-tag"


def test_format_autocomplete_hides_a_private_format_from_visitors(portal: Portal):
    """format_autocomplete offers a format only used privately to a member only."""
    assert helpers.call_action("format_autocomplete", _who(portal, "anonymous"),
                               q="xls") == []
    assert helpers.call_action("format_autocomplete", _who(portal, "member"),
                               q="xls") == ["xlsx"]


def test_tag_list_over_the_api_hides_the_private_tag(app, portal: Portal):
    """The API's tag_list, asked anonymously, does not list the private tag."""
    result = app.get("/api/3/action/tag_list").json["result"]
    assert "budget" in result
    assert "secret-tag" not in result
