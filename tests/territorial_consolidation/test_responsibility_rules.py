"""Responsibility rules ("qui ouvre quoi"): actions, the rules of a dataset, precedence."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.territorial_consolidation import duplicates
from ckanext.territorial_consolidation.model import Provenance
from tests.shared import as_user
from tests.territorial_consolidation.territory_setup import MARKS, harvested_dataset

pytestmark = MARKS

SCHEMA = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"


def test_rules_create_list_delete() -> None:
    """A rule is created, listed by kind, refused twice, and deleted."""
    sysadmin = {"user": factories.Sysadmin()["name"]}
    schema = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
    rule = helpers.call_action("responsibility_rule_create", dict(sysadmin), kind="schema",
                               value=schema, level="commune", note="Actes de la commune")
    helpers.call_action("responsibility_rule_create", dict(sysadmin), kind="keyword",
                        value="Transport", level="region")
    listed = helpers.call_action("responsibility_rule_list")
    assert listed["count"] == 2
    assert [row["value"] for row in listed["results"]] == ["transport", schema]
    assert helpers.call_action("responsibility_rule_list", kind="keyword")["count"] == 1
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("responsibility_rule_create", dict(sysadmin), kind="schema",
                            value=schema, level="region")
    assert "value" in error.value.error_dict
    helpers.call_action("responsibility_rule_delete", dict(sysadmin), id=rule["id"])
    assert helpers.call_action("responsibility_rule_list")["count"] == 1
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("responsibility_rule_delete", dict(sysadmin), id=rule["id"])


def test_rules_refuse_bad_input_by_field() -> None:
    """A bad kind, level or schema URL is an error naming the field."""
    sysadmin = {"user": factories.Sysadmin()["name"]}
    cases = [({"kind": "colour", "value": "x", "level": "commune"}, "kind"),
             ({"kind": "theme", "value": "x", "level": "canton"}, "level"),
             ({"kind": "theme", "value": " ", "level": "commune"}, "value"),
             ({"kind": "schema", "value": "javascript:alert(1)", "level": "commune"},
              "value")]
    for data, field in cases:
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("responsibility_rule_create", dict(sysadmin), **data)
        assert field in error.value.error_dict, data


def test_rules_of_a_dataset_by_schema_theme_and_keyword() -> None:
    """A dataset's rules are those matching its resources' schema, its groups or its tags."""
    sysadmin = {"user": factories.Sysadmin()["name"]}
    for kind, value in (("schema", SCHEMA), ("theme", "Environnement"),
                        ("keyword", "budget"), ("keyword", "transport")):
        helpers.call_action("responsibility_rule_create", dict(sysadmin), kind=kind,
                            value=value, level="commune")
    group = factories.Group(name="environnement")
    dataset = factories.Dataset(
        groups=[{"id": group["id"]}], tags=[{"name": "Budget"}],
        resources=[{"url": "https://a.example/d.csv", "conforms_to": SCHEMA}])
    rules = helpers.call_action("responsibility_rule_list", package_id=dataset["id"])
    assert [(rule["kind"], rule["value"]) for rule in rules["results"]] == [
        ("keyword", "budget"), ("schema", SCHEMA), ("theme", "environnement")]


def test_rules_of_a_private_dataset_are_not_told_to_outsiders() -> None:
    """Asking the rules of a private dataset one cannot read is refused."""
    dataset = factories.Dataset(owner_org=factories.Organization()["id"], private=True)
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("responsibility_rule_list", as_user(factories.User()),
                            package_id=dataset["id"])


def test_schema_rule_makes_the_national_copy_canonical() -> None:
    """A schema rule naming the national level puts the national copy first."""
    helpers.call_action("responsibility_rule_create", kind="schema", value=SCHEMA,
                        level="national")
    org = factories.Organization()
    urls = ("https://files.example/delib.csv",)
    commune = harvested_dataset(org, "https://data.rennes.example", "commune", "35238",
                                "Délibérations", urls=urls, schema=SCHEMA)
    national = harvested_dataset(org, "https://www.data.gouv.example", "national", "FR",
                                 "Délibérations", urls=urls, schema=SCHEMA)
    duplicates.detect([commune["id"]])
    assert Provenance.get(national["id"]).canonical_package_id is None
    assert Provenance.get(commune["id"]).canonical_package_id == national["id"]


def test_without_rule_intermediate_levels_come_before_national() -> None:
    """Without rule or producer copy, the intermediate levels come before the national one."""
    org = factories.Organization()
    urls = ("https://files.example/arbres.csv",)
    about = ("commune", "35238")  # a commune's data, republished by others
    region = harvested_dataset(org, "https://data.bretagne.example", "region", "53",
                               "Arbres", urls=urls, about=about)
    national = harvested_dataset(org, "https://www.data.gouv.example", "national", "FR",
                                 "Arbres", urls=urls, about=about)
    epci = harvested_dataset(org, "https://data.metropole.example", "epci", "243500139",
                             "Arbres", urls=urls, about=about)
    duplicates.detect([national["id"]])
    assert Provenance.get(epci["id"]).canonical_package_id is None
    assert Provenance.get(region["id"]).canonical_package_id == epci["id"]
    assert Provenance.get(national["id"]).canonical_package_id == epci["id"]


def test_the_producers_copy_beats_a_lower_level_copy() -> None:
    """A région's own dataset harvested from its portal beats the copy on a commune portal."""
    org = factories.Organization()
    urls = ("https://files.example/lycees.csv",)
    about = ("region", "53")
    commune = harvested_dataset(org, "https://data.rennes.example", "commune", "35238",
                                "Lycées", urls=urls, about=about)
    region = harvested_dataset(org, "https://data.bretagne.example", "region", "53",
                               "Lycées", urls=urls, about=about)
    duplicates.detect([commune["id"]])
    assert Provenance.get(region["id"]).canonical_package_id is None
    assert Provenance.get(commune["id"]).canonical_package_id == region["id"]
