"""Schemas of the harvest actions (the source configuration is checked by the harvesters)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.suite.validate import validate

# Schemas only (no validator registered under a name); validate is re-exported for the actions.
__all__ = ["validate"]

MAX_PREVIEW = 50
MAX_REPORT_PAGE = 100
#: Datasets whose provenance one ``territorial_provenance_list`` call may ask for.
MAX_PROVENANCE_IDS = 1000


def _at_most(maximum: int) -> Validator:
    def check(value: Any) -> Any:
        if value > maximum:
            raise tk.Invalid(tk._("Must be at most {maximum}").format(maximum=maximum))
        return value
    return check


@validator_args
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


@validator_args
def harvest_report(not_empty: Validator, unicode_safe: Validator, default: ValidatorFactory,
                   int_validator: Validator, natural_number_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "limit": [default(10), int_validator, natural_number_validator,
                  _at_most(MAX_REPORT_PAGE)],
        "offset": [default(0), int_validator, natural_number_validator],
    }


@validator_args
def provenance_show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


def _ids_at_most(maximum: int) -> Validator:
    def check(value: Any) -> Any:
        # navl goes on after list_of_strings refused a value that is not a list.
        if isinstance(value, list) and len(value) > maximum:
            raise tk.Invalid(tk._("At most {maximum} ids").format(maximum=maximum))
        return value
    return check


@validator_args
def provenance_list(not_missing: Validator, list_of_strings: Validator) -> Schema:
    return {"ids": [not_missing, list_of_strings, _ids_at_most(MAX_PROVENANCE_IDS)]}
