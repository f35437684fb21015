"""Territory actions: show, list, create, organization territory."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.territorial_consolidation.territory_setup import (
    BRETAGNE, BRUZ, FRANCE, ILLE_ET_VILAINE, MARKS, RENNES, RENNES_METROPOLE, load_dep35)

pytestmark = MARKS


def _ids(result: dict) -> list[str]:
    return [row["id"] for row in result["results"]]


def test_show_by_id_gives_the_contract_fields() -> None:
    """territory_show by id gives id, code, level, name, parent ids and named parents."""
    load_dep35()
    rennes = helpers.call_action("territory_show", id=RENNES)
    assert {key: rennes[key] for key in ("id", "code", "level", "name")} == {
        "id": RENNES, "code": "35238", "level": "commune", "name": "Rennes"}
    assert [parent["name"] for parent in rennes["parents"]] == [
        "Rennes Métropole", "Ille-et-Vilaine"]
    assert "children" not in rennes


def test_show_by_code_needs_the_level_when_ambiguous() -> None:
    """A code shared by a département and a région is refused without its level."""
    load_dep35()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territory_show", code="53")
    assert "level" in error.value.error_dict
    assert helpers.call_action("territory_show", code="53", level="region")["id"] == BRETAGNE
    assert helpers.call_action("territory_show", code="35238")["id"] == RENNES


def test_show_unknown_territory_is_not_found() -> None:
    """An unknown id is NotFound, and a bad level a ValidationError naming it."""
    load_dep35()
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("territory_show", id="commune:99999")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territory_show", code="35", level="canton")
    assert "level" in error.value.error_dict


def test_show_includes_children_on_request() -> None:
    """include_children lists the direct children: an EPCI's member communes."""
    load_dep35()
    metropole = helpers.call_action("territory_show", id=RENNES_METROPOLE,
                                    include_children=True)
    names = [child["name"] for child in metropole["children"]]
    assert len(names) == 43
    assert "Rennes" in names and "Bruz" in names


def test_list_searches_names_without_accents_or_case() -> None:
    """q finds names whatever the accents and case, and codes by their start."""
    load_dep35()
    found = helpers.call_action("territory_list", q="ACIGNE")
    assert [row["name"] for row in found["results"]] == ["Acigné"]
    by_code = helpers.call_action("territory_list", q="35238")
    assert _ids(by_code) == [RENNES]
    rennes_first = helpers.call_action("territory_list", q="rennes")
    assert _ids(rennes_first)[0] == RENNES
    assert RENNES_METROPOLE in _ids(rennes_first)


def test_list_within_a_region_gives_every_commune_below() -> None:
    """within with level gives the communes of a région, through départements and EPCI."""
    load_dep35()
    communes = helpers.call_action("territory_list", within=BRETAGNE, level="commune",
                                   limit=1000)
    assert communes["count"] == 332
    assert {row["level"] for row in communes["results"]} == {"commune"}
    everything = helpers.call_action("territory_list", within=FRANCE, limit=1)
    assert everything["count"] == 332 + 18 + 101 + 18


def test_list_parent_gives_direct_children_only() -> None:
    """parent lists direct children: a département's EPCI and communes, not itself."""
    load_dep35()
    epcis = helpers.call_action("territory_list", parent=ILLE_ET_VILAINE, level="epci")
    assert epcis["count"] == 18
    regions = helpers.call_action("territory_list", parent=FRANCE)
    assert regions["count"] == 18


def test_list_pages_with_count() -> None:
    """limit and offset page the results; count stays the total; limit is capped."""
    load_dep35()
    first = helpers.call_action("territory_list", level="commune", limit=10)
    second = helpers.call_action("territory_list", level="commune", limit=10, offset=10)
    assert first["count"] == second["count"] == 332
    assert len(first["results"]) == 10
    assert not set(_ids(first)) & set(_ids(second))
    capped = helpers.call_action("territory_list", level="commune", limit=5000)
    assert len(capped["results"]) == 332
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territory_list", limit="many")
    assert "limit" in error.value.error_dict


def test_create_adds_a_territory_within_its_parents() -> None:
    """A created territory gets its parents' ancestors and shows up in within queries."""
    load_dep35()
    sysadmin = factories.Sysadmin()
    created = helpers.call_action(
        "territory_create", {"user": sysadmin["name"]}, code="PAYS-RENNES", level="epci",
        name="Pays de Rennes", parent_ids=ILLE_ET_VILAINE, population="500000")
    assert created["id"] == "epci:PAYS-RENNES"
    assert created["population"] == 500000
    within = helpers.call_action("territory_list", within=BRETAGNE, q="pays de rennes")
    assert _ids(within) == ["epci:PAYS-RENNES"]


def test_create_refuses_bad_input_by_field() -> None:
    """Duplicate codes, unknown parents and bad levels are errors naming the field."""
    load_dep35()
    sysadmin = {"user": factories.Sysadmin()["name"]}
    cases = [
        ({"code": "35238", "level": "commune", "name": "Again"}, "code"),
        ({"code": "X1", "level": "commune", "name": "X", "parent_ids": ["epci:1"]},
         "parent_ids"),
        ({"code": "X1", "level": "canton", "name": "X"}, "level"),
        ({"code": "X1", "level": "commune", "name": ""}, "name"),
        ({"code": "a b<", "level": "commune", "name": "X"}, "code"),
    ]
    for data, field in cases:
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("territory_create", dict(sysadmin), **data)
        assert field in error.value.error_dict, data


def test_organization_territory_set_show_and_clear() -> None:
    """An organization linked to a territory is found by organization_id, until cleared."""
    load_dep35()
    org = factories.Organization()
    sysadmin = {"user": factories.Sysadmin()["name"]}
    result = helpers.call_action("territory_organization_set", dict(sysadmin),
                                 organization_id=org["name"], territory_id=RENNES)
    assert result["territory"]["id"] == RENNES
    shown = helpers.call_action("territory_show", organization_id=org["id"])
    assert shown["id"] == RENNES
    assert shown["organization_ids"] == [org["id"]]
    helpers.call_action("territory_organization_set", dict(sysadmin),
                        organization_id=org["id"], territory_id=BRUZ)
    assert helpers.call_action("territory_show", organization_id=org["id"])["id"] == BRUZ
    helpers.call_action("territory_organization_set", dict(sysadmin),
                        organization_id=org["id"], territory_id="")
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("territory_show", organization_id=org["id"])


def test_organization_territory_must_exist() -> None:
    """An unknown territory is a ValidationError naming territory_id."""
    load_dep35()
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territory_organization_set", organization_id=org["id"],
                            territory_id="commune:00000")
    assert "territory_id" in error.value.error_dict


def test_dataset_list_of_a_territory_by_level() -> None:
    """A territory's datasets: local ones by organization, harvested ones by provenance, mirrors left out."""
    from ckanext.territorial_consolidation import duplicates
    from tests.territorial_consolidation.territory_setup import harvested_dataset

    load_dep35()
    town = factories.Organization()
    helpers.call_action("territory_organization_set", organization_id=town["id"],
                        territory_id=BRUZ)
    local = factories.Dataset(owner_org=town["id"], title="Arbres de Bruz")
    factories.Dataset(owner_org=town["id"], title="Brouillon", private=True)
    other = factories.Organization()
    epci = harvested_dataset(other, "https://data.metropole.example", "epci", "243500139",
                             "Vélos", identifier="urn:velos")
    mirror = harvested_dataset(other, "https://www.data.gouv.example", "commune", "35238",
                               "Vélos", identifier="urn:velos", about=("epci", "243500139"))
    duplicates.detect([epci["id"]])
    listed = helpers.call_action("territory_dataset_list", {"user": ""},
                                 id=RENNES_METROPOLE)
    assert [(row["id"], row["level"], row["origin"]) for row in listed["results"]] == [
        (local["id"], "commune", "local"), (epci["id"], "epci", "harvested")]
    assert listed["levels"] == {"commune": 1, "epci": 1}
    with_mirrors = helpers.call_action("territory_dataset_list", {"user": ""},
                                       id=RENNES_METROPOLE, include_mirrors=True)
    assert mirror["id"] in [row["id"] for row in with_mirrors["results"]]
    own_only = helpers.call_action("territory_dataset_list", {"user": ""},
                                   id=RENNES_METROPOLE, include_members=False)
    assert [row["id"] for row in own_only["results"]] == [epci["id"]]
    sysadmin = {"user": factories.Sysadmin()["name"]}
    assert helpers.call_action("territory_dataset_list", sysadmin, id=BRUZ)["count"] == 2


def test_list_search_text_is_literal() -> None:
    """Codes match whatever their case, and wildcards in the text match nothing special."""
    load_dep35()
    corse = helpers.call_action("territory_list", q="2a", level="departement")
    assert [row["name"] for row in corse["results"]] == ["Corse-du-Sud"]
    assert helpers.call_action("territory_list", q="%")["count"] == 0
    assert helpers.call_action("territory_list", q="3_238")["count"] == 0


def test_list_names_the_organizations_of_each_territory_on_request() -> None:
    """include_organizations adds organization_ids: the organizations standing for each
    territory of the page, an empty list for the others; without it, no such key."""
    load_dep35()
    org = factories.Organization()
    helpers.call_action("territory_organization_set", organization_id=org["id"],
                        territory_id=RENNES)
    listed = helpers.call_action("territory_list", level="commune", within=RENNES_METROPOLE,
                                 include_organizations=True, limit=1000)
    by_id = {row["id"]: row["organization_ids"] for row in listed["results"]}
    assert by_id[RENNES] == [org["id"]] and by_id[BRUZ] == []
    plain = helpers.call_action("territory_list", level="commune", within=RENNES_METROPOLE)
    assert "organization_ids" not in plain["results"][0]


@pytest.mark.parametrize("action,data,field", [
    ("territory_list", {"limit": "many"}, "limit"),
    ("territory_list", {"offset": -1}, "offset"),
    ("territory_list", {"level": "canton"}, "level"),
    ("territory_dataset_list", {"id": RENNES, "limit": "x"}, "limit"),
    ("territory_dataset_list", {"id": RENNES, "offset": "-2"}, "offset"),
    ("territory_dataset_list", {"id": RENNES, "level": "canton"}, "level"),
    ("territory_dataset_list", {}, "id"),
    ("responsibility_rule_list", {"limit": "x"}, "limit"),
    ("responsibility_rule_list", {"offset": -5}, "offset"),
    ("responsibility_rule_list", {"kind": "colour"}, "kind"),
    ("territorial_duplicate_list", {"limit": 2.5}, "limit"),
])
def test_bad_list_parameters_name_the_field(action: str, data: dict, field: str) -> None:
    """A bad page, level or kind given to a list action is a ValidationError naming it."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action(action, **data)
    assert field in error.value.error_dict


def test_flags_are_read_from_their_words() -> None:
    """A flag given as a word: "on" is true, "no" false, as for the API's other flags."""
    load_dep35()
    shown = helpers.call_action("territory_show", id=RENNES_METROPOLE, include_children="on")
    assert len(shown["children"]) == 43
    assert "children" not in helpers.call_action("territory_show", id=RENNES_METROPOLE,
                                                 include_children="no")
    assert helpers.call_action("territory_dataset_list", id=RENNES_METROPOLE,
                               include_members="false")["count"] == 0


def test_create_refuses_a_population_the_table_cannot_hold() -> None:
    """A population past a PostgreSQL integer is a ValidationError, not a database error."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territory_create", {"user": factories.Sysadmin()["name"]},
                            code="99999", level="commune", name="Trop", population=3_000_000_000)
    assert "population" in error.value.error_dict
