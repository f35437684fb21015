"""Plugin shell for dataset governance: owner services, update cadence, sign-off, gate."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.config.declaration import Declaration, Key
from ckan.types import CKANApp, Context
from ckan.lib.plugins import DefaultTranslation
from ckanext.validation.interfaces import IPipeValidation
from ckanext.xloader.interfaces import IXloader

from ckanext.opendata_governance import (
    check_runner, cli, datastore, freshness, gate, helpers, jobs, schema_validation, search,
    views)
from ckanext.opendata_governance.datastore import dictionary
from ckanext.opendata_governance.datastore import gate as datastore_gate
from ckanext.opendata_governance.datastore import statement_check
from ckanext.opendata_governance.datastore import xloader_hooks
from ckanext.opendata_governance.logic import action, auth, validators
from ckanext.opendata_governance.suggest import plans
from ckanext.suite import input_guard, licences, plugin_support, validation_compat

# Must run before any plugin's update_config, including ckanext-validation's.
validation_compat.apply()
# ckanext-validation's job reads remote files through safe_fetch, within the scan limits.
validation_compat.guard_sources(schema_validation.local_copy)


@tk.blanket.actions(input_guard.guard_actions(action.get_actions))
@tk.blanket.auth_functions(auth.get_auth_functions)
@tk.blanket.validators(validators)
@tk.blanket.helpers(helpers)
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli)
class OpendataGovernancePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(IXloader, inherit=True)
    p.implements(IPipeValidation, inherit=True)
    p.implements(p.ISignal)

    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        # Stored check results may close DataStore tables (a personal-data finding).
        return {check_runner.RESULTS_STORED: [datastore_gate.on_results_stored]}

    def update_config(self, config: CKANConfig) -> None:
        plugin_support.serve_directories(config, __file__)
        licences.use_suite_register(config)
        datastore.configure_xloader(config)
        statement_check.install()

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        plugin_support.declare_plugin_options(declaration, __file__)
        plugin_support.declare_suite_options(declaration)

    def dataset_facets(self, facets_dict: OrderedDict[str, Any],
                       package_type: str) -> OrderedDict[str, Any]:
        # Harvest sources and other package types have no owner service nor cadence.
        if package_type != "dataset":
            return facets_dict
        return freshness.add_status_facet(search.add_service_facet(facets_dict))

    def organization_facets(self, facets_dict: OrderedDict[str, Any],
                            organization_type: str,
                            package_type: Optional[str]) -> OrderedDict[str, Any]:
        if package_type not in (None, "dataset"):
            return facets_dict
        return freshness.add_status_facet(search.add_service_facet(facets_dict))

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return search.name_licence_facet_items(freshness.name_status_facet_items(
            search.name_service_facet_items(search_results)))

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return freshness.index_cadence(pkg_dict)

    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        gate.check_created(context, pkg_dict)
        plans.close_when_published(context, pkg_dict)

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        gate.check_updated(context, pkg_dict)
        plans.close_when_published(context, pkg_dict)

    def make_middleware(self, app: CKANApp, config: CKANConfig) -> CKANApp:
        return datastore_gate.guard_previews(
            dictionary.guard_dictionary_form(gate.guard_bulk_process(app)))

    def before_resource_create(self, context: Context, resource: dict[str, Any]) -> None:
        schema_validation.derive_schema(resource)

    def after_resource_create(self, context: Context, resource: dict[str, Any]) -> None:
        freshness.bump_after_resource_change(context, resource, created=True)
        schema_validation.validate_created(resource)

    def before_resource_update(self, context: Context, current: dict[str, Any],
                               resource: dict[str, Any]) -> None:
        freshness.note_resource_change(context, current, resource)
        schema_validation.derive_schema(resource)
        schema_validation.note_update(current, resource)

    def receive_validation_report(self, validation_report: dict[str, Any]) -> None:
        jobs.check_validated_resource(validation_report)

    def after_resource_update(self, context: Context, resource: dict[str, Any]) -> None:
        freshness.bump_after_resource_change(context, resource)

    def can_upload(self, resource_id: str) -> bool:
        return xloader_hooks.can_upload(resource_id)

    def after_upload(self, context: Context, resource_dict: dict[str, Any],
                     dataset_dict: dict[str, Any]) -> None:
        xloader_hooks.after_upload(context, resource_dict, dataset_dict)
