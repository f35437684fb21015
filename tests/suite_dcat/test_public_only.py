"""Only what may be public reaches the catalogue, on any page, in any format, by any parameter."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.territorial_consolidation import duplicates
from tests.opendata_governance import gate_setup
from tests.suite_dcat.dcat_setup import MARKS, dataset_titles, graph_of, harvested

pytestmark = MARKS

FORMATS = ["ttl", "rdf", "jsonld", "xml"]
#: Query strings that try to widen the search: every one is refused or answers public data.
PROBES = ["", "?q=*:*", "?q=capacity:private", "?q=state:deleted OR state:draft",
          "?q=territorial_mirror:true", "?page=1&q=Secret", "?modified_since=2000-01-01",
          "?profiles=euro_dcat_ap_3", "?ext_territorial_mirrors=1",
          "?include_private=true&include_drafts=true&include_deleted=true"]


@pytest.fixture
def portal():
    """One public dataset beside a private one, one awaiting sign-off, a draft, a
    deleted one, and a harvested mirror hidden from search; the user is a sysadmin."""
    org = factories.Organization()
    gate_setup.switch_gate(org["id"], False)
    factories.Dataset(owner_org=org["id"], title="Public")
    factories.Dataset(owner_org=org["id"], title="Secret private", private=True)
    gated = factories.Organization()  # the gate is on by default
    awaiting = factories.Dataset(owner_org=gated["id"], title="Secret awaiting", private=True)
    gate_setup.request(awaiting["id"])
    factories.Dataset(owner_org=org["id"], title="Secret draft", state="draft")
    deleted = factories.Dataset(owner_org=org["id"], title="Secret deleted")
    helpers.call_action("package_delete", id=deleted["id"])
    canonical = harvested(org, "https://data.rennes.example", "commune", "35238",
                                  "Public délibérations", identifier="urn:x:deliberations")
    mirror = harvested(org, "https://www.data.gouv.example", "national", "FR",
                               "Public délibérations", identifier="urn:x:deliberations")
    duplicates.detect([canonical["id"], mirror["id"]])
    assert helpers.call_action("package_search", q="délibérations")["count"] == 1
    return {"sysadmin": factories.SysadminWithToken(), "mirror": mirror}


def _titles(app, url, fmt, headers=None):
    response = app.get(url, headers=headers or {})
    if response.status_code != 200:
        assert 400 <= response.status_code < 500, response.body[:300]
        return None
    return dataset_titles(graph_of(response.body, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("probe", PROBES)
def test_anonymous_catalogue_holds_only_public_datasets(app, portal, fmt, probe):
    """Whatever the query string, an anonymous catalogue lists no private, awaiting,
    draft, deleted or mirrored dataset."""
    titles = _titles(app, f"/catalog.{fmt}{probe}", fmt)
    if titles is not None:
        assert not any(title.startswith("Secret") for title in titles)
        assert len([title for title in titles if title == "Public délibérations"]) <= 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_sysadmin_catalogue_holds_only_public_datasets(app, portal, fmt):
    """A sysadmin, who sees everything elsewhere, gets the public catalogue too."""
    headers = {"Authorization": portal["sysadmin"]["token"]}
    titles = _titles(app, f"/catalog.{fmt}?q=*:*", fmt, headers)
    assert titles == {"Public", "Public délibérations"}


@pytest.mark.parametrize("fq", ["+state:deleted", "+state:(active OR draft OR deleted)",
                                "territorial_mirror:true", "capacity:private", "name:x"])
def test_any_fq_is_refused(app, portal, fq):
    """A filter query, which could lift the state and mirror filters, is refused with a 409."""
    response = app.get("/catalog.ttl", query_string={"fq": fq})
    assert response.status_code == 409
    assert "fq" in response.body


def test_catalogue_action_refuses_fq_through_the_api(app, portal):
    """The same guard holds for the action called through the API."""
    response = app.get("/api/3/action/dcat_catalog_show",
                       query_string={"fq": "+state:deleted", "format": "ttl"})
    assert response.status_code == 409
    assert "fq" in response.json["error"]


def test_mirror_is_served_alone_but_not_listed(app, portal):
    """The mirror's own record answers (its page is public), while no catalogue lists it twice."""
    mirror = portal["mirror"]
    assert app.get(f"/dataset/{mirror['name']}.ttl").status_code == 200
    graph = graph_of(app.get("/catalog.ttl").body, "ttl")
    assert mirror["id"] not in graph.serialize(format="turtle")


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_private_dataset_record_is_not_found(app, fmt):
    """/dataset/<private>.<format> is a 404 for the public, as the dataset page is."""
    org = factories.Organization()
    secret = factories.Dataset(owner_org=org["id"], title="Secret", private=True)
    response = app.get(f"/dataset/{secret['name']}.{fmt}")
    assert response.status_code == 404
    assert "Secret" not in response.body


def test_private_dataset_record_by_content_negotiation_is_not_found(app):
    """Asking /dataset/<private> for Turtle by Accept header is a 404 as well."""
    org = factories.Organization()
    secret = factories.Dataset(owner_org=org["id"], title="Secret", private=True)
    response = app.get(f"/dataset/{secret['name']}", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "Secret" not in response.body


@pytest.mark.parametrize("profiles", ["euro_dcat_ap_3", "schemaorg", "euro_dcat_ap_2,suite_dcat"])
@pytest.mark.parametrize("url", ["/catalog.ttl", "/dataset/{name}.ttl"])
def test_other_profiles_are_refused(app, profiles, url):
    """A profile list without the suite's (which would write the maintainer's own address
    as contact point) is refused with a 409, and the address never shows."""
    dataset = factories.Dataset(maintainer_email="jean.dupont@ville.example")
    response = app.get(url.format(name=dataset["name"]), query_string={"profiles": profiles})
    assert response.status_code == 409
    assert "profiles" in response.body
    assert "jean.dupont@" not in response.body


def test_the_portals_own_profiles_may_be_named(app):
    """Naming the portal's own profiles is accepted."""
    factories.Dataset(title="Public")
    response = app.get("/catalog.ttl", query_string={"profiles": "euro_dcat_ap_3,suite_dcat"})
    assert response.status_code == 200
