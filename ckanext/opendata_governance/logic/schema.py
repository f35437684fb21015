"""Schemas of the governance actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.suite.validate import validate

__all__ = [
    "validate",
    "service_create",
    "service_update",
    "service_reassign",
    "CONTACT_ROLES",
    "service_contacts",
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


#: Whom ``governance_service_contacts`` can give, in the order it gives them.
CONTACT_ROLES = ("mailbox", "referent", "backup_referent")


def _contact_roles(value: Any) -> list[str]:
    """A list of roles, or their names separated by commas (as a GET request sends)."""
    roles = value.split(",") if isinstance(value, str) else value
    if (not isinstance(roles, list) or not roles
            or any(role not in CONTACT_ROLES for role in roles)):
        raise tk.Invalid(tk._("Roles must be among: {roles}").format(
            roles=", ".join(CONTACT_ROLES)))
    return roles


@validator_args
def service_contacts(not_empty: Validator, ignore_missing: Validator,
                     unicode_safe: Validator, default: ValidatorFactory) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "organization_id": [ignore_missing, unicode_safe],
        "roles": [default(list(CONTACT_ROLES)), _contact_roles],
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


# The sign-off workflow: reviews, reviewers and per-organization settings.
__all__ += [
    "review_request",
    "review_decide",
    "review_show",
    "review_list",
    "reviewer",
    "reviewer_list",
    "settings_show",
    "settings_update",
    "review_activity",
    "checklist_show",
    "checklist_update",
]


@validator_args
def review_request(not_empty: Validator, ignore_missing: Validator,
                   unicode_safe: Validator, strip_value: Validator,
                   governance_boolean: Validator, default: ValidatorFactory) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "comment": [ignore_missing, unicode_safe, strip_value],
        "publish": [default(True), governance_boolean],
    }


@validator_args
def review_decide(not_empty: Validator, ignore_missing: Validator,
                  unicode_safe: Validator, strip_value: Validator,
                  governance_boolean: Validator, default: ValidatorFactory,
                  governance_review_decision: Validator,
                  governance_review_checklist: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "decision": [governance_review_decision],
        "checklist": [governance_review_checklist],
        "comment": [ignore_missing, unicode_safe, strip_value],
        "override": [default(False), governance_boolean],
    }


@validator_args
def review_show(ignore_missing: Validator, unicode_safe: Validator,
                governance_id_or_package_id: Validator) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe],
        "package_id": [ignore_missing, unicode_safe],
        "__before": [governance_id_or_package_id],
    }


@validator_args
def review_list(ignore_missing: Validator, unicode_safe: Validator,
                default: ValidatorFactory, natural_number_validator: Validator,
                governance_organization_id: Validator,
                governance_review_state: Validator,
                governance_review_limit: Validator) -> Schema:
    return {
        "organization_id": [ignore_missing, unicode_safe, governance_organization_id],
        "package_id": [ignore_missing, unicode_safe],
        "state": [default("submitted"), unicode_safe, governance_review_state],
        "limit": [default(20), natural_number_validator, governance_review_limit],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def reviewer(not_empty: Validator, unicode_safe: Validator,
             governance_organization_id: Validator,
             governance_user_id: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "user": [not_empty, unicode_safe, governance_user_id],
    }


@validator_args
def reviewer_list(not_empty: Validator, unicode_safe: Validator,
                  default: ValidatorFactory, natural_number_validator: Validator,
                  governance_organization_id: Validator,
                  governance_review_limit: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "limit": [default(100), natural_number_validator, governance_review_limit],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def settings_show(not_empty: Validator, unicode_safe: Validator,
                  governance_organization_id: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
    }


@validator_args
def settings_update(not_empty: Validator, unicode_safe: Validator,
                    ignore_missing: Validator, governance_boolean: Validator,
                    governance_organization_id: Validator,
                    governance_agent_count: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "gate_enabled": [ignore_missing, governance_boolean],
        "agent_count": [ignore_missing, governance_agent_count],
        "progress_public": [ignore_missing, governance_boolean],
        "progress_planned_titles": [ignore_missing, governance_boolean],
    }


@validator_args
def review_activity(ignore: Validator, not_empty: Validator, unicode_safe: Validator,
                    convert_user_name_or_id_to_id: Validator,
                    package_id_exists: Validator, one_of: ValidatorFactory,
                    ignore_empty: Validator, ignore_missing: Validator,
                    list_of_strings: Validator) -> Schema:
    # activity_create accepts a schema in its context: the way to record an
    # activity type of our own, which its default schema does not know.
    return {
        "id": [ignore],
        "timestamp": [ignore],
        "user_id": [not_empty, unicode_safe, convert_user_name_or_id_to_id],
        "object_id": [not_empty, unicode_safe, package_id_exists],
        "activity_type": [not_empty, one_of(["reviewed package"])],
        "data": [ignore_empty, ignore_missing],
        "permission_labels": [ignore_empty, list_of_strings],
    }


__all__ += ["check_run", "check_result_list"]


@validator_args
def check_run(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
              boolean_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "resource_id": [ignore_missing, unicode_safe],
        "sync": [ignore_missing, boolean_validator],
    }


@validator_args
def check_result_list(not_empty: Validator, ignore_missing: Validator,
                      unicode_safe: Validator, boolean_validator: Validator,
                      default: ValidatorFactory, natural_number_validator: Validator,
                      limit_to_configured_maximum: ValidatorFactory) -> Schema:
    return {
        "package_id": [not_empty, unicode_safe],
        "resource_id": [ignore_missing, unicode_safe],
        "check_id": [ignore_missing, unicode_safe],
        "history": [default(False), boolean_validator],
        "limit": [default(50), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def listing_page(ignore_missing: Validator, natural_number_validator: Validator) -> Schema:
    # Core's tag and format listings read these unchecked; the rest is theirs to read.
    return {
        "limit": [ignore_missing, natural_number_validator],
        "offset": [ignore_missing, natural_number_validator],
    }


@validator_args
def table_schema_list(default: ValidatorFactory, natural_number_validator: Validator
                      ) -> Schema:
    return {"limit": [default(50), natural_number_validator, lambda value: min(int(value), 200)]}


@validator_args
def table_preview(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                  governance_text_list: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "pages": [ignore_missing, unicode_safe],
        "sheets": [ignore_missing, governance_text_list],
        "conforms_to": [ignore_missing, unicode_safe],
    }


@validator_args
def table_extract(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                  governance_text_list: Validator, governance_index_list: Validator,
                  governance_column_mapping: Validator) -> Schema:
    return {
        **table_preview(),
        "mapping": [ignore_missing, governance_column_mapping],
        "tables": [ignore_missing, governance_index_list],
        "columns": [ignore_missing, governance_text_list],
        "name": [ignore_missing, unicode_safe],
        "target": [ignore_missing, unicode_safe],
    }


@validator_args
def table_job(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


__all__ += ["table_preview", "table_extract", "table_job"]


@validator_args
def opening_suggestion_list(not_empty: Validator, unicode_safe: Validator,
                            governance_organization_id: Validator) -> Schema:
    return {"organization_id": [not_empty, unicode_safe, governance_organization_id]}


@validator_args
def opening_suggestion_dismiss(not_empty: Validator, unicode_safe: Validator,
                               strip_value: Validator,
                               governance_organization_id: Validator,
                               governance_opening_key: Validator,
                               governance_dismissal_reason: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "key": [not_empty, unicode_safe, governance_opening_key],
        "reason": [not_empty, unicode_safe, strip_value, governance_dismissal_reason],
    }


__all__ += ["opening_suggestion_list", "opening_suggestion_dismiss"]


@validator_args
def planned_dataset_fields(not_empty: Validator, ignore_missing: Validator,
                           unicode_safe: Validator, strip_value: Validator,
                           governance_organization_id: Validator,
                           governance_iso_date: Validator,
                           governance_known_schema: Validator,
                           governance_update_frequency: Validator,
                           governance_planned_state: Validator,
                           governance_opening_key: Validator,
                           governance_short_text: Validator) -> Schema:
    """Fields of a planned dataset; ``planned_dataset_create`` also needs the first three."""
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "title": [not_empty, unicode_safe, strip_value, governance_short_text],
        "target_date": [not_empty, governance_iso_date],
        "owner_service": [ignore_missing, unicode_safe, strip_value],
        "conforms_to": [ignore_missing, unicode_safe, governance_known_schema],
        "update_frequency": [ignore_missing, governance_update_frequency],
        "notes": [ignore_missing, unicode_safe],
        "state": [ignore_missing, governance_planned_state],
        "package_id": [ignore_missing, unicode_safe],
        "suggestion_key": [ignore_missing, unicode_safe, governance_opening_key],
    }


@validator_args
def planned_dataset_list(ignore_missing: Validator, not_empty: Validator,
                         unicode_safe: Validator, governance_organization_id: Validator,
                         governance_planned_state: Validator, natural_number_validator: Validator,
                         default: ValidatorFactory, limit_to_configured_maximum: ValidatorFactory
                         ) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "state": [ignore_missing, governance_planned_state],
        "limit": [default(50), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }


__all__ += ["planned_dataset_fields", "planned_dataset_list"]


@validator_args
def checklist_show(not_empty: Validator, unicode_safe: Validator,
                   governance_organization_id: Validator) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
    }


@validator_args
def checklist_update(not_empty: Validator, unicode_safe: Validator,
                     default: ValidatorFactory, governance_boolean: Validator,
                     governance_organization_id: Validator) -> Schema:
    # ``items`` is read by the action, which names each bad field by its position.
    return {
        "organization_id": [not_empty, unicode_safe, governance_organization_id],
        "reset": [default(False), governance_boolean],
    }
