"""The resource page tells its DataStore load (status, rows, time, error) in French."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.opendata_governance.datastore import load_errors
from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, run_jobs, served_portal)  # noqa: F401 (fixture)

pytestmark = MARKS

CSV = ("code_insee;commune;montant\n"
       "35238;Rennes;1200.5\n"
       "35047;Bruz;830\n").encode("utf-8")


def _page(app, resource, token=None):
    headers = {"Authorization": token} if token else {}
    return app.get("/fr/dataset/{}/resource/{}".format(
        resource["package_id"], resource["id"]), headers=headers).body


def _csv_resource(**fields):
    user = factories.Sysadmin()
    dataset = factories.Dataset()
    data = {"package_id": dataset["id"], "format": "CSV", **fields}
    if "url" not in fields:
        data.update(name="subventions.csv", upload=upload(CSV, "subventions.csv"))
    return helpers.call_action("resource_create", {"user": user["name"]}, **data)


def test_a_queued_load_is_shown_as_waiting(app, served_portal):
    """Before the worker runs, readers see that the load is waiting."""
    resource = _csv_resource()
    page = _page(app, resource)
    assert 'data-load-status="pending"' in page
    assert "En attente de chargement" in page
    # xloader's own badge, translated by our catalogue.
    assert "Données en attente de chargement dans le DataStore" in page


def test_a_completed_load_shows_its_rows_and_time_to_anonymous_readers(app, served_portal):
    """After the load, anyone who may see the resource reads the rows loaded and when."""
    resource = _csv_resource()
    run_jobs()
    page = _page(app, resource)
    assert 'data-load-status="complete"' in page
    assert "Chargé" in page and "Lignes chargées" in page
    assert "<dd class=\"col-sm-8\">2</dd>" in page
    assert "Dernier chargement" in page


# The dead link is on the test's own server (127.0.0.1), which the gate refuses unless
# allow-listed.
@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")
def test_a_failed_download_is_told_in_french_and_the_raw_text_only_to_sysadmins(
        app, served_portal):
    """A 404 link: a French sentence for everyone, xloader's own text for sysadmins."""
    resource = _csv_resource(url=served_portal + "/absent/subventions.csv",
                             name="Lien mort")
    run_jobs()
    assert helpers.call_action("xloader_status", {"ignore_auth": True},
                               resource_id=resource["id"])["status"] == "error"
    anonymous = _page(app, resource)
    assert "aucun fichier à son adresse (erreur HTTP 404)" in anonymous
    assert "Message technique" not in anonymous and "status=404" not in anonymous
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    page = _page(app, resource, token)
    assert "aucun fichier à son adresse (erreur HTTP 404)" in page
    assert "Message technique (administrateurs du site uniquement)" in page
    assert "status=404" in page


# The dead link is on the test's own server (127.0.0.1), which the gate refuses unless
# allow-listed.
@pytest.mark.ckan_config("ckanext.opendata_governance.fetch_allowlist", "127.0.0.1")
def test_xloaders_datastore_tab_tells_editors_the_error_in_french(app, served_portal):
    """On /dataset/<id>/resource_data/<rid>, an editor reads the French sentence and
    not xloader's raw text; a sysadmin still gets the raw text."""
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    resource = helpers.call_action(
        "resource_create", {"user": factories.Sysadmin()["name"]},
        package_id=dataset["id"], format="CSV", name="Lien mort",
        url=served_portal + "/absent/subventions.csv")
    run_jobs()
    url = "/fr/dataset/{}/resource_data/{}".format(dataset["id"], resource["id"])
    token = factories.APIToken(user=editor["name"])["token"]
    page = app.get(url, headers={"Authorization": token}).body
    assert "aucun fichier à son adresse (erreur HTTP 404)" in page
    assert ".module-content > .alert-error { display: none; }" in page
    admin = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    page = app.get(url, headers={"Authorization": admin}).body
    assert "aucun fichier à son adresse (erreur HTTP 404)" in page
    assert "alert-error { display: none; }" not in page
    assert "status=404" in page


def test_a_private_datasets_load_status_is_not_shown_to_outsiders(app, served_portal):
    """The block follows the resource's visibility: an outsider gets no page at all."""
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    resource = helpers.call_action(
        "resource_create", {"user": factories.Sysadmin()["name"]},
        package_id=dataset["id"], format="CSV", name="s.csv",
        upload=upload(CSV, "s.csv"))
    outsider = factories.APIToken(user=factories.User()["name"])["token"]
    response = app.get("/fr/dataset/{}/resource/{}".format(dataset["id"], resource["id"]),
                       headers={"Authorization": outsider}, status=404)
    assert "data-load-status" not in response.body


@pytest.mark.parametrize("raw, french", [
    ("Data too large to load into Datastore: 209715200 bytes > max 52428800 bytes.",
     "trop volumineux pour être chargé dans le DataStore (200 Mio ; le portail charge "
     "les fichiers jusqu'à 50 Mio)"),
    ("b'Xloader received a bad HTTP response when trying to download the data file "
     "status=403 url=http://x/y.csv response=None'", "son serveur en refuse l'accès"),
    ("b'Connection refused status=None url=http://x/y.csv response=None'",
     "son serveur est injoignable"),
    ("Error during the load into PostgreSQL: extra data after last expected column",
     "autant de valeurs que l'en-tête a de colonnes"),
    ("Row 3 has more values than the 2 column(s) in the header. The extra value is: 'x'.",
     "autant de valeurs que l'en-tête a de colonnes"),
    ("'utf-8' codec can't decode byte 0xe9 in position 12: invalid continuation byte",
     "enregistrez-le en UTF-8"),
    ("Loading file raised an error: File is not a zip file", "lu comme un tableau"),
    ("Could not create the database table: tables can have at most 1600 columns",
     "trop de colonnes"),
    ("No entries found - nothing to load", "aucune ligne à charger"),
    ("Something nobody foresaw", "n'a pas pu être chargé dans le DataStore"),
])
def test_xloader_messages_are_told_in_plain_french(app, raw, french):
    """Each usual xloader error has its French sentence; others get a general one."""
    with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "fr"}):
        assert french in load_errors.explain(raw)


def test_the_error_message_is_read_from_a_dict_or_a_string():
    """xloader_status gives ``{"message": ...}`` or, after a timeout, a bare string."""
    assert load_errors.raw_message({"message": "boom"}) == "boom"
    assert load_errors.raw_message("boom") == "boom"
    assert load_errors.raw_message(None) is None
