"""Schemas of the governance actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

__all__ = [
    "service_create",
    "service_update",
    "service_reassign",
    "service_list",
    "event_list",
    "overdue_list",
]


@validator_args
def service_create(not_empty: Validator, ignore_missing: Validator,
                   unicode_safe: Validator, name_validator: Validator,
                   email_validator: Validator, boolean_validator: Validator,
                   default: ValidatorFactory, strip_value: Validator,
                   governance_organization_id: Validator,
                   governance_user_id: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "name": [not_empty, unicode_safe, name_validator],
        "title": [not_empty, unicode_safe, strip_value, not_empty],
        "email": [ignore_missing, unicode_safe, strip_value, email_validator],
        "referent_id": [ignore_missing, unicode_safe, governance_user_id],
        "backup_referent_id": [ignore_missing, unicode_safe, governance_user_id],
        "active": [default(True), boolean_validator],
    }


@validator_args
def service_update(not_empty: Validator, ignore_missing: Validator,
                   unicode_safe: Validator, name_validator: Validator,
                   email_validator: Validator, boolean_validator: Validator,
                   strip_value: Validator, governance_user_id: Validator) -> Schema:
    # Partial: a key that is absent keeps its value.
    return {
        "id": [not_empty, unicode_safe],
        "name": [ignore_missing, not_empty, unicode_safe, name_validator],
        "title": [ignore_missing, unicode_safe, strip_value, not_empty],
        "email": [ignore_missing, unicode_safe, strip_value, email_validator],
        "referent_id": [ignore_missing, unicode_safe, governance_user_id],
        "backup_referent_id": [ignore_missing, unicode_safe, governance_user_id],
        "active": [ignore_missing, boolean_validator],
    }


@validator_args
def service_reassign(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "target": [not_empty, unicode_safe],
    }


@validator_args
def service_list(not_empty: Validator, ignore_missing: Validator,
                 unicode_safe: Validator, boolean_validator: Validator,
                 default: ValidatorFactory, natural_number_validator: Validator,
                 limit_to_configured_maximum: ValidatorFactory,
                 governance_organization_id: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "active_only": [default(False), boolean_validator],
        "include_dataset_count": [default(True), boolean_validator],
        "limit": [default(100), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def event_list(ignore_missing: Validator, unicode_safe: Validator,
               default: ValidatorFactory, natural_number_validator: Validator,
               limit_to_configured_maximum: ValidatorFactory,
               governance_organization_id: Validator) -> Schema:
    return {
        "organization_id": [ignore_missing, unicode_safe, governance_organization_id],
        "package_id": [ignore_missing, unicode_safe],
        "event_type": [ignore_missing, unicode_safe],
        "limit": [default(50), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def overdue_list(ignore_missing: Validator, unicode_safe: Validator,
                 default: ValidatorFactory, natural_number_validator: Validator,
                 boolean_validator: Validator,
                 limit_to_configured_maximum: ValidatorFactory,
                 governance_organization_id: Validator) -> Schema:
    return {
        "organization": [ignore_missing, unicode_safe, governance_organization_id],
        "owner_service": [ignore_missing, unicode_safe],
        "include_due_soon": [default(False), boolean_validator],
        "limit": [default(50), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }
