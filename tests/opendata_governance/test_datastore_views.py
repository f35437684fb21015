"""Previews created with new resources: table, text, image and map views, rendered."""
from __future__ import annotations

import base64
import json

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, PLUGINS, run_jobs, served_portal)  # noqa: F401 (fixture)

VIEW_PLUGINS = PLUGINS.replace("image_view", "image_view geojson_view")
pytestmark = [
    *MARKS,
    pytest.mark.ckan_config("ckan.plugins", VIEW_PLUGINS),
    pytest.mark.ckan_config("ckan.views.default_views",
                            "datatables_view text_view image_view geojson_view"),
]

CSV = ("code_insee;commune;montant\n"
       "35238;Rennes;1200.5\n"
       "35047;Bruz;830\n").encode("utf-8")
GEOJSON = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"nom": "Mairie de Rennes"},
    "geometry": {"type": "Point", "coordinates": [-1.6794, 48.1113]}}]}).encode()
# A 1×1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                       "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def _resource(name: str, content: bytes, fmt: str) -> dict:
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    return helpers.call_action(
        "resource_create", {"user": user["name"]}, package_id=dataset["id"],
        name=name, format=fmt, upload=upload(content, name))


def _view_types(resource_id: str) -> list[str]:
    return [v["view_type"] for v in helpers.call_action("resource_view_list",
                                                        id=resource_id)]


def test_a_loaded_csv_gets_a_table_view_once_the_datastore_load_completes(served_portal):
    """datatables_view needs the DataStore: xloader's hook creates it after the load."""
    resource = _resource("subventions.csv", CSV, "CSV")
    assert "datatables_view" not in _view_types(resource["id"])
    run_jobs()
    assert _view_types(resource["id"]).count("datatables_view") == 1


@pytest.mark.parametrize("name, content, fmt", [
    ("equipements.json", b'{"nom": "Piscine"}', "JSON"),
    ("equipements.xml", b"<equipements><nom>Piscine</nom></equipements>", "XML"),
    ("lisez-moi.txt", "Données ouvertes de Rennes".encode(), "TXT"),
])
def test_json_xml_and_txt_resources_get_a_text_view(name, content, fmt):
    """JSON, XML and TXT are shown by core's text view."""
    resource = _resource(name, content, fmt)
    assert _view_types(resource["id"]) == ["text_view"]


def test_a_png_resource_gets_an_image_view():
    """An image resource is shown by core's image view."""
    resource = _resource("plan.png", PNG, "PNG")
    assert _view_types(resource["id"]) == ["image_view"]


def test_a_geojson_resource_gets_a_map_whose_page_renders_with_local_leaflet(app):
    """The GeoJSON map view page loads Leaflet from the portal and no tile server."""
    resource = _resource("mairies.geojson", GEOJSON, "GeoJSON")
    views = helpers.call_action("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views] == ["geojson_view"]
    page = app.get("/dataset/{}/resource/{}/view/{}".format(
        resource["package_id"], resource["id"], views[0]["id"]))
    assert page.status_code == 200
    assert 'data-module="geojsonpreview"' in page.body
    assert "leaflet-control-no-provider { display: none; }" in page.body
    assert "tile.openstreetmap" not in page.body and "stamen" not in page.body
    scripts = [src for src in _script_sources(page.body) if "geojson" in src]
    assert scripts and all(src.startswith("/") for src in scripts)
    assert app.get(scripts[0]).status_code == 200


def _script_sources(html: str) -> list[str]:
    import re
    return re.findall(r'<script[^>]+src="([^"]+)"', html)
