"""Schemas of territorial consolidation's actions: territories and rules, harvests, consolidations."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import (
    Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema, Validator,
    ValidatorFactory)

from ckanext.suite.validate import validate
from ckanext.territorial_consolidation.model import LEVELS

# No validator here is registered by name: no template or other plugin asks for one.
__all__ = [
    "validate", "RULE_KINDS", "MAX_LIMIT",
    "territory_show", "territory_list", "territory_create", "territory_organization_set",
    "territory_dataset_list", "responsibility_rule_create", "responsibility_rule_list",
    "by_id", "territorial_duplicate_list",
    "harvest_preview", "harvest_report", "provenance_show", "provenance_list",
    "consolidation_create", "consolidation_update", "consolidation_show",
    "consolidation_list", "consolidation_run", "territorial_coverage",
]

RULE_KINDS = ("schema", "theme", "keyword")
#: The largest page of a list; a larger limit is lowered to it.
MAX_LIMIT = 1000
MAX_COVERAGE = 5000
MAX_RUNS = 100
MAX_PREVIEW = 50
MAX_REPORT_PAGE = 100
#: The largest population the territory table holds (a PostgreSQL integer).
MAX_POPULATION = 2_147_483_647
#: Datasets whose provenance one ``territorial_provenance_list`` call may ask for.
MAX_PROVENANCE_IDS = 1000

_CONSOLIDATION_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
_FLAG_TRUE = ("true", "1", "yes", "on")


def _one_of(values: tuple[str, ...]) -> Validator:
    """One of ``values``, which the message lists (core's ``one_of`` has no French)."""
    def validator(value: Any) -> Any:
        if value not in values:
            raise tk.Invalid(tk._("Must be one of: {values}").format(values=", ".join(values)))
        return value
    return validator


def _flag(value: Any) -> bool:
    """true, 1, yes or on (any case) is true, anything else false: the API has always read
    these flags so, never refusing one (core's ``boolean_validator`` takes t and y, not on)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _FLAG_TRUE


def _capped(maximum: int) -> Validator:
    """A page size past ``maximum`` lowered to it, not refused."""
    def validator(value: Any) -> Any:
        # After an error navl goes on with the next validator: leave a bad value alone.
        return min(value, maximum) if isinstance(value, int) else value
    return validator


def _at_most(maximum: int) -> Validator:
    """A number past ``maximum`` refused (a preview or a report page asks for no more)."""
    def validator(value: Any) -> Any:
        if isinstance(value, int) and value > maximum:
            raise tk.Invalid(tk._("Must be at most {maximum}").format(maximum=maximum))
        return value
    return validator


def _if_given(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
              context: Context) -> None:
    """Stops at a key the caller left out, whose value an update keeps; a key given empty
    goes on (core's ``ignore_missing`` also stops at None)."""
    if data.get(key) is tk.missing:
        data.pop(key, None)
        raise tk.StopOnError


def _http_url(value: str) -> str:
    if not re.match(r"^https?://", value, re.IGNORECASE):
        raise tk.Invalid(tk._("Must be an http or https URL"))
    return value


def _territory_code(value: str) -> str:
    if len(value) > 20 or not value.replace("-", "").replace("_", "").isalnum():
        raise tk.Invalid(tk._("Letters, digits, - and _ only (20 at most)"))
    return value


def _rule_value(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                context: Context) -> None:
    """A schema's http(s) URL as given; a theme or a keyword lower-cased."""
    if data.get(("kind",)) != "schema":
        data[key] = data[key].lower()
    elif not data[key].startswith(("http://", "https://")):
        errors[key].append(tk._("A schema is given by its http(s) URL"))


def _consolidation_name(value: str) -> str:
    name = value.strip().lower()
    if not _CONSOLIDATION_NAME.match(name):
        raise tk.Invalid(tk._("Must be 2 to 100 lower-case letters, digits, - or _"))
    return name


# Territories and responsibility rules

@tk.validator_args
def territory_show(ignore_empty: Validator, unicode_safe: Validator,
                   default: ValidatorFactory) -> Schema:
    return {
        "id": [ignore_empty, unicode_safe],
        "code": [ignore_empty, unicode_safe],
        "level": [ignore_empty, _one_of(LEVELS)],
        "organization_id": [ignore_empty, unicode_safe],
        "include_children": [default(False), _flag],
    }


@tk.validator_args
def territory_list(ignore_empty: Validator, unicode_safe: Validator, strip_value: Validator,
                   default: ValidatorFactory, natural_number_validator: Validator) -> Schema:
    return {
        "q": [default(""), unicode_safe, strip_value],
        "level": [ignore_empty, _one_of(LEVELS)],
        "parent": [ignore_empty, unicode_safe],
        "within": [ignore_empty, unicode_safe],
        "include_obsolete": [default(False), _flag],
        "include_organizations": [default(False), _flag],
        "limit": [default(50), natural_number_validator, _capped(MAX_LIMIT)],
        "offset": [default(0), natural_number_validator],
    }


@tk.validator_args
def territory_create(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                     strip_value: Validator, default: ValidatorFactory,
                     natural_number_validator: Validator,
                     consolidation_string_list: Validator) -> Schema:
    return {
        "code": [not_empty, unicode_safe, strip_value, not_empty, _territory_code],
        "level": [not_empty, _one_of(LEVELS)],
        "name": [not_empty, unicode_safe, strip_value, not_empty],
        "parent_ids": [default(""), consolidation_string_list],
        # The column is a PostgreSQL integer: a larger number would fail in the database.
        "population": [ignore_missing, natural_number_validator, _at_most(MAX_POPULATION)],
    }


@tk.validator_args
def territory_organization_set(unicode_safe: Validator, strip_value: Validator,
                               default: ValidatorFactory) -> Schema:
    # An unknown organization is not found (the action looks it up); no territory clears.
    return {
        "organization_id": [default(""), unicode_safe],
        "territory_id": [default(""), unicode_safe, strip_value],
    }


@tk.validator_args
def territory_dataset_list(not_empty: Validator, ignore_empty: Validator,
                           unicode_safe: Validator, default: ValidatorFactory,
                           natural_number_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "include_members": [default(True), _flag],
        "level": [ignore_empty, _one_of(LEVELS)],
        "include_mirrors": [default(False), _flag],
        "limit": [default(50), natural_number_validator, _capped(MAX_LIMIT)],
        "offset": [default(0), natural_number_validator],
    }


@tk.validator_args
def responsibility_rule_create(not_empty: Validator, unicode_safe: Validator,
                               strip_value: Validator, default: ValidatorFactory) -> Schema:
    return {
        "kind": [default(""), _one_of(RULE_KINDS)],
        "value": [not_empty, unicode_safe, strip_value, not_empty, _rule_value],
        "level": [not_empty, _one_of(LEVELS)],
        "note": [default(""), unicode_safe, strip_value],
    }


@tk.validator_args
def responsibility_rule_list(ignore_empty: Validator, unicode_safe: Validator,
                             default: ValidatorFactory,
                             natural_number_validator: Validator) -> Schema:
    return {
        "kind": [ignore_empty, _one_of(RULE_KINDS)],
        "package_id": [ignore_empty, unicode_safe],
        "limit": [default(50), natural_number_validator, _capped(MAX_LIMIT)],
        "offset": [default(0), natural_number_validator],
    }


@tk.validator_args
def by_id(unicode_safe: Validator, default: ValidatorFactory) -> Schema:
    # No id is an object not found, as an unknown one.
    return {"id": [default(""), unicode_safe]}


@tk.validator_args
def territorial_duplicate_list(ignore_empty: Validator, unicode_safe: Validator,
                               default: ValidatorFactory,
                               natural_number_validator: Validator) -> Schema:
    return {
        "package_id": [ignore_empty, unicode_safe],
        "limit": [default(50), natural_number_validator, _capped(MAX_LIMIT)],
        "offset": [default(0), natural_number_validator],
    }


# Harvests (the source configuration is checked by the harvesters)

@tk.validator_args
def harvest_preview(ignore_missing: Validator, unicode_safe: Validator, default: ValidatorFactory,
                    int_validator: Validator, natural_number_validator: Validator,
                    strip_value: Validator) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe],
        "url": [ignore_missing, unicode_safe, strip_value],
        "source_type": [ignore_missing, unicode_safe],
        "config": [ignore_missing, unicode_safe],
        "owner_org": [ignore_missing, unicode_safe],
        "limit": [default(10), int_validator, natural_number_validator,
                  _at_most(MAX_PREVIEW)],
    }


@tk.validator_args
def harvest_report(not_empty: Validator, unicode_safe: Validator, default: ValidatorFactory,
                   int_validator: Validator, natural_number_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "limit": [default(10), int_validator, natural_number_validator,
                  _at_most(MAX_REPORT_PAGE)],
        "offset": [default(0), int_validator, natural_number_validator],
    }


@tk.validator_args
def provenance_show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


def _ids_at_most(maximum: int) -> Validator:
    def check(value: Any) -> Any:
        # navl goes on after list_of_strings refused a value that is not a list.
        if isinstance(value, list) and len(value) > maximum:
            raise tk.Invalid(tk._("At most {maximum} ids").format(maximum=maximum))
        return value
    return check


@tk.validator_args
def provenance_list(not_missing: Validator, list_of_strings: Validator) -> Schema:
    return {"ids": [not_missing, list_of_strings, _ids_at_most(MAX_PROVENANCE_IDS)]}


# Consolidations

@tk.validator_args
def consolidation_create(not_empty: Validator, ignore_empty: Validator,
                         unicode_safe: Validator, strip_value: Validator,
                         default: ValidatorFactory, consolidation_string_list: Validator,
                         consolidation_schedule: Validator,
                         consolidation_schema_json: Validator) -> Schema:
    # The action checks what needs the database: a name in use, the organization, the
    # territory, the target dataset, the key against the schema.
    return {
        "name": [default(""), unicode_safe, _consolidation_name],
        "title": [default(""), unicode_safe, strip_value],
        "organization_id": [default(""), unicode_safe],
        "schema_url": [default(""), unicode_safe, strip_value, not_empty, _http_url],
        "schema": [default(None), consolidation_schema_json],
        "scope_territory_id": [not_empty, unicode_safe],
        "include": [default(""), consolidation_string_list],
        "exclude": [default(""), consolidation_string_list],
        "dedup_key": [default(""), consolidation_string_list],
        "keep_valid_rows": [default(True), _flag],
        "notify_owners": [default(False), _flag],
        "schedule": [default("manual"), consolidation_schedule],
        "package_id": [ignore_empty, unicode_safe],
    }


@tk.validator_args
def consolidation_update(unicode_safe: Validator, default: ValidatorFactory) -> Schema:
    # The fields given, checked as when creating; the others are kept.
    fields = {key: [_if_given, *chain] for key, chain in consolidation_create().items()}
    return {**fields, "id": [default(""), unicode_safe]}


@tk.validator_args
def consolidation_show(unicode_safe: Validator, strip_value: Validator,
                       default: ValidatorFactory, natural_number_validator: Validator) -> Schema:
    return {
        "id": [default(""), unicode_safe],
        # No paging key the input guard checks: blanks are read as no value here.
        "runs": [default(10), unicode_safe, strip_value, default(10), natural_number_validator,
                 _capped(MAX_RUNS)],
    }


@tk.validator_args
def consolidation_list(ignore_empty: Validator, unicode_safe: Validator,
                       strip_value: Validator, default: ValidatorFactory,
                       natural_number_validator: Validator) -> Schema:
    return {
        "organization_id": [ignore_empty, unicode_safe],
        "schema_url": [default(""), unicode_safe, strip_value],
        "q": [default(""), unicode_safe, strip_value],
        "limit": [default(50), natural_number_validator, _capped(MAX_LIMIT)],
        "offset": [default(0), natural_number_validator],
    }


@tk.validator_args
def consolidation_run(unicode_safe: Validator, default: ValidatorFactory) -> Schema:
    return {"id": [default(""), unicode_safe], "background": [default(True), _flag]}


@tk.validator_args
def territorial_coverage(not_empty: Validator, unicode_safe: Validator,
                         strip_value: Validator, default: ValidatorFactory,
                         natural_number_validator: Validator) -> Schema:
    return {
        "schema": [default(""), unicode_safe, strip_value, not_empty, _http_url],
        "territory": [not_empty, unicode_safe],
        "limit": [default(1000), natural_number_validator, _capped(MAX_COVERAGE)],
        "offset": [default(0), natural_number_validator],
    }
