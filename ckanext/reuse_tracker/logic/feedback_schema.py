"""Schemas of the feedback actions."""
from __future__ import annotations

from typing import Any

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.suite.validate import validate

__all__ = ["validate", "feedback_create", "feedback_list", "feedback_respond",
           "feedback_update_status", "feedback_note_create", "feedback_stats"]


@validator_args
def feedback_create(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                    strip_value: Validator, feedback_kind: Validator,
                    feedback_rating: Validator, feedback_text_length: Validator,
                    feedback_short_text: Validator, ignore: Validator,
                    ignore_empty: Validator, int_validator: Validator,
                    is_positive_integer: Validator) -> Schema:
    return {
        "package_id": [not_empty, unicode_safe],
        "kind": [not_empty, unicode_safe, feedback_kind],
        "body": [not_empty, unicode_safe, strip_value, not_empty, feedback_text_length],
        "rating": [ignore_missing, feedback_rating],
        "resource_id": [ignore_missing, unicode_safe, strip_value],
        "reference": [ignore_missing, unicode_safe, feedback_short_text],
        "row_id": [ignore_empty, int_validator, is_positive_integer],
        "author_name": [ignore_missing, unicode_safe, feedback_short_text],
        "__extras": [ignore],
    }


@validator_args
def feedback_list(ignore_missing: Validator, unicode_safe: Validator,
                  feedback_kind: Validator, feedback_state: Validator,
                  boolean_validator: Validator, natural_number_validator: Validator,
                  default: ValidatorFactory, int_validator: Validator,
                  limit_to_configured_maximum: Any, ignore_empty: Validator) -> Schema:
    return {
        "package_id": [ignore_empty, unicode_safe],
        "organization": [ignore_empty, unicode_safe],
        "service": [ignore_empty, unicode_safe],
        "kind": [ignore_empty, feedback_kind],
        "state": [ignore_empty, feedback_state],
        "overdue": [default(False), boolean_validator],
        "limit": [default(25), int_validator, natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), int_validator, natural_number_validator],
    }


@validator_args
def feedback_respond(not_empty: Validator, ignore_empty: Validator, unicode_safe: Validator,
                     strip_value: Validator, feedback_state: Validator,
                     feedback_text_length: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "body": [not_empty, unicode_safe, strip_value, not_empty, feedback_text_length],
        "state": [ignore_empty, feedback_state],
    }


@validator_args
def feedback_update_status(not_empty: Validator, ignore_empty: Validator,
                           unicode_safe: Validator, strip_value: Validator,
                           feedback_state: Validator,
                           feedback_text_length: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "state": [not_empty, feedback_state],
        "note": [ignore_empty, unicode_safe, strip_value, feedback_text_length],
    }


@validator_args
def feedback_note_create(not_empty: Validator, unicode_safe: Validator,
                         strip_value: Validator, feedback_text_length: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "body": [not_empty, unicode_safe, strip_value, not_empty, feedback_text_length],
    }


@validator_args
def feedback_stats(ignore_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [ignore_empty, unicode_safe]}
