"""The licence register in the governance plugin: validation, form, facet, migration command."""
from __future__ import annotations

import html
import re
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.opendata_governance import fingerprint
from ckanext.opendata_governance.cli import opendata_governance
from ckanext.opendata_governance.model import Event
from tests.opendata_governance.gate_setup import approve, open_dataset
from tests.shared import login
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

ALLOWED = ("etalab-2.0, etalab-1.0, odc-odbl, cc-by-4.0, cc-by-sa-4.0, cc-zero, "
           "notspecified, other-closed")


def _relabel(dataset_id: str, licence_id: str) -> None:
    """Give a dataset a licence id as an older portal stored (and indexed) it, past
    today's validation."""
    model.Package.get(dataset_id).license_id = licence_id
    model.Session.commit()
    search.rebuild(dataset_id)


@pytest.mark.parametrize("licence", ["my-own-licence", "lov2", "cc-by"])
def test_package_create_refuses_an_id_outside_the_register(licence):
    """An unknown id or an alias is a ValidationError on license_id naming the allowed ids."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_create", name="budget", license_id=licence)
    assert error.value.error_dict["license_id"] == [
        f"Unknown licence: {licence}. The portal's licences are: {ALLOWED}"]


@pytest.mark.parametrize("licence", ["etalab-2.0", "other-closed", ""])
def test_package_create_takes_register_ids_or_none(licence):
    """Any id of the register, or no licence at all, is accepted."""
    dataset = helpers.call_action("package_create", name="budget", license_id=licence)
    assert (dataset.get("license_id") or "") == licence


def test_an_edit_may_keep_the_legacy_id_it_has_but_not_choose_one():
    """Before the migration a dataset keeps its alias through other edits; choosing
    another id outside the register is refused."""
    dataset = factories.Dataset(license_id="etalab-2.0")
    _relabel(dataset["id"], "other-at")
    patched = helpers.call_action("package_patch", id=dataset["id"], title="Budget 2026")
    assert patched["license_id"] == "other-at"
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", id=dataset["id"], license_id="lov2")
    assert "license_id" in error.value.error_dict


def _options(body: str) -> list[tuple[str, bool]]:
    select = re.search(r'<select[^>]*id="field-license_id".*?</select>', body, re.S).group(0)
    return [(re.search(r'value="([^"]*)"', attrs).group(1), "selected" in attrs)
            for attrs in re.findall(r"<option([^>]*)>", select)]


def test_new_dataset_form_offers_the_register_with_licence_ouverte_selected(app):
    """The new dataset page lists the register in its order, Licence Ouverte 2.0 selected."""
    portal = make_portal()
    body = html.unescape(login(app, portal.editor).get("/dataset/new").body)
    options = _options(body)
    assert [value for value, _ in options][:3] == ["etalab-2.0", "etalab-1.0", "odc-odbl"]
    assert [value for value, selected in options if selected] == ["etalab-2.0"]
    assert ">Open Licence 2.0 (Licence Ouverte)</option>" in body
    french = html.unescape(login(app, portal.editor).get("/fr/dataset/new").body)
    assert ">Licence Ouverte / Open Licence 2.0</option>" in french


def test_edit_form_of_a_dataset_without_licence_shows_not_specified(app):
    """An existing dataset without a licence is shown "not specified", not given one."""
    portal = make_portal()
    dataset = factories.Dataset(owner_org=portal.org["id"], private=True)
    body = login(app, portal.editor).get(f"/dataset/edit/{dataset['name']}").body
    assert [value for value, selected in _options(body) if selected] == ["notspecified"]


def test_search_facet_shows_licence_titles(app):
    """The licence facet of the search page names licences by their register title in the
    page's language (French, or the register's English title), never by id."""
    factories.Dataset(license_id="etalab-2.0")
    for path, title in (("/fr/dataset/", "Licence Ouverte / Open Licence 2.0"),
                        ("/dataset/", "Open Licence 2.0 (Licence Ouverte)")):
        body = html.unescape(app.get(path).body)
        link = body.index("license_id=etalab-2.0")
        assert f'title="{title}"' in body[link:link + 200]
    result = helpers.call_action("package_search", **{"facet.field": '["license_id"]'})
    (item,) = result["search_facets"]["license_id"]["items"]
    assert item["display_name"] == "Licence Ouverte / Open Licence 2.0"


def _legacy_datasets() -> dict[str, dict[str, Any]]:
    datasets = {}
    for name, old in (("covoiturage", "other-at"), ("budget", "lov2"), ("voirie", "fr-lo"),
                      ("archives", "gfdl"), ("plan", "etalab-2.0")):
        datasets[name] = factories.Dataset(name=name, license_id="etalab-2.0")
        _relabel(datasets[name]["id"], old)
    return datasets


def _licence_of(name: str) -> str:
    return model.Package.get(name).license_id


def test_migrate_dry_run_lists_changes_and_changes_nothing(cli):
    """The dry run prints each move and each unrecognised id, and writes nothing."""
    _legacy_datasets()
    result = cli.invoke(opendata_governance, ["licences", "migrate", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["budget", "lov2", "->", "etalab-2.0", "would", "move"] in lines
    assert ["covoiturage", "other-at", "->", "etalab-2.0", "would", "move"] in lines
    assert ["voirie", "fr-lo", "->", "etalab-1.0", "would", "move"] in lines
    assert "archives" in result.output and "not recognised" in result.output
    assert "Dry run: 3 dataset(s) would move, 1 not recognised." in result.output
    assert _licence_of("budget") == "lov2" and _licence_of("covoiturage") == "other-at"
    assert model.Session.query(Event).filter_by(event_type="licence_migrated").count() == 0


def test_migrate_moves_aliases_and_leaves_unknown_ids(cli):
    """The real run gives the register's ids, records an event per dataset, and leaves
    an unrecognised id (reported) and register ids as they are."""
    _legacy_datasets()
    result = cli.invoke(opendata_governance, ["licences", "migrate"])
    assert result.exit_code == 0, result.output
    assert "3 dataset(s) moved, 0 failed, 1 not recognised." in result.output
    assert [_licence_of(name) for name in ("budget", "covoiturage", "voirie", "archives",
                                           "plan")] == [
        "etalab-2.0", "etalab-2.0", "etalab-1.0", "gfdl", "etalab-2.0"]
    shown = helpers.call_action("package_show", id="covoiturage")
    assert shown["license_title"] == "Licence Ouverte / Open Licence 2.0"
    events = model.Session.query(Event).filter_by(event_type="licence_migrated").all()
    assert sorted((e.details["from"], e.details["to"]) for e in events) == [
        ("fr-lo", "etalab-1.0"), ("lov2", "etalab-2.0"), ("other-at", "etalab-2.0")]
    again = cli.invoke(opendata_governance, ["licences", "migrate"])
    assert "0 dataset(s) moved" in again.output


def test_migrate_map_option_moves_an_unrecognised_id(cli):
    """--map OLD=NEW moves an id the register does not recognise; a target outside the
    register is refused before anything changes."""
    _legacy_datasets()
    refused = cli.invoke(opendata_governance, ["licences", "migrate", "--map", "gfdl=gfdl-1.3"])
    assert refused.exit_code == 2
    assert _licence_of("archives") == "gfdl"
    result = cli.invoke(opendata_governance, ["licences", "migrate", "--map",
                                              "gfdl=other-closed"])
    assert result.exit_code == 0, result.output
    assert _licence_of("archives") == "other-closed"


def test_migrate_keeps_the_sign_off_of_a_published_dataset(cli):
    """A public dataset signed off under its alias stays public, and its sign-off still
    covers it under the register's id."""
    portal = make_portal()
    dataset = factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True,
                                               license_id="etalab-2.0"))
    _relabel(dataset["id"], "other-at")
    approve(dataset["id"])
    helpers.call_action("package_patch", id=dataset["id"], private=False)
    result = cli.invoke(opendata_governance, ["licences", "migrate"])
    assert result.exit_code == 0, result.output
    package = model.Package.get(dataset["id"])
    assert (package.license_id, package.private) == ("etalab-2.0", False)
    assert fingerprint.matching_approval(package) is not None
