"""Schemas of the data request actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.reuse_tracker.model.datarequest import DATAREQUEST_STATES
from ckanext.reuse_tracker.topics import TOPICS

__all__ = ["MAX_LIMIT", "SORTS", "datarequest_create", "datarequest_list",
           "datarequest_update", "datarequest_close", "datarequest_vote",
           "datarequest_follow", "datarequest_comment_create", "datarequest_comment_delete",
           "id_only"]

#: The largest page of the listing.
MAX_LIMIT = 100
#: The listing's orders; the first is the default.
SORTS = ("votes", "newest", "comments", "updated")
#: States the author and moderators may set through ``datarequest_update``.
UPDATE_STATES = ("open", "under_review", "planned", "spam")


def _title_length(value: Any) -> Any:
    if value is not None and not 3 <= len(str(value)) <= 200:
        raise tk.Invalid(tk._("The title must have 3 to 200 characters"))
    return " ".join(str(value).split()) if value else value


def _text_length(value: Any) -> Any:
    limit = tk.config["ckanext.reuse_tracker.datarequest_description_max_length"]
    if value and len(str(value)) > limit:
        raise tk.Invalid(tk._("At most {n} characters").format(n=limit))
    return value


def _theme(value: Any) -> Any:
    if value not in TOPICS:
        raise tk.Invalid(tk._("Unknown theme: choose one of {themes}").format(
            themes=", ".join(TOPICS)))
    return value


def _list_state(value: Any) -> Any:
    if value != "pending" and value not in DATAREQUEST_STATES:
        raise tk.Invalid(tk._("Unknown state: choose one of {states}").format(
            states=", ".join(("pending",) + DATAREQUEST_STATES)))
    return value


def _update_state(value: Any) -> Any:
    if value not in UPDATE_STATES:
        raise tk.Invalid(tk._(
            "Choose one of {states}; close a request to publish or decline it").format(
                states=", ".join(UPDATE_STATES)))
    return value


def _close_state(value: Any) -> Any:
    if value not in ("published", "declined"):
        raise tk.Invalid(tk._("Choose published or declined"))
    return value


def _sort(value: Any) -> Any:
    if value not in SORTS:
        raise tk.Invalid(tk._("Unknown order: choose one of {sorts}").format(
            sorts=", ".join(SORTS)))
    return value


def _page_size(value: Any) -> int:
    return min(int(value), MAX_LIMIT)


@validator_args
def datarequest_create(not_empty: Validator, ignore_empty: Validator, unicode_safe: Validator,
                       strip_value: Validator, ignore: Validator) -> Schema:
    return {
        "title": [not_empty, unicode_safe, strip_value, not_empty, _title_length],
        "description": [not_empty, unicode_safe, strip_value, not_empty, _text_length],
        "organization_id": [ignore_empty, unicode_safe, strip_value],
        "theme": [ignore_empty, unicode_safe, _theme],
        "__extras": [ignore],
    }


@validator_args
def datarequest_list(ignore: Validator, ignore_empty: Validator, unicode_safe: Validator,
                     strip_value: Validator, boolean_validator: Validator,
                     natural_number_validator: Validator, default: ValidatorFactory,
                     int_validator: Validator) -> Schema:
    return {
        "q": [ignore_empty, unicode_safe, strip_value],
        "state": [ignore_empty, unicode_safe, _list_state],
        "organization": [ignore_empty, unicode_safe],
        "theme": [ignore_empty, unicode_safe, _theme],
        "package_id": [ignore_empty, unicode_safe],
        "author": [ignore_empty, unicode_safe],
        "mine": [default(False), boolean_validator],
        "followed": [default(False), boolean_validator],
        "sort": [default(SORTS[0]), unicode_safe, _sort],
        "limit": [default(tk.config["ckanext.reuse_tracker.datarequest_per_page"]),
                  int_validator, natural_number_validator, _page_size],
        "offset": [default(0), int_validator, natural_number_validator],
        "__extras": [ignore],
    }


@validator_args
def datarequest_update(not_empty: Validator, ignore_missing: Validator,
                       ignore_empty: Validator, unicode_safe: Validator,
                       strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "title": [ignore_missing, unicode_safe, strip_value, not_empty, _title_length],
        "description": [ignore_missing, unicode_safe, strip_value, not_empty, _text_length],
        # Empty: the request targets no organization (or has no theme) any more.
        "organization_id": [ignore_missing, unicode_safe, strip_value],
        "theme": [ignore_missing, unicode_safe, strip_value],
        "state": [ignore_empty, unicode_safe, _update_state],
        "comment": [ignore_empty, unicode_safe, strip_value, _text_length],
    }


@validator_args
def datarequest_close(not_empty: Validator, ignore_empty: Validator, unicode_safe: Validator,
                      strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "state": [not_empty, unicode_safe, _close_state],
        "package_id": [ignore_empty, unicode_safe, strip_value],
        "reason": [ignore_empty, unicode_safe, strip_value, _text_length],
        "comment": [ignore_empty, unicode_safe, strip_value, _text_length],
    }


@validator_args
def datarequest_vote(not_empty: Validator, unicode_safe: Validator,
                     default: ValidatorFactory, boolean_validator: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "vote": [default(True), boolean_validator]}


@validator_args
def datarequest_follow(not_empty: Validator, unicode_safe: Validator,
                       default: ValidatorFactory, boolean_validator: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "follow": [default(True), boolean_validator]}


@validator_args
def datarequest_comment_create(not_empty: Validator, unicode_safe: Validator,
                               strip_value: Validator, ignore: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "body": [not_empty, unicode_safe, strip_value, not_empty, _text_length],
        "__extras": [ignore],
    }


@validator_args
def datarequest_comment_delete(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "comment_id": [not_empty, unicode_safe]}


@validator_args
def id_only(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}
