"""Without a schema, the dataset's editors fill the data dictionary in core's
Data Dictionary form (datastore blueprint); readers get a 403, those who cannot
see the dataset a 404."""
from __future__ import annotations

import html

from ckan.tests import factories, helpers

from tests.opendata_governance.checks_setup import upload
from tests.opendata_governance.datastore_setup import (
    MARKS, run_jobs, served_portal)  # noqa: F401 (fixture)
from tests.opendata_governance.gate_setup import switch_gate
from tests.shared import PASSWORD, csrf_token, login

pytestmark = MARKS

CSV = ("code_insee;commune;montant\n"
       "75056;Paris;1200.5\n"
       "69123;Lyon;830\n").encode("utf-8")


def _loaded(private: bool = False) -> dict:
    editor = factories.User(password=PASSWORD)
    reader = factories.User(password=PASSWORD)
    outsider = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"},
                                        {"name": reader["name"], "capacity": "member"}])
    switch_gate(org["id"], False)  # the gate is not what these tests are about
    dataset = factories.Dataset(owner_org=org["id"], private=private)
    resource = helpers.call_action(
        "resource_create", {"user": editor["name"]}, package_id=dataset["id"],
        name="Montants", format="CSV", upload=upload(CSV, "montants.csv"))
    run_jobs()
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"]
    return {"editor": editor, "reader": reader, "outsider": outsider,
            "dataset": dataset, "resource": resource,
            "url": f"/fr/dataset/{dataset['name']}/dictionary/{resource['id']}"}


def test_an_editor_fills_the_dictionary_and_the_resource_page_shows_it(app, served_portal):
    setup = _loaded()
    client = login(app, setup["editor"])
    form = client.get(setup["url"])
    assert form.status_code == 200
    page = html.unescape(form.get_data(as_text=True))
    assert "Dictionnaire de données" in page
    assert "commune" in page and "montant" in page

    saved = client.post(setup["url"], data={
        "_csrf_token": csrf_token(form.get_data(as_text=True)),
        "info__1__label": "Code INSEE de la commune",
        "info__1__notes": "Code officiel géographique, cinq caractères.",
        "info__1__type_override": "",
        "info__2__label": "Commune", "info__2__notes": "", "info__2__type_override": "",
        "info__3__label": "Montant (€)", "info__3__notes": "Montant versé, en euros.",
        "info__3__type_override": "numeric",
    }, follow_redirects=False)
    assert saved.status_code == 302

    fields = {f["id"]: f for f in helpers.call_action(
        "datastore_info", {"ignore_auth": True}, id=setup["resource"]["id"])["fields"]}
    assert fields["code_insee"]["info"]["label"] == "Code INSEE de la commune"
    assert fields["montant"]["info"]["notes"] == "Montant versé, en euros."
    assert fields["montant"]["info"]["type_override"] == "numeric"

    resource_page = html.unescape(app.get(
        f"/fr/dataset/{setup['dataset']['name']}/resource/{setup['resource']['id']}"
    ).get_data(as_text=True))
    assert "Dictionnaire de données" in resource_page
    assert "Code INSEE de la commune" in resource_page
    assert "Montant versé, en euros." in resource_page

    # The type override takes effect at the next load, as core's form says.
    helpers.call_action("xloader_submit", {"ignore_auth": True},
                        resource_id=setup["resource"]["id"], ignore_hash=True)
    run_jobs()
    fields = {f["id"]: f for f in helpers.call_action(
        "datastore_info", {"ignore_auth": True}, id=setup["resource"]["id"])["fields"]}
    assert fields["montant"]["type"] == "numeric"
    assert fields["montant"]["info"]["label"] == "Montant (€)"


def test_a_reader_gets_a_403_and_cannot_save(app, served_portal):
    setup = _loaded()
    client = login(app, setup["reader"])
    assert client.get(setup["url"]).status_code == 403
    refused = client.post(setup["url"], data={"info__1__label": "X"})
    assert refused.status_code in (400, 403)  # no CSRF token for a reader either way
    anonymous = app.get(setup["url"], status=403)
    assert "Seuls les éditeurs du jeu de données" in html.unescape(
        anonymous.get_data(as_text=True))
    fields = helpers.call_action("datastore_info", {"ignore_auth": True},
                                 id=setup["resource"]["id"])["fields"]
    assert not any((f.get("info") or {}).get("label") for f in fields)


def test_who_cannot_see_a_private_dataset_gets_a_404(app, served_portal):
    setup = _loaded(private=True)
    assert login(app, setup["outsider"]).get(setup["url"]).status_code == 404
    assert login(app, setup["reader"]).get(setup["url"]).status_code == 403
    assert login(app, setup["editor"]).get(setup["url"]).status_code == 200


def test_the_resource_edit_page_has_the_data_dictionary_tab(app, served_portal):
    setup = _loaded()
    client = login(app, setup["editor"])
    edit = client.get(
        f"/fr/dataset/{setup['dataset']['name']}/resource/{setup['resource']['id']}/edit")
    assert edit.status_code == 200
    assert f"/dataset/{setup['dataset']['name']}/dictionary/{setup['resource']['id']}" in \
        edit.get_data(as_text=True)
