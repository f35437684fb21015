"""Cadence fields of a dataset: validation, and the automatic last data update."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.shared import as_user
from tests.opendata_governance.services_setup import MARKS, dataset, make_portal

pytestmark = MARKS

OLD = "2020-01-15"


def _last_update(dataset_id: str) -> str:
    return helpers.call_action("package_show", id=dataset_id)["last_data_update"]


def _upload(name: str = "data.csv") -> FileStorage:
    return FileStorage(stream=io.BytesIO(b"a,b\n1,2\n"), filename=name,
                       content_type="text/csv")


def test_unknown_frequency_code_is_refused():
    """An update frequency outside the EU list is a ValidationError on update_frequency."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        dataset(portal, update_frequency="SOMETIMES")
    assert "update_frequency" in error.value.error_dict


def test_frequency_uri_is_stored_as_its_code():
    """The EU URI of a frequency is accepted and stored as the authority code."""
    portal = make_portal()
    created = dataset(portal, update_frequency=(
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY"))
    assert created["update_frequency"] == "MONTHLY"


def test_bad_last_data_update_is_refused():
    """A last data update that is not a date is a ValidationError on last_data_update."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        dataset(portal, last_data_update="15/01/2020")
    assert "last_data_update" in error.value.error_dict


def test_last_data_update_is_stored_as_an_iso_date():
    """A valid last data update is stored as YYYY-MM-DD."""
    portal = make_portal()
    created = dataset(portal, last_data_update="2020-01-15T10:00:00")
    assert created["last_data_update"] == OLD


def test_frequency_choices_are_the_eu_list_in_french():
    """The select offers every EU code, labelled in French for a French page."""
    from ckanext.opendata_governance import helpers as governance_helpers

    with helpers.changed_config("ckan.locale_default", "fr"):
        choices = governance_helpers.governance_frequency_choices({})
    labels = {choice["value"]: choice["label"] for choice in choices}
    assert labels["MONTHLY"] == "Mensuel"
    assert "IRREG" in labels


def test_new_resource_bumps_last_data_update():
    """Adding a resource sets the dataset's last data update to today."""
    portal = make_portal()
    created = dataset(portal, last_data_update=OLD)
    helpers.call_action("resource_create", as_user(portal.editor),
                        package_id=created["id"], url="http://example.org/a.csv")
    assert _last_update(created["id"]) == dt.date.today().isoformat()


def test_changed_url_bumps_last_data_update():
    """Pointing a resource at another URL sets the last data update to today."""
    portal = make_portal()
    created = dataset(portal)
    resource = factories.Resource(package_id=created["id"], url="http://example.org/a.csv")
    helpers.call_action("package_patch", id=created["id"], last_data_update=OLD)
    helpers.call_action("resource_patch", as_user(portal.editor),
                        id=resource["id"], url="http://example.org/b.csv")
    assert _last_update(created["id"]) == dt.date.today().isoformat()


def test_upload_bumps_last_data_update(ckan_config, monkeypatch, tmp_path):
    """Uploading a new file to a resource sets the last data update to today."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    portal = make_portal()
    created = dataset(portal)
    resource = helpers.call_action("resource_create", as_user(portal.editor),
                                   package_id=created["id"], upload=_upload())
    helpers.call_action("package_patch", id=created["id"], last_data_update=OLD)
    helpers.call_action("resource_patch", as_user(portal.editor),
                        id=resource["id"], upload=_upload())
    assert _last_update(created["id"]) == dt.date.today().isoformat()


def test_description_edit_keeps_last_data_update():
    """Editing only a resource's description leaves the last data update as it was."""
    portal = make_portal()
    created = dataset(portal)
    resource = factories.Resource(package_id=created["id"], url="http://example.org/a.csv")
    helpers.call_action("package_patch", id=created["id"], last_data_update=OLD)
    helpers.call_action("resource_patch", as_user(portal.editor),
                        id=resource["id"], description="Nouvelle description")
    assert _last_update(created["id"]) == OLD


def test_last_data_update_stays_editable_by_hand():
    """The producer may set the last data update themselves."""
    portal = make_portal()
    created = dataset(portal)
    helpers.call_action("package_patch", as_user(portal.editor),
                        id=created["id"], last_data_update="2024-05-02")
    assert _last_update(created["id"]) == "2024-05-02"
