"""Pages and extensions that rely on search work on the PostgreSQL backend."""
from __future__ import annotations

import pytest

from ckan.lib.helpers import helper_functions as h
from ckan.tests import factories, helpers


@pytest.mark.ckan_config("ckan.plugins", "postgres_search scheming_datasets")
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:camel_photos.yaml")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_scheming_custom_type_and_fields_are_searchable_and_faceted():
    """A ckanext-scheming dataset type and its custom fields filter and facet like core fields."""
    for name, category, humps in (("chameau-1", "bactrian", 2), ("chameau-2", "hybrid", 1),
                                  ("chameau-3", "bactrian", 2)):
        helpers.call_action("package_create", type="camel-photos", name=name,
                            category=category, humps=humps, personality=["friendly"])
    result = helpers.call_action("package_search", fq="+dataset_type:camel-photos",
                                 **{"facet.field": ["category", "humps"]})
    assert result["count"] == 3
    assert result["facets"]["category"] == {"bactrian": 2, "hybrid": 1}
    filtered = helpers.call_action("package_search", fq='category:"hybrid"')
    assert [r["name"] for r in filtered["results"]] == ["chameau-2"]
    assert filtered["results"][0]["humps"] == helpers.call_action("package_show", id="chameau-2")["humps"]


@pytest.mark.ckan_config("ckan.plugins", "postgres_search harvest ckan_harvester")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_harvest_sources_are_listed_from_the_index(app):
    """ckanext-harvest's sources (datasets of type harvest) appear on its listing page."""
    helpers.call_action("harvest_source_create", name="portail-bruz", title="Portail de Bruz",
                        url="https://data.bruz.example/", source_type="ckan")
    response = app.get("/harvest/")
    assert "Portail de Bruz" in response.body
    result = helpers.call_action("package_search", fq="+dataset_type:harvest")
    assert [r["name"] for r in result["results"]] == ["portail-bruz"]


@pytest.mark.ckan_config("ckan.plugins", "postgres_search activity")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_dashboard_lists_the_users_datasets(app, api_headers):
    """The dashboard's dataset tab lists the datasets the user created."""
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    factories.Dataset(title="Inventaire des fontaines", owner_org=org["id"], user=user)
    response = app.get("/dashboard/datasets", headers=api_headers(user))
    assert "Inventaire des fontaines" in response.body


@pytest.mark.ckan_config("ckan.plugins", "postgres_search")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_home_page_query_counts_public_datasets(app):
    """The query the home page makes (sorted by recent views, facets) succeeds and counts public datasets.

    The home view swallows search errors and shows zero, so its query is
    checked directly as well as the page.
    """
    factories.Dataset(title="Jardins familiaux")
    factories.Dataset()
    factories.Dataset(private=True, owner_org=factories.Organization()["id"])
    result = helpers.call_action(
        "package_search", context={"user": "", "ignore_auth": False, "auth_user_obj": None},
        q="*:*", rows=4, start=0, sort="view_recent desc", fq='capacity:"public"',
        **{"facet.field": h.facets()})
    assert result["count"] == 2
    response = app.get("/")
    assert response.status_code == 200


@pytest.mark.ckan_config("ckan.plugins", "postgres_search")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_tag_autocomplete():
    """Tag autocomplete proposes tags starting with the typed letters."""
    factories.Dataset(tags=[{"name": "écoles"}, {"name": "écologie"}, {"name": "budget"}])
    assert sorted(helpers.call_action("tag_autocomplete", q="éco")) == ["écoles", "écologie"]
