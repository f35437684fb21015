"""Help on every field of the dataset and resource forms, in the page's language, and the
schema picker of ``conforms_to`` (shipped schemas and the portal's, never a private one's)."""
from __future__ import annotations

import html
import pathlib
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.opendata_governance import schema_catalogue
from tests.opendata_governance.gate_setup import open_dataset, switch_gate
from tests.shared import login
from tests.opendata_governance.services_setup import MARKS, make_portal

pytestmark = MARKS

SCHEMA_FILE = (pathlib.Path(schema_catalogue.__file__).parent / "schemas" / "dataset.yaml")
SUBVENTIONS = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
PRIVATE_SCHEMA = "https://schemas.example.org/confidentiel/schema.json"
PUBLIC_SCHEMA = "https://schemas.example.org/arbres/schema.json"


def _fields(kind: str) -> list[dict[str, Any]]:
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))[f"{kind}_fields"]


def _text(response: Any) -> str:
    """The page's text, entities decoded (help texts hold quotes and apostrophes)."""
    return html.unescape(response.body)


def _dataset_form(app: Any, user: dict[str, Any], lang: str) -> str:
    prefix = "/fr" if lang == "fr" else ""
    return _text(login(app, user).get(f"{prefix}/dataset/new"))


def _resource_form(app: Any, user: dict[str, Any], dataset: dict[str, Any], lang: str) -> str:
    prefix = "/fr" if lang == "fr" else ""
    return _text(login(app, user).get(f"{prefix}/dataset/{dataset['name']}/resource/new"))


def _private(portal: Any, **kwargs: Any) -> dict[str, Any]:
    return factories.Dataset(**open_dataset(owner_org=portal.org["id"], private=True,
                                            **kwargs))


def test_every_field_of_the_schema_has_help_with_an_example_in_both_languages():
    """Each dataset and resource field of the schema carries English and French help
    that gives an example."""
    for field in _fields("dataset") + _fields("resource"):
        help_text = field.get("help_text")
        assert isinstance(help_text, dict), field["field_name"]
        assert "Example" in help_text["en"], field["field_name"]
        assert "Exemple" in help_text["fr"], field["field_name"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_dataset_form_shows_each_fields_help_in_the_pages_language(app, lang):
    """The real dataset form shows every field's help in the page's language, the
    other language's nowhere, and explains the Visibilité field."""
    portal = make_portal()
    page = _dataset_form(app, portal.editor, lang)
    other = "en" if lang == "fr" else "fr"
    for field in _fields("dataset"):
        assert field["help_text"][lang] in page, field["field_name"]
        assert field["help_text"][other] not in page, field["field_name"]
    visibility = ("Privé : seuls les membres de l'organisation voient le jeu de données"
                  if lang == "fr" else "Private: only the members of the organization")
    assert visibility in page
    assert "License definitions and additional information" not in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_resource_form_shows_each_fields_help_in_the_pages_language(app, lang):
    """The real resource form shows every resource field's help in the page's language."""
    portal = make_portal()
    dataset = _private(portal)
    page = _resource_form(app, portal.editor, dataset, lang)
    for field in _fields("resource"):
        assert field["help_text"][lang] in page, field["field_name"]


def test_the_help_sits_under_its_field(app):
    """A field's help is in the same form group as its input, so it reads with the field."""
    portal = make_portal()
    soup = BeautifulSoup(login(app, portal.editor).get("/fr/dataset/new").body, "html.parser")
    title = soup.select_one("#field-title").find_parent(class_="form-group")
    assert "Exemple : « Subventions versées" in title.get_text()


def test_conforms_to_offers_the_shipped_schemas_by_title_without_javascript(app):
    """The conforms_to input is tied to a <datalist> of the shipped schemas, each titled."""
    portal = make_portal()
    dataset = _private(portal)
    soup = BeautifulSoup(login(app, portal.editor).get(
        f"/dataset/{dataset['name']}/resource/new").body, "html.parser")
    field = soup.select_one("#field-conforms_to")
    assert field["list"] == "conforms-to-schemas"
    options = {option["value"]: option.get("label")
               for option in soup.select("datalist#conforms-to-schemas option")}
    assert options[SUBVENTIONS] == "Subventions (2.1.1)"
    assert set(schema_catalogue.shipped()) <= set(options)


def _public(portal: Any) -> dict[str, Any]:
    """A public dataset (the organization's publication gate switched off)."""
    switch_gate(portal.org["id"], False)
    return factories.Dataset(**open_dataset(owner_org=portal.org["id"]))


def _resource_with_schema(dataset: dict[str, Any], url: str) -> None:
    factories.Resource(package_id=dataset["id"], url="https://example.org/data.csv",
                       format="CSV", conforms_to=url)


def _offered(user: dict[str, Any] | None) -> list[str]:
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return [option["url"] for option in
            helpers.call_action("governance_table_schema_list", context)]


def test_the_portal_schemas_are_offered_and_a_private_datasets_only_to_its_members():
    """Schema URLs of public resources are offered to everyone; those of a private
    dataset's resources only to its organization's members and sysadmins."""
    portal = make_portal()
    _resource_with_schema(_public(portal), PUBLIC_SCHEMA)
    _resource_with_schema(_private(portal), PRIVATE_SCHEMA)
    for who in (None, portal.plain, portal.other_editor):
        offered = _offered(who)
        assert PUBLIC_SCHEMA in offered and PRIVATE_SCHEMA not in offered, who
    for who in (portal.member, portal.editor, portal.sysadmin):
        assert PRIVATE_SCHEMA in _offered(who), who


def test_the_private_schema_is_not_in_an_outsiders_resource_form(app):
    """The resource form of another organization's editor does not list a private
    dataset's schema URL; its own organization's editor sees it."""
    portal = make_portal()
    _resource_with_schema(_private(portal), PRIVATE_SCHEMA)
    outsider_dataset = factories.Dataset(**open_dataset(owner_org=portal.other_org["id"],
                                                        private=True))
    assert PRIVATE_SCHEMA not in _resource_form(app, portal.other_editor, outsider_dataset, "en")
    assert PRIVATE_SCHEMA in _resource_form(app, portal.editor, _private(portal), "en")


def test_a_shipped_schema_used_on_the_portal_is_listed_once():
    """A resource declaring a shipped schema does not list it a second time."""
    portal = make_portal()
    _resource_with_schema(_public(portal), SUBVENTIONS)
    assert _offered(portal.plain).count(SUBVENTIONS) == 1


def test_a_deleted_resources_schema_and_a_non_url_value_are_not_offered():
    """Only http(s) URLs of active resources are offered."""
    portal = make_portal()
    public = _public(portal)
    resource = factories.Resource(package_id=public["id"], url="https://example.org/a.csv",
                                  conforms_to=PUBLIC_SCHEMA)
    _resource_with_schema(public, '{"fields": []}')
    helpers.call_action("resource_delete", id=resource["id"])
    offered = _offered(portal.plain)
    assert PUBLIC_SCHEMA not in offered and '{"fields": []}' not in offered


def test_the_list_limit_is_checked():
    """A limit that is not a number is a validation error naming the field."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("governance_table_schema_list", limit="many")
    assert "limit" in error.value.error_dict


def test_anyone_may_list_the_schemas():
    """The auth function lets visitors and every user list the schemas."""
    assert helpers.call_auth("governance_table_schema_list", {"user": ""})
    assert helpers.call_auth("governance_table_schema_list",
                             {"user": factories.User()["name"]})
