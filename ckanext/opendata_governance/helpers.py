"""Template helpers of the governance plugin: read-only wrappers over its actions."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import (
    checks, freshness, frequencies, schema_catalogue, schema_validation, tracker)
from ckanext.opendata_governance.datastore import api_examples, load_status
from ckanext.opendata_governance.extract import FORMATS as EXTRACT_FORMATS, provenance
from ckanext.opendata_governance.model import PlannedDataset
from ckanext.opendata_governance.suggest import plans, reference
from ckanext.suite import formats, licences
from ckanext.suite.collation import collation_key
from ckanext.suite.formats import (  # noqa: F401  (template helpers)
    render_datetime, suite_date, suite_decimal, suite_month, suite_number, suite_percent)

__all__ = [
    "governance_frequency_choices",
    "governance_update_status",
    "governance_service_choices",
    "governance_member_choices",
    "governance_can_see_services",
    "governance_licence_options",
    "governance_licence_default",
    "governance_frequency_label",
    "governance_table_schema_options",
]
# Dates and numbers in the page's language (ckanext/suite/formats.py).
__all__ += formats.__all__


def governance_frequency_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the ``update_frequency`` select: EU codes labelled in the page's language."""
    return frequencies.choices(_lang())


def governance_frequency_label(code: str) -> str:
    """An EU frequency code's label in the page's language (the code when unknown)."""
    frequency = frequencies.get(code)
    return frequency.label(_lang()) if frequency else code


def governance_update_status(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset's update status today, for its badge.

    :returns: ``status``, its translated ``label``, and ``next_update_due``
        (a date, or None for a dataset without a regular update)
    """
    computed = freshness.dataset_cadence(pkg_dict)
    return {**computed, "status": computed["update_status"],
            "label": freshness.status_label(computed["update_status"])}


def governance_licence_options(current: Optional[str] = None) -> list[dict[str, str]]:
    """Options of the licence select: the licence register in its order, titled in the
    page's language; a dataset's current id outside the register stays listed."""
    lang = _lang()
    options = [{"value": licence_id, "text": licences.title(licence_id, lang)}
               for licence_id in licences.ids()]
    if current and current not in licences.ids():
        options.insert(0, {"value": current, "text": current})
    return options


def governance_licence_default() -> str:
    """The licence a new dataset's form selects: the register's first."""
    return licences.default_id()


def _lang() -> str:
    try:
        return tk.h.lang() or "fr"
    except RuntimeError:  # outside a request
        return tk.config.get("ckan.locale_default") or "fr"


def governance_service_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the ``owner_service`` select: the active services of the form's organization.

    The organization is the one chosen in the submitted form, asked for in
    the address (``owner_org`` or ``group``) or owning the dataset shown;
    failing those, the services of every organization the user may add
    datasets to are offered, labelled with their organization.
    """
    organization = _form_organization()
    if organization:
        return [{"value": s["name"], "label": s["title"]}
                for s in _services(organization)]
    choices = []
    for org in _user_organizations():
        choices.extend({"value": s["name"],
                        "label": "{} ({})".format(s["title"], org["display_name"])}
                       for s in _services(org["id"]))
    return choices


def governance_member_choices(organization_id: str) -> list[dict[str, str]]:
    """The organization's members as select options, for choosing referents."""
    members = tk.get_action("member_list")(
        {"ignore_auth": True}, {"id": organization_id, "object_type": "user"})
    options = [{"value": "", "text": ""}]
    for user_id, _type, _capacity in members:
        user = model.User.get(user_id)
        if user is not None and user.state == "active":
            options.append({"value": user.id, "text": user.display_name})
    return sorted(options, key=lambda option: option["text"].lower())


def governance_can_see_services(organization_id: str) -> bool:
    """Whether the current user may see the organization's services tab."""
    try:
        tk.check_access("governance_service_list",
                        {"user": tk.current_user.name if tk.current_user else ""},
                        {"organization_id": organization_id})
    except tk.NotAuthorized:
        return False
    return True


def _services(organization_id: str) -> list[dict[str, Any]]:
    return tk.get_action("governance_service_list")(
        {"ignore_auth": True},
        {"organization_id": organization_id, "active_only": True,
         "include_dataset_count": False, "limit": 1000})["results"]


def _form_organization() -> Optional[str]:
    try:
        request = tk.request
        values = [request.form.get("owner_org"), request.args.get("owner_org"),
                  request.args.get("group")]
        view_args = request.view_args or {}
    except RuntimeError:  # outside a request
        return None
    for value in values:
        group = model.Group.get(value) if value else None
        if group is not None and group.is_organization:
            return group.id
    package = model.Package.get(view_args["id"]) if view_args.get("id") else None
    return package.owner_org if package is not None else None


def _user_organizations() -> list[dict[str, Any]]:
    user = tk.current_user.name if tk.current_user else None
    if not user:
        return []
    return tk.get_action("organization_list_for_user")(
        {"user": user}, {"permission": "create_dataset"})


# The sign-off workflow's pages: who sees what, and the dataset's publication state.
__all__ += [
    "governance_guide_checks",
    "governance_is_reviewer",
    "governance_can_see_review_tab",
    "governance_can_see_organization_tab",
    "governance_publication_status",
    "governance_publication_tracker",
    "governance_failed_checks",
    "governance_user_display",
    "governance_event_label",
]


def governance_guide_checks() -> list[dict[str, Any]]:
    """Every registered automated check, for the producer guide: ``check_id``,
    ``severity``, ``scope`` and the translated ``title``, ``explanation``, ``why`` and
    ``fix``; blocking checks first."""
    explained = [checks.explained({"check_id": check.id, "severity": check.severity,
                                   "scope": check.scope}) for check in checks.registered()]
    return sorted(explained, key=lambda check: check["severity"] != "blocking")


def _current_user_ids() -> set[str]:
    user = tk.current_user
    if not user or not user.is_authenticated:
        return set()
    return {user.id, user.name}


def governance_is_reviewer(organization_id: Optional[str]) -> bool:
    """Whether the current user signs off the organization's datasets (sysadmin or reviewer)."""
    ids = _current_user_ids()
    if not ids:
        return False
    if tk.current_user.sysadmin:
        return True
    if not organization_id:
        return False
    try:
        listed = tk.get_action("governance_reviewer_list")(
            {"ignore_auth": True}, {"organization_id": organization_id})
    except (KeyError, tk.ObjectNotFound):
        return False
    rows = listed.get("results", []) if isinstance(listed, dict) else listed
    return any(ids & {row.get("user_id"), row.get("name"), row.get("user")}
               for row in rows)


def governance_can_see_review_tab(pkg_dict: dict[str, Any]) -> bool:
    """Whether the dataset's "Governance" tab is for the current user: its editors and reviewers."""
    if not _current_user_ids():
        return False
    context = {"user": tk.current_user.name}
    try:
        tk.check_access("package_update", context, {"id": pkg_dict["id"]})
        return True
    except tk.NotAuthorized:
        return governance_is_reviewer(pkg_dict.get("owner_org"))


def governance_can_see_organization_tab(organization_id: str) -> bool:
    """Whether the current user may see the organization's governance tab (its members)."""
    try:
        tk.check_access("governance_reviewer_list",
                        {"user": tk.current_user.name if tk.current_user else ""},
                        {"organization_id": organization_id})
    except (tk.NotAuthorized, KeyError):
        return False
    return True


def governance_publication_status(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Whether the dataset is public, gated, and covered by a sign-off of its current version.

    :returns: ``private``, ``gate_enabled``, ``covered`` (an approved sign-off
        matches the current version) and ``approval`` (that review, or None)
    """
    # Imported here: the fingerprint module loads the model, helpers load early.
    from ckanext.opendata_governance import fingerprint
    from ckanext.opendata_governance.model import OrganizationSetting

    package = model.Package.get(pkg_dict["id"])
    approval = fingerprint.matching_approval(package) if package is not None else None
    return {
        "private": bool(pkg_dict.get("private")),
        "gate_enabled": OrganizationSetting.gate_enabled_for(pkg_dict.get("owner_org")),
        "covered": approval is not None,
        "approval": approval.as_dict() if approval is not None else None,
    }


def governance_publication_tracker(pkg_dict: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The dataset's publication tracker (``tracker.track``), or None when the current
    user may not see its Governance tab."""
    if not governance_can_see_review_tab(pkg_dict):
        return None
    context = {"user": tk.current_user.name}
    try:
        review = tk.get_action("governance_review_show")(
            context, {"package_id": pkg_dict["id"]})
    except tk.ObjectNotFound:
        review = None
    try:
        tk.check_access("package_update", context, {"id": pkg_dict["id"]})
        can_edit = True
    except tk.NotAuthorized:
        can_edit = False
    can_decide = bool(review and review["state"] == "submitted"
                      and governance_is_reviewer(pkg_dict.get("owner_org"))
                      and review["requested_by"] not in _current_user_ids())
    status = governance_publication_status(pkg_dict)
    return tracker.track(tracker.Facts(
        pkg_dict=pkg_dict, review=review, covered=status["covered"],
        gate_enabled=status["gate_enabled"], can_edit=can_edit, can_decide=can_decide))


def governance_failed_checks(checks: list[dict[str, Any]],
                             severity: Optional[str] = None) -> list[dict[str, Any]]:
    """The check results that did not pass (a crashed check counts), optionally of one severity."""
    return [check for check in checks or []
            if check.get("status") != "passed"
            and (severity is None or check.get("severity") == severity)]


def governance_user_display(user_id: Optional[str]) -> str:
    """The display name of a user id or name, or the value itself when unknown."""
    if not user_id:
        return ""
    user = model.User.get(user_id)
    return user.display_name if user is not None else user_id


def governance_event_label(event: dict[str, Any]) -> str:
    """A readable, translated label of a governance event; its type when unknown."""
    details = event.get("details") or {}
    if event.get("event_type") == "review_decided":
        return (tk._("Review approved") if details.get("decision") == "approve"
                else tk._("Review rejected"))
    labels = {
        "review_requested": tk._("Review requested"),
        "review_withdrawn": tk._("Review withdrawn"),
        "published_on_approval": tk._("Published on approval"),
        "gate_refused": tk._("Publication refused: no matching sign-off"),
        "auto_unpublished": tk._("Made private again after a blocking check"),
        "reminder_sent": tk._("Update reminder sent"),
        "service_reassigned": tk._("Owner service changed"),
        "licence_migrated": tk._("Licence id moved to the licence register"),
        "checklist_updated": tk._("Review checklist changed"),
    }
    return labels.get(event.get("event_type") or "", event.get("event_type") or "")


__all__ += ["governance_check_results", "governance_validation_report_url",
            "governance_validation_report"]


def governance_validation_report(validation: dict[str, Any]) -> dict[str, Any]:
    """ckanext-validation's report, errors by type and by row and column, in the page's
    language (its report page)."""
    return schema_validation.report_view(validation)


def governance_validation_report_url(result: dict[str, Any]) -> Optional[str]:
    """Where ckanext-validation shows the report a schema_conformity result read."""
    return schema_validation.report_url(result)



def governance_check_results(pkg_dict: dict[str, Any], resource_id: str
                             ) -> Optional[list[dict[str, Any]]]:
    """The latest check results of a resource (and of its dataset), or None when the
    current user may not see them (only editors, reviewers and sysadmins may)."""
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        listed = tk.get_action("governance_check_result_list")(
            context, {"package_id": pkg_dict["id"], "limit": 1000})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    return [result for result in listed["results"]
            if result["resource_id"] in (None, resource_id)]


# The resource page's DataStore blocks (ckanext/opendata_governance/datastore/).
__all__ += ["governance_datastore_load_status", "governance_datastore_api_examples"]


def governance_datastore_load_status(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The resource's DataStore load, as its page shows it (see
    ``datastore.load_status.resource_load_status``)."""
    return load_status.resource_load_status(resource)


def governance_datastore_api_examples(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Data API calls and dump links on the resource's own data, or None."""
    return api_examples.resource_api_examples(resource)


__all__ += ["governance_can_extract_tables"]


def governance_can_extract_tables(resource: dict[str, Any]) -> bool:
    """Whether the current user may extract the tables of this PDF, spreadsheet or text
    document resource."""
    if (resource.get("format") or "").strip().lower() not in EXTRACT_FORMATS:
        return False
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        tk.check_access("resource_table_extract", context, {"id": resource["id"]})
    except tk.NotAuthorized:
        return False
    return True


def governance_table_schema_options() -> list[dict[str, Any]]:
    """The schemas offered in a resource's ``conforms_to`` field (the shipped ones with
    their titles, then those the portal's readable resources declare)."""
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    try:
        return tk.get_action("governance_table_schema_list")({"user": user}, {})
    except tk.NotAuthorized:
        return []


__all__ += ["governance_extraction"]


def governance_extraction(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Where an extracted CSV resource comes from, as the current user may see it:
    ``source`` (the source resource, None when gone), ``stale`` (its file changed since)
    and ``can_rerun``; None for a resource that is not an extraction."""
    source_id = provenance.source_of(resource)
    if not source_id:
        return None
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        source = tk.get_action("resource_show")(context, {"id": source_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        source = None
    can_rerun = False
    if source is not None:
        try:
            tk.check_access("resource_table_extract", context, {"id": source_id})
            can_rerun = True
        except tk.NotAuthorized:
            pass
    stale = source is not None and provenance.is_stale(resource, source)
    return {"source": source, "stale": stale, "can_rerun": can_rerun,
            "choices": provenance.choices_of(resource)}


__all__ += ["governance_known_table_schemas"]


def governance_known_table_schemas() -> list[dict[str, str]]:
    """The Table Schemas shipped with the suite (``url``, ``title``), by title."""
    return sorted(({"url": url, "title": title}
                   for url, title in schema_catalogue.shipped().items()),
                  key=lambda schema: collation_key(schema["title"]))


__all__ += ["governance_extractions_of"]


def governance_extractions_of(resource: dict[str, Any], package: dict[str, Any]
                              ) -> list[dict[str, Any]]:
    """The CSV resources of the dataset extracted from this one, each with ``stale``
    (this file changed since), for the source's page."""
    return [{"resource": extracted, "stale": provenance.is_stale(extracted, resource)}
            for extracted in package.get("resources", [])
            if provenance.is_extraction_of(extracted, resource["id"])]


__all__ += ["governance_planned_schema"]


def governance_planned_schema() -> Optional[dict[str, Any]]:
    """On the resource form of a dataset started from a plan: the schema the plan expects
    (``title``, ``page`` on schema.data.gouv.fr) and, when the portal ships that Table
    Schema, its ``url`` for the ``conforms_to`` field; None elsewhere."""
    try:
        view_args = tk.request.view_args or {}
    except RuntimeError:  # outside a request
        return None
    package = model.Package.get(view_args["id"]) if view_args.get("id") else None
    if package is None:
        return None
    plan = model.Session.query(PlannedDataset).filter(
        PlannedDataset.package_id == package.id,
        PlannedDataset.state.in_(plans.OPEN_STATES),
        PlannedDataset.conforms_to.isnot(None)).first()
    if plan is None:
        return None
    entry = next((item for item in reference.entries()
                  if item.matches_schema(plan.conforms_to)), None)
    url = next((shipped for shipped in schema_catalogue.shipped()
                if entry is not None and entry.matches_schema(shipped)), None)
    return {"title": entry.title if entry else plan.conforms_to, "page": plan.conforms_to,
            "url": url}
