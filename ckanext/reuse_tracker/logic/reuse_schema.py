"""Schemas of the reuse actions."""
from __future__ import annotations

from typing import Any

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.suite.validate import validate, validate_all

__all__ = ["validate", "validate_all", "reuse_create", "reuse_update", "reuse_list", "reuse_moderate",
           "SORTS", "LIST_STATES"]

SORTS = ("newest", "datasets", "title")
#: ``any`` lists every state the caller may see.
LIST_STATES = ("pending", "published", "rejected", "archived", "any")


@validator_args
def reuse_create(not_empty: Validator, ignore_empty: Validator,
                 unicode_safe: Validator, default: ValidatorFactory, strip_value: Validator,
                 email_validator: Validator, name_validator: Validator,
                 reuse_plain_text: Validator, reuse_markdown_text: Validator,
                 reuse_http_url: Validator, reuse_public_image_url: Validator,
                 reuse_type: Validator, reuse_topic: Validator,
                 reuse_dataset_list: Validator) -> Schema:
    return {
        "name": [ignore_empty, unicode_safe, name_validator],
        "title": [not_empty, unicode_safe, reuse_plain_text, not_empty],
        "url": [not_empty, unicode_safe, reuse_http_url],
        "description": [default(""), unicode_safe, reuse_markdown_text],
        "type": [not_empty, unicode_safe, reuse_type],
        "topic": [ignore_empty, unicode_safe, reuse_topic],
        "datasets": [not_empty, reuse_dataset_list, not_empty],
        "image_url": [ignore_empty, unicode_safe, reuse_http_url, reuse_public_image_url],
        "image_upload": [ignore_empty],
        "organization_id": [ignore_empty, unicode_safe],
        "contact_email": [ignore_empty, unicode_safe, strip_value, email_validator],
        # Checked by the action (datastore_refs): a dict or its JSON text.
        "datastore_query": [ignore_empty],
    }


@validator_args
def reuse_update(not_empty: Validator, ignore_missing: Validator, ignore_empty: Validator,
                 unicode_safe: Validator, strip_value: Validator, email_validator: Any,
                 boolean_validator: Validator, reuse_plain_text: Validator,
                 reuse_markdown_text: Validator, reuse_http_url: Validator,
                 reuse_public_image_url: Validator, reuse_type: Validator,
                 reuse_topic: Validator,
                 reuse_dataset_list: Validator) -> Schema:
    # Partial: a key that is absent keeps its value; an empty optional field clears it.
    return {
        "id": [not_empty, unicode_safe],
        "title": [ignore_missing, unicode_safe, reuse_plain_text, not_empty],
        "url": [ignore_missing, unicode_safe, reuse_http_url, not_empty],
        "description": [ignore_missing, unicode_safe, reuse_markdown_text],
        "type": [ignore_missing, unicode_safe, reuse_type],
        "topic": [ignore_missing, unicode_safe, _topic_or_empty(reuse_topic)],
        "datasets": [ignore_missing, reuse_dataset_list, not_empty],
        "image_url": [ignore_missing, unicode_safe, reuse_http_url, reuse_public_image_url],
        "image_upload": [ignore_empty],
        "clear_image": [ignore_missing, boolean_validator],
        "organization_id": [ignore_missing, unicode_safe],
        "contact_email": [ignore_missing, unicode_safe, strip_value,
                          _email_or_empty(email_validator)],
        "featured": [ignore_missing, boolean_validator],
        # Checked by the action (datastore_refs); empty clears it.
        "datastore_query": [ignore_missing],
    }


def _topic_or_empty(check: Validator) -> Validator:
    def validator(value: Any) -> Any:
        return value if value in (None, "") else check(value)
    return validator


def _email_or_empty(check: Any) -> Any:
    def validator(key: Any, data: Any, errors: Any, context: Any) -> Any:
        if data.get(key):
            return check(key, data, errors, context)
    return validator


@validator_args
def reuse_list(ignore_missing: Validator, ignore_empty: Validator, unicode_safe: Validator,
               default: ValidatorFactory, boolean_validator: Validator,
               natural_number_validator: Validator, one_of: ValidatorFactory,
               reuse_type: Validator, reuse_topic: Validator) -> Schema:
    return {
        "q": [ignore_empty, unicode_safe],
        "dataset": [ignore_empty, unicode_safe],
        "organization": [ignore_empty, unicode_safe],
        "type": [ignore_empty, unicode_safe, reuse_type],
        "topic": [ignore_empty, unicode_safe, reuse_topic],
        "state": [ignore_empty, unicode_safe, one_of(list(LIST_STATES))],
        "submitter": [ignore_empty, unicode_safe],
        "mine": [default(False), boolean_validator],
        "moderation": [default(False), boolean_validator],
        "featured": [ignore_missing, boolean_validator],
        "featured_first": [default(True), boolean_validator],
        "sort": [default("newest"), unicode_safe, one_of(list(SORTS))],
        "limit": [default(20), natural_number_validator, _at_most(100)],
        "offset": [default(0), natural_number_validator],
    }


def _at_most(maximum: int) -> Validator:
    def validator(value: Any) -> Any:
        return min(int(value), maximum)
    return validator


@validator_args
def reuse_moderate(not_empty: Validator, unicode_safe: Validator,
                   default: ValidatorFactory, reuse_markdown_text: Validator,
                   reuse_decision: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "decision": [not_empty, unicode_safe, reuse_decision],
        "comment": [default(""), unicode_safe, reuse_markdown_text],
    }
