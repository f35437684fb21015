"""Validators of the governance plugin's schemas and of its dataset fields."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.opendata_governance import cadence, frequencies
from ckanext.opendata_governance.model import PLANNED_STATES, REVIEW_STATES, Service
from ckanext.opendata_governance.suggest.reference import entries
from ckanext.suite import licences

__all__ = [
    "governance_organization_id",
    "governance_user_id",
    "governance_owner_service",
    "governance_update_frequency",
    "governance_iso_date",
    "governance_licence",
]


def governance_organization_id(value: Any, context: Context) -> Any:
    """Turn an organization id or name into the id of an active organization."""
    group = model.Group.get(value) if value else None
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(tk._("Organization not found"))
    return group.id


def governance_user_id(value: Any, context: Context) -> Any:
    """Turn a user id or name into the id of an active user; empty stays empty."""
    if value in (None, ""):
        return None
    user = model.User.get(value)
    if user is None or user.state != "active":
        raise tk.Invalid(tk._("User not found"))
    return user.id


def governance_update_frequency(value: Any, context: Context) -> Any:
    """An EU frequency authority code (or its URI), stored as the code: ``MONTHLY``."""
    if value in (None, ""):
        return value
    frequency = frequencies.get(value)
    if frequency is None:
        raise tk.Invalid(
            tk._("Unknown update frequency: {code}").format(code=value))
    return frequency.code


def governance_iso_date(value: Any, context: Context) -> Any:
    """An ISO 8601 date, stored as ``YYYY-MM-DD``; empty stays empty."""
    if value in (None, ""):
        return value
    try:
        date = cadence.parse_date(value)
    except (ValueError, OverflowError):
        date = None
    if date is None:
        raise tk.Invalid(tk._("Not a date in the YYYY-MM-DD form: {value}").format(
            value=value))
    return date.isoformat()


def governance_licence(key: FlattenKey, data: FlattenDataDict,
                       errors: FlattenErrorDict, context: Context) -> None:
    """The licence must be an id of the portal's licence register (harvest imports map
    theirs first); empty means none. A dataset may keep the id it already has, so that
    an edit before ``ckan opendata-governance licences migrate`` is not refused."""
    value = data.get(key)
    if value in (None, "", tk.missing) or value in licences.ids():
        return
    package = context.get("package")
    if package is not None and package.license_id == value:
        return
    errors[key].append(
        tk._("Unknown licence: {licence}. The portal's licences are: {allowed}").format(
            licence=value, allowed=", ".join(licences.ids())))


def governance_owner_service(key: FlattenKey, data: FlattenDataDict,
                             errors: FlattenErrorDict, context: Context) -> None:
    """The owner service must be an active service of the dataset's organization.

    A dataset may keep the service it already has once that service is
    deactivated, so that unrelated edits are not refused.
    """
    value = data.get(key)
    if value in (None, "", tk.missing):
        return
    owner_org = data.get(("owner_org",))
    if owner_org in (None, "", tk.missing):
        package = context.get("package")
        owner_org = package.owner_org if package else None
    group = model.Group.get(owner_org) if owner_org else None
    if group is None:
        errors[key].append(tk._("Choose the dataset's organization first: the owner "
                                "service is one of its services."))
        return
    service = Service.by_name(group.id, value)
    if service is None:
        errors[key].append(tk._("Not a service of {organization}: choose one of its "
                                "services in the list.").format(
                                    organization=group.display_name))
        return
    if not service.active and not _kept(context, value):
        errors[key].append(
            tk._("This service is deactivated: {name}").format(name=value))


def _kept(context: Context, value: str) -> bool:
    package = context.get("package")
    if package is None:
        return False
    return package.extras.get("owner_service") == value


# The sign-off workflow.
__all__ += [
    "governance_boolean",
    "governance_review_decision",
    "governance_review_checklist",
    "governance_review_state",
    "governance_review_limit",
    "governance_id_or_package_id",
]

#: Decisions on a review.
DECISIONS = ("approve", "reject")
#: The largest page of the reviewers' queue.
REVIEW_LIST_MAX = 100

_TRUE = {"true", "1", "yes", "y", "on", "t"}
# An empty value is no answer: read as false, a blank form field would switch the gate off.
_FALSE = {"false", "0", "no", "n", "off", "f"}


def governance_boolean(value: Any, context: Context) -> Any:
    """A true/false value; refuses what is neither, instead of reading it as false."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise tk.Invalid(tk._("Not a true/false value: {value}").format(value=value))


def governance_review_decision(value: Any, context: Context) -> Any:
    """``approve`` or ``reject``."""
    if value in (None, "", tk.missing):
        raise tk.Invalid(tk._("Missing value"))
    if value not in DECISIONS:
        raise tk.Invalid(tk._("The decision must be approve or reject, not {value}").format(
            value=value))
    return value


def governance_review_checklist(value: Any, context: Context) -> Any:
    """An object of verdicts, one entry per checklist item (a JSON string, from a form
    post, is read as the object it encodes); which items and verdicts are allowed
    depends on the review's organization: ``checklist.verdicts`` reads the entries."""
    if value in (None, "", tk.missing):
        raise tk.Invalid(tk._("Missing value"))
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise tk.Invalid(tk._("The checklist must be an object with one entry per item"))
    if not isinstance(value, dict):
        raise tk.Invalid(tk._("The checklist must be an object with one entry per item"))
    return value


def governance_review_state(value: Any, context: Context) -> Any:
    """A review state, or ``all``."""
    if value != "all" and value not in REVIEW_STATES:
        raise tk.Invalid(tk._("Unknown review state: {value}").format(value=value))
    return value


def governance_review_limit(value: Any, context: Context) -> Any:
    """A page size no larger than the queue's maximum."""
    return min(int(value), REVIEW_LIST_MAX)


def governance_id_or_package_id(key: FlattenKey, data: FlattenDataDict,
                                errors: FlattenErrorDict, context: Context) -> None:
    """Either a review ``id`` or a ``package_id`` must be given."""
    if data.get(("id",)) in (None, "", tk.missing) and \
            data.get(("package_id",)) in (None, "", tk.missing):
        errors.setdefault(("id",), []).append(
            tk._("Give a review id or a package_id"))


def governance_text_list(value: Any, context: Context) -> Any:
    """A list of non-empty texts, or one text of comma-separated items."""
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip()
                                              for item in value):
        raise tk.Invalid(tk._("A list of non-empty names is expected"))
    return [item.strip() for item in value]


def governance_index_list(value: Any, context: Context) -> Any:
    """A list of numbers from 0, or one text of comma-separated numbers."""
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",") if item.strip()]
    try:
        numbers = [int(item) for item in value]
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("A list of table numbers (from 0) is expected"))
    if not numbers or any(n < 0 for n in numbers) or any(isinstance(i, bool) for i in value):
        raise tk.Invalid(tk._("A list of table numbers (from 0) is expected"))
    return numbers


def governance_column_mapping(value: Any, context: Context) -> Any:
    """Schema field → column name, as an object or its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict) or not all(
            isinstance(key, str) and key.strip() and isinstance(column, str) and column.strip()
            for key, column in value.items()):
        raise tk.Invalid(tk._("An object of schema field names to column names is expected"))
    return {key.strip(): column.strip() for key, column in value.items()}


__all__ += ["governance_text_list", "governance_index_list", "governance_column_mapping"]


#: More agents than any French local authority employs: a typo, not a headcount.
MAX_AGENT_COUNT = 1_000_000


def governance_agent_count(value: Any, context: Context) -> Any:
    """A staff headcount, a whole number from 0; empty clears it."""
    if value in ("", tk.missing):
        return None
    if isinstance(value, bool):
        raise tk.Invalid(tk._("Must be a whole number"))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Must be a whole number"))
    if not 0 <= number <= MAX_AGENT_COUNT:
        raise tk.Invalid(tk._("Must be between 0 and {maximum}").format(
            maximum=MAX_AGENT_COUNT))
    return number


__all__ += ["governance_agent_count"]


#: Longest dismissal reason: a few sentences for the admins, not a report.
MAX_DISMISSAL_REASON = 1000


def governance_opening_key(value: Any, context: Context) -> Any:
    """The key of an entry of the reference list of data to open."""
    if value not in {entry.key for entry in entries()}:
        raise tk.Invalid(tk._("Not an entry of the reference list: {value}").format(
            value=value))
    return value


def governance_dismissal_reason(value: Any, context: Context) -> Any:
    """Why a suggestion is dismissed: needed, and short."""
    if not str(value or "").strip():
        raise tk.Invalid(tk._("Missing value"))
    if len(value) > MAX_DISMISSAL_REASON:
        raise tk.Invalid(tk._("At most {n} characters").format(n=MAX_DISMISSAL_REASON))
    return value


__all__ += ["governance_opening_key", "governance_dismissal_reason"]


def governance_known_schema(value: Any, context: Context) -> Any:
    """A schema URL the reference list of data to open knows (any version of it)."""
    if value in (None, ""):
        return value
    text = str(value).strip()
    if not text.startswith(("https://", "http://")) or not any(
            entry.matches_schema(text) for entry in entries()):
        raise tk.Invalid(tk._("Unknown schema: {value}. Give the URL of a schema of the "
                              "reference list of data to open").format(value=value))
    return text


def governance_planned_state(value: Any, context: Context) -> Any:
    """One of the states of a planned dataset."""
    if value not in PLANNED_STATES:
        raise tk.Invalid(tk._("Must be one of: {states}").format(
            states=", ".join(PLANNED_STATES)))
    return value


def governance_short_text(value: Any, context: Context) -> Any:
    """A title: at most 200 characters."""
    if value is not None and len(str(value)) > 200:
        raise tk.Invalid(tk._("At most {n} characters").format(n=200))
    return value


__all__ += ["governance_known_schema", "governance_planned_state", "governance_short_text"]
