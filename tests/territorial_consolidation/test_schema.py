"""The schemas of the territory and consolidation actions, without the database."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk

from ckanext.territorial_consolidation.logic import schema
from tests.territorial_consolidation.territory_setup import PLUGINS

# Registered validators (consolidation_string_list...) need the plugin; no table is read.
pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins", "with_request_context")]


def _valid(data: dict[str, Any], make_schema: Any) -> dict[str, Any]:
    return schema.validate(data, make_schema(), {})


def _errors(data: dict[str, Any], make_schema: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as error:
        schema.validate(data, make_schema(), {})
    return error.value.error_dict


def test_paging_defaults_and_caps_the_limit() -> None:
    """No limit is 50 and no offset 0; a limit past 1000 is lowered to it, not refused."""
    assert {key: _valid({}, schema.territory_list)[key] for key in ("limit", "offset")} == {
        "limit": 50, "offset": 0}
    assert _valid({"limit": "5000", "offset": "20"}, schema.territory_list)["limit"] == 1000
    assert _valid({"limit": 0}, schema.responsibility_rule_list)["limit"] == 0


@pytest.mark.parametrize("make_schema", [
    schema.territory_list, schema.territory_dataset_list, schema.responsibility_rule_list,
    schema.territorial_duplicate_list, schema.consolidation_list, schema.territorial_coverage,
])
@pytest.mark.parametrize("field,value", [("limit", "many"), ("limit", -1), ("offset", "-3"),
                                         ("offset", 1.5)])
def test_bad_paging_names_the_field(make_schema: Any, field: str, value: Any) -> None:
    """A limit or offset that is no natural number is an error on that field."""
    assert field in _errors({"id": "x", field: value}, make_schema)


@pytest.mark.parametrize("make_schema", [
    schema.territory_show, schema.territory_list, schema.territory_dataset_list])
def test_a_level_must_be_one_of_the_levels(make_schema: Any) -> None:
    """An unknown level is refused with the levels listed; an empty one is no filter."""
    errors = _errors({"id": "x", "level": "canton"}, make_schema)
    assert errors["level"] == [
        "Must be one of: commune, epci, departement, region, national"]
    assert "level" not in _valid({"id": "x", "level": ""}, make_schema)


@pytest.mark.parametrize("value,read", [
    (True, True), ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("on", True),
    (" On ", True), (False, False), ("false", False), ("no", False), ("maybe", False),
    (["true"], False), (0, False), ("", False), (None, False),
])
def test_flags_read_true_1_yes_on_as_true_and_never_refuse(value: Any, read: bool) -> None:
    """A flag is true for true, 1, yes or on (any case); anything else is false."""
    assert _valid({"include_children": value}, schema.territory_show)[
        "include_children"] is read


def test_flags_default_to_their_documented_value() -> None:
    """include_members and background default to true, include_mirrors to false."""
    listed = _valid({"id": "x"}, schema.territory_dataset_list)
    assert (listed["include_members"], listed["include_mirrors"]) == (True, False)
    assert _valid({"id": "x", "include_members": ""}, schema.territory_dataset_list)[
        "include_members"] is True
    assert _valid({"id": "x"}, schema.consolidation_run)["background"] is True


def test_territory_create_reads_its_fields() -> None:
    """Code and name are stripped, parents split on commas, the population a number."""
    data = _valid({"code": " X-1 ", "level": "epci", "name": " Pays ",
                   "parent_ids": "departement:35, region:53", "population": "12"},
                  schema.territory_create)
    assert (data["code"], data["name"], data["population"]) == ("X-1", "Pays", 12)
    assert data["parent_ids"] == ["departement:35", "region:53"]


@pytest.mark.parametrize("data,field", [
    ({"level": "epci", "name": "X"}, "code"),
    ({"code": "a b<", "level": "epci", "name": "X"}, "code"),
    ({"code": "X" * 21, "level": "epci", "name": "X"}, "code"),
    ({"code": "X1", "name": "X"}, "level"),
    ({"code": "X1", "level": "epci", "name": "  "}, "name"),
    ({"code": "X1", "level": "epci", "name": "X", "population": "beaucoup"}, "population"),
    ({"code": "X1", "level": "epci", "name": "X", "population": -1}, "population"),
    # Past a PostgreSQL integer: refused here rather than failing in the database.
    ({"code": "X1", "level": "epci", "name": "X", "population": 3_000_000_000}, "population"),
])
def test_territory_create_refuses_bad_fields(data: dict[str, Any], field: str) -> None:
    """A missing or malformed field is an error naming it."""
    assert field in _errors(data, schema.territory_create)


def test_rule_values_are_lower_cased_except_schema_urls() -> None:
    """Themes and keywords are compared lower-cased; a schema URL is kept as given and must
    be http(s)."""
    keyword = _valid({"kind": "keyword", "value": " Transport ", "level": "region"},
                     schema.responsibility_rule_create)
    assert keyword["value"] == "transport"
    url = "https://schema.example/Schema.json"
    assert _valid({"kind": "schema", "value": url, "level": "commune"},
                  schema.responsibility_rule_create)["value"] == url
    errors = _errors({"kind": "schema", "value": "javascript:alert(1)", "level": "commune"},
                     schema.responsibility_rule_create)
    assert errors == {"value": ["A schema is given by its http(s) URL"]}
    assert "kind" in _errors({"kind": "colour"}, schema.responsibility_rule_list)


def test_consolidation_update_keeps_what_is_not_given() -> None:
    """An update's validated data holds the keys given only; a list given empty clears."""
    data = _valid({"id": "abc", "schedule": "weekly", "include": ""},
                  schema.consolidation_update)
    assert {key: value for key, value in data.items() if not key.startswith("__")} == {
        "id": "abc", "schedule": "weekly", "include": []}


def test_consolidation_create_fills_the_defaults() -> None:
    """Valid rows are kept, owners not mailed, runs manual, the name lower-cased."""
    data = _valid({"name": " Subventions-35 ", "schema_url": "HTTPS://x.example/s.json",
                   "scope_territory_id": "epci:1"}, schema.consolidation_create)
    assert (data["name"], data["keep_valid_rows"], data["notify_owners"],
            data["schedule"]) == ("subventions-35", True, False, "manual")
    assert (data["include"], data["exclude"], data["dedup_key"], data["schema"]) == (
        [], [], [], None)


@pytest.mark.parametrize("runs,read", [(None, 10), ("  ", 10), ("3", 3), (0, 0), (500, 100)])
def test_consolidation_show_runs_default_and_cap(runs: Any, read: int) -> None:
    """runs defaults to 10 (blanks too) and is lowered to 100."""
    assert _valid({"id": "x", "runs": runs}, schema.consolidation_show)["runs"] == read


@pytest.mark.parametrize("runs", ["many", -1, ["1"]])
def test_consolidation_show_refuses_bad_runs(runs: Any) -> None:
    """runs that is no natural number is an error naming it."""
    assert "runs" in _errors({"id": "x", "runs": runs}, schema.consolidation_show)


def test_coverage_needs_an_http_schema_and_a_territory() -> None:
    """The schema is an http(s) URL, named schema in the error; the territory is needed."""
    errors = _errors({"schema": "ftp://x"}, schema.territorial_coverage)
    assert errors == {"schema": ["Must be an http or https URL"],
                      "territory": ["Missing value"]}
