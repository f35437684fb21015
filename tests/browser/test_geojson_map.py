"""The GeoJSON map view draws its data in a real browser with no request off the portal."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload

from .conftest import ARTIFACTS, PORTAL_PLUGINS

MAP_PLUGINS = PORTAL_PLUGINS.replace("opendata_governance",
                                     "geojson_view opendata_governance")
GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"nom": "Mairie de Rennes"},
     "geometry": {"type": "Point", "coordinates": [-1.6794, 48.1113]}},
    {"type": "Feature", "properties": {"nom": "Parc des Gayeulles"},
     "geometry": {"type": "Polygon", "coordinates": [[
         [-1.640, 48.130], [-1.625, 48.130], [-1.625, 48.138], [-1.640, 48.130]]]}},
]}).encode()


@pytest.fixture
def portal_settings() -> dict[str, str]:
    return {"ckan.plugins": MAP_PLUGINS, "ckan.views.default_views": "geojson_view"}


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", MAP_PLUGINS)
@pytest.mark.ckan_config("ckan.views.default_views", "geojson_view")
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_geojson_map_draws_points_and_shapes_offline(live_portal, browser_page,
                                                        monkeypatch):
    """Leaflet, its marker image and the data all come from the portal; no tile server."""
    # The upload's address is made with the site URL of the process that creates it.
    monkeypatch.setitem(tk.config, "ckan.site_url", live_portal)
    dataset = factories.Dataset()
    resource = helpers.call_action(
        "resource_create", {"user": factories.Sysadmin()["name"]},
        package_id=dataset["id"], name="mairies.geojson", format="GeoJSON",
        upload=upload(GEOJSON, "mairies.geojson"))
    view = helpers.call_action("resource_view_list", id=resource["id"])[0]
    model.Session.commit()
    portal_host = urlsplit(live_portal).netloc
    elsewhere: list[str] = []

    def only_the_portal(route):
        if urlsplit(route.request.url).netloc == portal_host:
            return route.continue_()
        elsewhere.append(route.request.url)
        return route.abort()

    page = browser_page
    page.route("**/*", only_the_portal)
    # The view's own page, as the resource page's iframe loads it.
    page.goto("{}/dataset/{}/resource/{}/view/{}".format(
        live_portal, dataset["id"], resource["id"], view["id"]))
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator("path.leaflet-interactive").count() == 1
    assert page.evaluate(
        "document.querySelector('.leaflet-marker-icon').naturalWidth") > 0
    assert not page.locator(".leaflet-control-no-provider").is_visible()
    page.screenshot(path=str(ARTIFACTS / "geojson-map.png"))
    assert elsewhere == []
